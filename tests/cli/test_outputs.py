"""Where ``run`` and ``export`` write: never over a special file, never half a file, and any
failure to write is exit status 2 with one line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gdplayground.cli import main


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str, fragment: str) -> bool:
    return err.count("\n") == 1 and err.startswith("gdplayground: error: ") and fragment in err


@pytest.mark.parametrize("command", ["run", "export"])
def test_an_empty_output_name_is_an_error_not_stdout(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = call(capsys, command, "x^2+y^2", "--steps", "3", "-o", "")
    assert code == 2 and out == ""
    assert one_line(err, "-o '': give the name of the file to write")


@pytest.mark.parametrize("command", ["run", "export"])
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_special_targets_are_refused_and_left_as_they_are(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, kind: str
) -> None:
    if kind == "fifo":
        target = tmp_path / "out.png"
        os.mkfifo(target)
        fragment = "it is a FIFO"
    elif kind == "device":  # never a system device: broken code would replace it
        target = tmp_path / "out.png"
        make_null_device(target)
        fragment = "it is a device"
    else:
        target = tmp_path / "out.png"
        target.mkdir()
        fragment = "it is a folder"
    code, out, err = call(capsys, command, "x^2+y^2", "--steps", "3", "-o", str(target))
    assert code == 2 and out == "" and one_line(err, fragment)
    assert not target.is_file()
    assert sorted(p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")) == []


def make_null_device(path: Path) -> None:
    """A character device like /dev/null at ``path`` (``mknod path c 1 3``), or skip."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("making a device node needs root")


def test_run_output_through_a_symlink_keeps_the_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "runs.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    code, _, err = call(capsys, "run", "x^2+y^2", "--steps", "3", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and json.loads(real.read_text())["function"] == "x^2+y^2"


def test_run_onto_a_full_disk_keeps_the_old_file(
    capsys: pytest.CaptureFixture[str], tiny_disk: Path
) -> None:
    target = tiny_disk / "runs.csv"
    target.write_text("old")
    code, _, err = call(
        capsys, "run", "x^2+y^2", "--steps", "3000", "--tol", "0", "--format", "csv", "-o",
        str(target),
    )  # fmt: skip
    assert code == 2 and one_line(err, "No space left on device")
    assert target.read_text() == "old" and os.listdir(tiny_disk) == ["runs.csv"]


def test_run_to_a_full_stdout_is_one_line(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "gdplayground", "run", "x^2+y^2", "--steps", "50"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "gdplayground: error: cannot write to standard output: No space left on device"
    ]


def test_a_long_run_streams_the_same_text_as_the_whole_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """JSON written a few thousand points at a time is what json.dumps makes of it whole."""
    from gdplayground.cli.parser import build_parser, session_options
    from gdplayground.cli.run import compute_runs
    from gdplayground.export.data import run_to_dict
    from gdplayground.model.build import build_session

    args = ["run", "exp(x) + y^2", "--steps", "9000", "--tol", "0", "--start=-1,1"]
    args += ["--start=30,1", "--optimizer", "adam:lr=0.01", "--optimizer", "gd:lr=2"]
    code, _, err = call(capsys, *args, "-o", str(tmp_path / "runs.json"))
    assert code == 0, err
    built = build_session(session_options(build_parser().parse_args(args)))
    runs = compute_runs(built)
    assert {r.trajectory.status for r in runs} >= {"diverged", "max_steps"}
    whole = {
        "function": built.session.function,
        "gradient": built.session.gradient,
        "runs": [run_to_dict(r) for r in runs],
    }
    expected = json.dumps(whole, indent=1, allow_nan=False) + "\n"
    assert (tmp_path / "runs.json").read_text(encoding="utf-8") == expected


NINES = "9" * 5000


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["export", "x^2+y^2", "-o", "a.png", "--size", f"{NINES}x10"], "5000 digits is far"),
        (["run", "x^2+y^2", "--steps", NINES], "5000 digits is far too large"),
        (["export", "x^2+y^2", "-o", "a.png", "--frame", NINES], "too many: at most"),
        (["export", "x^2+y^2", "-o", "a.gif", "--fps", NINES], "is not a finite number"),
        (["run", "x^2+y^2", f"--start={NINES},1"], "(5000 characters) is not a finite"),
    ],
)
def test_numbers_of_thousands_of_digits_are_one_short_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    fragment: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = call(capsys, *args)
    assert code == 2 and out == "" and one_line(err, fragment)
    assert len(err) < 200  # the number is not echoed whole
