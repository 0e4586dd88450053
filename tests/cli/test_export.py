"""`gdplayground export`: pictures and animations from the command line; one line per mistake."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdplayground.cli import main
from gdplayground.core.framing import fitted_domain
from gdplayground.model.palette import colour_for
from gdplayground.model.session import default_session, entry_for
from gdplayground.model.session_file import save_session

FAST = ("--steps", "20", "--size", "240x180")


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["export", *args])
    out, err = capsys.readouterr()
    return code, out, err


def near(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    want = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    values = np.asarray(image.convert("RGB"), dtype=np.int32)
    return int((np.abs(values - want).max(axis=-1) <= tolerance).sum())


def headless_env() -> dict[str, str]:
    """The environment of a machine without a display (and no platform chosen)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gdplayground", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env if env is not None else headless_env(),
    )


@pytest.mark.usefixtures("qapp")
def test_png_of_a_preset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "race.png"
    code, out, err = export(
        capsys, "rosenbrock", "--optimizer", "adam:lr=0.3", *FAST, "-o", str(target)
    )
    assert (code, out, err) == (0, "", "")
    image = Image.open(target)
    assert image.size == (240, 180)
    assert near(image, colour_for("adam")) > 10  # Adam's own colour, as in the window


@pytest.mark.usefixtures("qapp")
def test_gif_of_a_typed_function(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "bowl.gif"
    code, _, err = export(
        capsys,
        "x^2 + 3y^2",
        "--start=2,-1",
        "--optimizer",
        "gd:lr=0.05",
        "--optimizer",
        "gd:lr=0.15",
        *FAST,
        "--frames",
        "8",
        "--fps",
        "5",
        "-o",
        str(target),
    )
    assert (code, err) == (0, "")
    gif = Image.open(target)
    assert gif.n_frames == 8 and gif.size == (240, 180) and gif.info["duration"] == 200


@pytest.mark.usefixtures("qapp")
def test_session_file_with_overrides(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    session = replace(
        default_session(),
        optimizers=(entry_for("rmsprop", {"lr": 0.02}), entry_for("adam", {"lr": 0.05})),
    )
    saved = tmp_path / "demo.gdp.json"
    save_session(session, saved)
    target = tmp_path / "demo.png"
    wide = ("--steps", "20", "--size", "700x400")  # wide enough for the legend
    code, _, err = export(capsys, "--session", str(saved), *wide, "-o", str(target))
    assert (code, err) == (0, "")
    image = Image.open(target)
    assert near(image, session.optimizers[0].color, tolerance=4) > 50  # the session's colours
    assert near(image, session.optimizers[1].color, tolerance=4) > 50

    # options override the file: only the optimizer given on the command line races
    code, _, _ = export(
        capsys, "--session", str(saved), "--optimizer", "gd", *wide, "-o", str(target)
    )
    assert code == 0
    assert near(Image.open(target), session.optimizers[1].color, tolerance=4) == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["rosenbrock", "-o", "{dir}/x.jpg"], "end the file name in .png, .svg or .pdf"),
        (["rosenbrock", "-o", "{dir}/x"], "no suffix"),
        (["rosenbrock", "--view", "surface", "-o", "{dir}/x.svg"], "PNG only"),
        (["rosenbrock", "--view", "loss", "-o", "{dir}/x.gif"], "not animated"),
        (["rosenbrock", "--size", "800", "-o", "{dir}/x.png"], "WIDTHxHEIGHT"),
        (["rosenbrock", "--size", "10x10", "-o", "{dir}/x.png"], "between 64 and 8192"),
        (["rosenbrock", "--size", "axb", "-o", "{dir}/x.png"], "WIDTHxHEIGHT"),
        (["rosenbrock", "-o", "{dir}/missing/x.png"], "does not exist"),
        (["sinn(x)", "-o", "{dir}/x.png"], "did you mean sin"),
        (["x +", "-o", "{dir}/x.png"], "column"),
        (["rosenbrock", "--optimizer", "adamm", "-o", "{dir}/x.png"], "unknown optimizer"),
        (["rosenbrock", "--fps", "5", "-o", "{dir}/x.png"], "--fps applies to animations"),
        (["rosenbrock", "--frames", "5", "-o", "{dir}/x.pdf"], "--frames applies"),
        (["rosenbrock", "--frame", "3", "-o", "{dir}/x.gif"], "--frame picks"),
        (["rosenbrock", "--turn", "-o", "{dir}/x.gif"], "--view surface"),
        (["rosenbrock", "--fps", "70", "-o", "{dir}/x.gif"], "1 to 50"),
        (["rosenbrock", "--size", "321x240", "-o", "{dir}/x.mp4"], "even width"),
        (
            ["rosenbrock", "--start=1,1", "--start=2,2", "-o", "{dir}/x.png"],
            "at most 1 here (a picture shows one start point",
        ),
        (["rosenbrock", "--domain=1,0,0,1", "-o", "{dir}/x.png"], "the x range 1 to 0 is empty"),
        (["x^2", "--domain=-1e308,1e308,-1,1", "-o", "{dir}/x.png"], "keep the window within"),
        (["x^2", "--domain=-1e200,1e200,-1,1", "-o", "{dir}/x.png"], "keep the window within"),
        (["rosenbrock", "--domain=1,2,3", "-o", "{dir}/x.png"], "write 4 numbers"),
        (["rosenbrock", "--steps", "5", "--frame", "9", "-o", "{dir}/x.png"], "frames 0 to 5"),
        (["--session", "{dir}/none.gdp.json", "-o", "{dir}/x.png"], "cannot read"),
        (["-o", "{dir}/x.png"], "give a FUNCTION"),
        (["rosenbrock"], "-o/--output"),
    ],
)
@pytest.mark.usefixtures("qapp")
def test_mistakes_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], fragment: str
) -> None:
    code, out, err = export(capsys, *(a.format(dir=tmp_path) for a in args))
    assert code == 2 and out == ""
    assert err.startswith("gdplayground: error: ") and err.count("\n") == 1
    assert fragment in err
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "x.png").mkdir()
    code, _, err = export(capsys, "rosenbrock", "-o", str(tmp_path / "x.png"))
    assert code == 2 and "is a folder" in err and err.count("\n") == 1


@pytest.mark.usefixtures("qapp")
def test_mp4_without_ffmpeg(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gdplayground.export.animation.find_ffmpeg", lambda: None)
    code, _, err = export(capsys, "rosenbrock", "-o", str(tmp_path / "x.mp4"))
    assert code == 2 and err.count("\n") == 1
    assert "pip install imageio-ffmpeg" in err and "apt install ffmpeg" in err


def test_window_fits_the_start_and_the_paths() -> None:
    settled = np.array([[3.0, 3.0], [1.0, 0.5], [0.0, 0.0]])
    runaway = np.array([[3.0, 3.0], [-2.0, 6.0], [40.0, -80.0], [1e150, 1e150]])
    xmin, xmax, ymin, ymax = fitted_domain((3.0, 3.0), [(settled, False), (runaway, True)])
    for x, y in [*settled, runaway[1]]:
        assert xmin < x < xmax and ymin < y < ymax  # everything near is in sight, with margin
    assert xmax - xmin < 20 and ymax - ymin < 20  # the runaway's far points are not
    tiny = fitted_domain((0.0, 0.0), [(np.zeros((3, 2)), False)])
    assert tiny[1] - tiny[0] >= 1 and tiny[3] - tiny[2] >= 1


# ------------------------------------------------------- whole program runs
def test_headless_png_in_a_fresh_process(tmp_path: Path) -> None:
    """No display, no Qt platform chosen: the 2-D export still works."""
    target = tmp_path / "race.png"
    done = run_cli("export", "rosenbrock", "--optimizer", "newton", *FAST, "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert Image.open(target).size == (240, 180)


def test_bad_function_in_a_fresh_process(tmp_path: Path) -> None:
    done = run_cli("export", "x^^2", "-o", str(tmp_path / "x.png"))
    assert done.returncode == 2
    assert done.stderr.startswith("gdplayground: error: in the function")
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_3d_view_without_opengl_says_how(tmp_path: Path) -> None:
    done = run_cli("export", "rosenbrock", "--view", "surface", "-o", str(tmp_path / "s.png"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "needs OpenGL" in done.stderr and "xvfb-run -a gdplayground export" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_and_run_do_not_load_qt() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from gdplayground.cli import main\n"
        "for argv in (['--help'], ['export', '--help'], ['run', 'x^2', '--steps', '3']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(argv)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_2d_export_does_not_load_opengl(tmp_path: Path) -> None:
    target = tmp_path / "race.png"
    code = (
        "import sys\n"
        "from gdplayground.cli import main\n"
        f"status = main(['export', 'rosenbrock', '--steps', '5', '-o', {str(target)!r}])\n"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'OpenGL'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=headless_env(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0 []" and target.exists()


def test_a_py_file_gets_the_race_as_a_pytorch_script(capsys, tmp_path: Path) -> None:
    target = tmp_path / "race.py"
    code, out, err = export(
        capsys, "himmelblau", "--optimizer", "adam:lr=0.1,schedule=cosine,T_max=100",
        "--optimizer", "newton", "--steps", "40", "-o", str(target),
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert "torch.optim.lr_scheduler.CosineAnnealingLR" in text
    assert "no torch.optim equivalent" in text  # Newton: said, and skipped
    code, _, err = export(capsys, "himmelblau", "--size", "100x100", "-o", str(tmp_path / "b.py"))
    assert code == 2 and "not to a script" in err and not (tmp_path / "b.py").exists()


def test_the_drawing_process_loads_no_sympy_for_the_picture_or_its_views(tmp_path: Path) -> None:
    # the picture comes from a forked worker: unpickling it must not import the runs'
    # classes (and sympy with them), which would cost the drawing process ~0.4 s
    import pickle
    import subprocess
    import sys

    from gdplayground.cli.export import compute_picture
    from gdplayground.cli.parser import build_parser, normalise_argv

    args = build_parser().parse_args(normalise_argv(["export", "rosenbrock", "-o", "x.png"]))
    data = tmp_path / "picture.pickle"
    data.write_bytes(pickle.dumps(compute_picture(args)))
    code = (
        "import pickle, sys; p = pickle.loads(open(sys.argv[1], 'rb').read()); "
        # and the views that draw it (the explore layers' imports once loaded sympy)
        "import gdplayground.export.render, gdplayground.export.animation; "
        "import gdplayground.qt.contour_view, gdplayground.qt.loss_view; "
        "import gdplayground.qt.data_view, gdplayground.qt.surface_view; "
        "print(len(p.paths), 'sympy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5", "False"]
