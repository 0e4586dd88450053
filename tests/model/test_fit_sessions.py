"""A fit to data as a session: fields, rules, the .gdp.json form and the one builder."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from gdplayground.model.build import BuildError, SessionOptions, build_session
from gdplayground.model.fits import load_fits
from gdplayground.model.limits import FORMAT_VERSION, MAX_INLINE_ROWS
from gdplayground.model.rules import session_problems
from gdplayground.model.session import (
    BuiltinData,
    CsvData,
    CsvFile,
    FitSetup,
    SessionError,
    compute_inputs,
    default_fit_entries,
    default_session,
    run_inputs,
)
from gdplayground.model.session_file import (
    load_session,
    save_session,
    session_from_json,
    session_to_dict,
    session_to_json,
)

LINE = FitSetup("w*x + b", "(m - y)^2", BuiltinData("line", 200, 1.0, 0), "linear")
CSV = "x,y\n1.0,2.5\n2.0,4.5\n3.0,6.25\n"


def fit_session(fit: FitSetup = LINE, **changes):
    base = replace(
        default_session(),
        fit=fit,
        optimizers=default_fit_entries(),
        domain=(-2.0, 6.0, -5.0, 3.0),
        start=(-1.0, 2.0),
        seed=3,
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    "fit",
    [
        LINE,
        FitSetup("w*x + b", "abs(m - y)", CsvData(CSV, "points.csv")),
        FitSetup("sigmoid(w*x + b)", "(m - y)^2", BuiltinData("two_classes", 50, 0.5, 7)),
    ],
)
def test_a_fit_session_round_trips_through_its_file(tmp_path: Path, fit: FitSetup) -> None:
    session = fit_session(fit)
    sizes = [None, 1, 3, 2]
    session = replace(
        session,
        optimizers=tuple(
            replace(e, batch_size=k) for e, k in zip(session.optimizers, sizes, strict=True)
        ),
    )
    path = tmp_path / "fit.gdp.json"
    save_session(session, path)
    assert load_session(path) == session
    data = json.loads(path.read_text())
    assert data["version"] == FORMAT_VERSION and data["seed"] == 3
    assert [o["batch_size"] for o in data["optimizers"]] == ["full", 1, 3, 2]


def test_a_larger_csv_is_kept_by_path_and_a_changed_file_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "big.csv"
    csv.write_text("x,y\n" + "".join(f"{i},{2 * i}\n" for i in range(MAX_INLINE_ROWS + 1)))
    built = build_session(SessionOptions(data=str(csv)))
    data = built.session.fit.data
    assert isinstance(data, CsvFile)
    assert data.sha256 == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert (data.columns, data.rows) == (("x", "y"), MAX_INLINE_ROWS + 1)
    saved = tmp_path / "big.gdp.json"
    save_session(built.session, saved)
    assert load_session(saved) == built.session
    csv.write_text(csv.read_text().replace("\n3,6\n", "\n3,7\n"))
    with pytest.raises(SessionError, match="big.csv has changed since the session was saved"):
        load_session(saved)
    csv.unlink()
    with pytest.raises(SessionError, match="cannot be found: open the CSV file again"):
        load_session(saved)


def test_a_small_csv_is_kept_by_its_contents(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text('hours,score\r\n1,"52"\r\n2,6.1e1\r\n')
    session = build_session(SessionOptions(data=str(csv))).session
    assert session.fit.data == CsvData("hours,score\n1.0,52.0\n2.0,61.0\n", "mine.csv")
    assert (session.fit.model, session.fit.loss) == ("w*hours + b", "(m - score)^2")
    csv.unlink()  # the session does not need the file any more
    assert session_from_json(session_to_json(session)) == session


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"model": "w*z + b"}, "fit.model", "column 3: unknown name 'z': use w, b, x, y, pi, e"),
        ({"loss": "(m - q)^2"}, "fit.loss", "column 6: unknown name 'q': use m, x, y, pi, e"),
        ({"model": "x + 1"}, "fit.model", "the model uses neither w nor b"),
        ({"loss": "(x - y)^2"}, "fit.loss", "the loss does not use m"),
        ({"data": BuiltinData("line", 0, 1.0, 0)}, "fit.data", "n=0 is out of range"),
        ({"data": BuiltinData("line", 10, -1.0, 0)}, "fit.data", "noise=-1 is out of range"),
        ({"data": BuiltinData("lines", 10, 1.0, 0)}, "fit.data", "unknown data set 'lines'"),
        ({"data": CsvData("x,y\n1,2\n3,\n")}, "fit.data", "row 3, column 2 (y)"),
        ({"preset": "nope"}, "fit.preset", "'nope' is not one of linear"),
    ],
)
def test_the_rules_refuse_a_bad_fit_and_the_file_reader_with_the_same_words(
    change: dict, field: str, fragment: str
) -> None:
    bad = fit_session(replace(LINE, **change))
    problems = session_problems(bad)
    assert problems and problems[0][0] == field and fragment in problems[0][1]
    with pytest.raises(SessionError) as error:
        session_from_json(json.dumps(session_to_dict(bad)))
    assert str(error.value) == f"{field}: {problems[0][1]}"


def test_batch_sizes_run_from_1_to_n_and_the_seed_is_a_whole_number() -> None:
    good = fit_session()
    assert session_problems(good) == []
    too_big = replace(good, optimizers=(replace(good.optimizers[0], batch_size=201),))
    assert session_problems(too_big) == [
        (
            "optimizers[0].batch_size",
            "batch_size=201 is out of range: write 'full' or 1 to 200 (the number of examples)",
        )
    ]
    assert session_problems(replace(good, seed=-1))[0][0] == "seed"


def test_changing_a_batch_size_changes_only_that_run_s_inputs() -> None:
    session = fit_session()
    changed = replace(
        session,
        optimizers=(replace(session.optimizers[0], batch_size=8), *session.optimizers[1:]),
    )
    assert compute_inputs(changed) == compute_inputs(session)
    keys = [run_inputs(session, e) for e in session.optimizers]
    new = [run_inputs(changed, e) for e in changed.optimizers]
    assert [a == b for a, b in zip(keys, new, strict=True)] == [False, True, True, True]
    reseeded = replace(session, seed=4)  # the seed moves the stochastic runs only
    again = [run_inputs(reseeded, e) for e in reseeded.optimizers]
    assert [a == b for a, b in zip(keys, again, strict=True)] == [True, False, False, False]
    other_data = replace(session, fit=replace(LINE, data=BuiltinData("line", 100, 1.0, 0)))
    assert compute_inputs(other_data) != compute_inputs(session)


def test_the_builder_makes_a_fit_from_a_preset_a_dataset_or_options() -> None:
    built = build_session(SessionOptions(fit="logistic", seed="5"))
    preset = load_fits()["logistic"]
    s = built.session
    assert s.fit == FitSetup(
        preset.model, preset.loss, BuiltinData("two_classes", 200, 1.0, 0), "logistic"
    )
    assert (s.domain, s.start, s.seed) == (preset.window, preset.start, 5)
    assert s.optimizers == default_fit_entries() and not built.fit_domain
    assert not s.view.equal_aspect  # w and b on scales of their own
    custom = build_session(
        SessionOptions(
            dataset="line:n=500,noise=0.3,seed=2",
            model="w*x",
            loss="abs(m - y)",
            optimizers=("gd:lr=0.1,batch_size=8", "adam:batch_size=full"),
        )
    ).session
    assert custom.fit == FitSetup("w*x", "abs(m - y)", BuiltinData("line", 500, 0.3, 2))
    assert [e.batch_size for e in custom.optimizers] == [8, None]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(fit="linar"), "--fit 'linar': choose one of linear, least_absolute"),
        (dict(function="x^2", fit="linear"), "give a FUNCTION or a fit to data (--fit), not both"),
        (dict(function="x^2", model="w*x"), "--model applies to a fit to data"),
        (dict(dataset="line:m=3"), "write NAME:n=N,noise=S,seed=K"),
        (dict(dataset="line:n=0"), "the data: n=0 is out of range"),
        (dict(fit="linear", model="w*z + b"), "in the model: column 3: unknown name 'z'"),
        (dict(fit="linear", optimizers=("gd:batch_size=201",)), "--optimizer gd: batch_size=201"),
        (dict(fit="linear", optimizers=("gd:batch_size=2.5",)), "batch_size=2.5: write"),
        (dict(function="x^2", optimizers=("gd:batch_size=4",)), "batch_size applies to a fit"),
        (dict(fit="linear", seed="-3"), "--seed -3: write a whole number from 0"),
        (dict(fit="linear", data="/no/such.csv"), "--data: cannot read /no/such.csv"),
    ],
)
def test_the_builder_refuses_in_one_line(options: dict, message: str) -> None:
    with pytest.raises(BuildError) as error:
        build_session(SessionOptions(**options))
    assert message in str(error.value) and "\n" not in str(error.value)
