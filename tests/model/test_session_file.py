"""Sessions round-trip exactly; bad or hostile files are refused with a clear message."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from gdplayground.model import session_file
from gdplayground.model.limits import MAX_FILE_BYTES, PLAIN_FORMAT_VERSION
from gdplayground.model.session import (
    Session,
    SessionError,
    ViewOptions,
    default_session,
    entry_for,
)
from gdplayground.model.session_file import (
    load_session,
    save_session,
    session_from_json,
    session_to_dict,
)


def custom_session() -> Session:
    entries = (
        entry_for("adam", {"lr": 0.1, "beta1": 0.8}),
        replace(entry_for("adam", {"lr": 0.01}), name="Adam slow", color="#123abc"),
        replace(entry_for("newton"), enabled=False),
        entry_for("momentum", {"lr": 0.01, "schedule": "onecycle", "max_lr": 0.1}),
        entry_for("adam", {"schedule": "cosine", "T_max": 100, "clip_norm": 1.0}),
    )
    return Session(
        function="sin(x)cos(y) + x^2/10",
        domain=(-3.0, 3.0, -2.5, 2.5),
        start=(-1.25, 0.5),
        optimizers=entries,
        color_scale="log",
        gradient="numeric",
        h=1e-4,
        steps=321,
        tol=0.0,
        preset=None,
        view=ViewOptions(show_gradient_arrows=True, show_isolines=False),
    )


@pytest.mark.parametrize("make", [default_session, custom_session])
def test_save_and_load_give_the_identical_session(tmp_path: Path, make) -> None:
    session = make()
    path = tmp_path / "demo.gdp.json"
    save_session(session, path)
    assert load_session(path) == session
    data = json.loads(path.read_text())
    # a session without a fit or a seed stays readable by version 1
    assert data["version"] == PLAIN_FORMAT_VERSION and data["function"] == session.function


def test_default_session_is_ready_to_race() -> None:
    s = default_session()
    assert s.preset == "rosenbrock" and len(s.optimizers) >= 4
    assert len({e.color for e in s.optimizers}) == len(s.optimizers)


def _doc(**changes) -> str:
    data = session_to_dict(custom_session())
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "not valid JSON"),
        ("[1, 2]", "expected an object"),
        ('{"version": 1}', "not a gdplayground session .no format field"),
        (_doc(format="not-a-gdplayground-file"), "not a gdplayground session .format 'not-a-"),
        ('{"format": "gdplayground-session", "version": 1}', "missing field"),
        (_doc(function="sinn(x)"), "did you mean sin"),
        (_doc(function="__import__('os').system('rm -rf /')"), "function"),
        (_doc(function="9^9^9^9"), "function"),
        (_doc(function=42), "expected text"),
        (_doc(domain=[1, 0, 0, 1]), "x range 1 to 0 is empty"),
        (_doc(domain=[0, 1, 0]), "list of 4 numbers"),
        (_doc(start=["a", 0]), "expected a number"),
        (_doc(start=[1e400, 0]).replace("Infinity", "1e999"), "1e999, beyond the range of float64"),
        (_doc(start=[0.5, 0]).replace("0.5", "1" * 5000 + ".5"), "number of 5002 characters"),
        (_doc(steps=-1), "steps: -1 is negative"),
        (_doc(steps=2.5), "whole number"),
        (_doc(steps=True), "whole number"),
        (_doc(tol=-1), "tol must be 0 or more"),
        (_doc(h=0), "h must be a number greater than 0"),
        (_doc(gradient="exact"), "not one of"),
        (_doc(color_scale="rainbow"), "not one of"),
        (_doc(version=99), "newer gdplayground"),
        (_doc(preset="nope"), "preset: 'nope' is not one of"),
        (_doc(optimizers={"a": 1}), "expected a list"),
        (_doc(optimizers=[{"method": "sgdx"}]), "unknown optimizer"),
        (_doc(optimizers=[{"method": "adam", "params": {"lr": -1}}]), "out of range"),
        (_doc(optimizers=[{"method": "adam", "params": {"lr": "fast"}}]), "lr must be a number"),
        (
            _doc(optimizers=[{"method": "adam", "params": {"schedule": "cosin"}}]),
            "did you mean cosine",
        ),
        (_doc(optimizers=[{"method": "adam", "color": "red"}]), "write a colour"),
        (_doc(optimizers=[{"method": "adam", "enabled": "yes"}]), "true or false"),
        (_doc(optimizers=[{"method": "adam"}] * 1000), "at most"),
        (_doc(view=[1]), "expected an object"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
        ('{"version": 1, "steps": ' + "9" * 5000 + "}", "whole number of 5000 digits"),
        (_doc(domain=[-(10**400), 1, 0, 1]), "401 digits"),
        (_doc(domain=[-1e308, 1e308, -1, 1]), "within"),
        (_doc(domain=[1, 1 + 1e-12, 0, 1]), "too narrow"),
        (_doc(start=[1e11, 0]), "keep the start within"),
        (_doc(preset="himmelblau"), "does not match the function"),
    ],
)
def test_bad_sessions_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(SessionError, match=fragment):
        session_from_json(text)


def test_nan_in_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nan.gdp.json"
    path.write_text(_doc().replace('"tol": 0.0', '"tol": NaN'))
    with pytest.raises(SessionError, match="not a number"):
        load_session(path)


def test_unreadable_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="cannot read"):
        load_session(tmp_path / "missing.gdp.json")
    binary = tmp_path / "bin.gdp.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SessionError, match="UTF-8"):
        load_session(binary)
    big = tmp_path / "big.gdp.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(SessionError, match="too big"):
        load_session(big)


def test_failed_save_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "demo.gdp.json"
    save_session(default_session(), path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(session_file, "session_to_json", lambda s: "{\n" + "x" * 10)
    monkeypatch.setattr("os.fsync", crash)
    with pytest.raises(OSError):
        save_session(custom_session(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo.gdp.json"]


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    data = session_to_dict(custom_session())
    data["future_feature"] = {"anything": [1, 2]}
    assert session_from_json(json.dumps(data)) == custom_session()
