"""`gdplayground basins`, `sweep` and `critical`: their files, and one line for each mistake."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdplayground.cli import main
from gdplayground.core.explore.layers import ATTRACTOR_COLOURS
from gdplayground.model.session import default_session
from gdplayground.model.session_file import save_session

#: A double well: minima at (-1, 0) and (1, 0), a saddle at (0, 0); gradient descent
#: never changes the sign of x here, so the left half of the plane is one basin.
WELL = "(x^2 - 1)^2 + y^2"
WELL_DOMAIN = "--domain=-2,2,-1,1"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line a refused command prints (exit status 2, nothing on stdout)."""
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("gdplayground: error: "), err
    return err.strip()


# ------------------------------------------------------------------ basins
def test_basins_json_of_a_double_well_splits_the_plane_at_x_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "well.json"
    code, out, err = cli(
        capsys, "basins", WELL, WELL_DOMAIN, "--optimizer", "gd:lr=0.05", "--grid", "20",
        "-o", str(target),
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    doc = json.loads(target.read_text())
    assert doc["grid"] == 20 and doc["domain"] == [-2.0, 2.0, -1.0, 1.0]
    assert doc["optimizer"]["method"] == "gd" and doc["optimizer"]["params"]["lr"] == 0.05
    points = [tuple(round(v, 9) for v in a["point"]) for a in doc["attractors"]]
    assert sorted(points) == [(-1.0, 0.0), (1.0, 0.0)]
    assert all(a["kind"] == "minimum" and a["share"] == 0.5 for a in doc["attractors"])
    left = points.index((-1.0, 0.0))
    labels = np.array(doc["labels"])
    x = np.array(doc["x"])
    assert labels.shape == (20, 20)
    assert (labels[:, x < 0] == left).all() and (labels[:, x > 0] == 1 - left).all()
    assert doc["diverged_share"] == doc["not_converged_share"] == 0.0


def test_basins_json_row_0_is_the_lowest_y_and_runaways_are_minus_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # f = x^2 - y: every run slides up in y until it leaves float64 (diverges) or the steps end
    target = tmp_path / "slope.json"
    code, _, err = cli(
        capsys, "basins", "x^2 + y^2*sign(y)*0 - 1e290*y", "--domain=-1,1,-1,1",
        "--optimizer", "gd:lr=0.1", "--grid", "4", "--steps", "50", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(target.read_text())
    assert doc["y"] == sorted(doc["y"]) and doc["y"][0] < 0
    assert np.array(doc["labels"]).tolist() == [[-1] * 4] * 4 and doc["diverged_share"] == 1.0


def test_basins_csv_has_a_line_per_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "well.csv"
    code, _, err = cli(
        capsys, "basins", WELL, WELL_DOMAIN, "--optimizer", "gd:lr=0.05", "--grid", "6",
        "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0] == ["row", "column", "x", "y", "label", "ended"]
    assert len(rows) == 1 + 36 and {r[5] for r in rows[1:]} == {"minimum"}
    for row in rows[1:]:
        assert (float(row[2]) < 0) == (row[4] == rows[1][4])  # column 0 is on the left


def _share_near(image: Image.Image, colour: str, tolerance: int) -> float:
    want = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    values = np.asarray(image.convert("RGB"), dtype=np.int32)
    return float((np.abs(values - want).max(axis=-1) <= tolerance).mean())


@pytest.mark.usefixtures("qapp")
def test_basins_png_draws_the_map_under_the_paths(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "well.png"
    code, out, err = cli(
        capsys, "basins", WELL, WELL_DOMAIN, "--optimizer", "gd:lr=0.05", "--grid", "40",
        "--start=0.5,0.5", "--size", "400x300", "-o", str(target),
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    image = Image.open(target)
    assert image.size == (400, 300)
    # each basin covers much of the plot, in its attractor's colour (washed a little
    # by the fill under it)
    for colour in ATTRACTOR_COLOURS[:2]:
        assert _share_near(image, colour, 45) > 0.1


def test_a_typed_function_is_mapped_in_the_window_export_would_draw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "bowl.json"
    code, _, err = cli(
        capsys, "basins", "x^2 + y^2", "--optimizer", "gd:lr=0.1", "--start=3,4", "--grid", "5",
        "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    xmin, xmax, ymin, ymax = json.loads(target.read_text())["domain"]
    # around the start and the path to the minimum, with a margin
    assert xmin < 0 < 3 < xmax and ymin < 0 < 4 < ymax and xmax - xmin < 10


def test_basins_from_a_session_with_one_optimizer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    session = default_session()
    one = type(session)(**{**session.__dict__, "optimizers": session.optimizers[:1]})
    save_session(one, tmp_path / "one.gdp.json")
    target = tmp_path / "map.json"
    code, _, err = cli(
        capsys, "basins", "--session", str(tmp_path / "one.gdp.json"), "--grid", "3",
        "--steps", "10", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(target.read_text())
    assert doc["optimizer"]["method"] == "gd" and doc["domain"] == list(session.domain)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("basins", WELL, "-o", "m.json"), "give the optimizer to map, e.g. --optimizer adam"),
        (
            ("basins", WELL, "--optimizer", "gd", "--optimizer", "adam", "-o", "m.json"),
            "a basin map is of one optimizer",
        ),
        (("basins", WELL, "--optimizer", "gd", "--grid", "1001", "-o", "m.json"), "2 to 1000"),
        (("basins", WELL, "--optimizer", "gd", "--grid", "ten", "-o", "m.json"), "whole number"),
        (("basins", WELL, "--optimizer", "gd", "-o", "m.txt"), "writes .png, .json or .csv"),
        (("basins", WELL, "--optimizer", "gd", "-o", ""), "give the name of the file"),
        (("basins", WELL, "--optimizer", "gd", "--size", "90x90", "-o", "m.json"), "--size"),
        (("basins", WELL, "--optimizer", "adamm", "-o", "m.json"), "unknown optimizer 'adamm'"),
        (("basins", "sinn(x)", "--optimizer", "gd", "-o", "m.json"), "did you mean sin"),
        (
            (
                "basins",
                WELL,
                "--optimizer",
                "gd",
                "--grid",
                "1000",
                "--steps",
                "100000",
                "-o",
                "m.json",
            ),
            "too much work",
        ),  # fmt: skip
        (("basins", WELL, "--optimizer", "gd", "--domain=1,0,0,1", "-o", "m.json"), "empty"),
        (("sweep", WELL, "--lr", "1,0.1", "-o", "s.json"), "0 < LOW < HIGH"),
        (("sweep", WELL, "--lr", "small,1", "-o", "s.json"), "is not a number"),
        (("sweep", WELL, "--lr", "1e-4", "-o", "s.json"), "write 2 numbers"),
        (("sweep", WELL, "--points", "1", "-o", "s.json"), "2 to 1000"),
        (("sweep", WELL, "--optimizer", "adam", "--lr", "1e-4,1e4", "-o", "s.json"), "lr=10000"),
        (("sweep", WELL, "-o", "s.csv"), "writes .png or .json"),
        (("critical", WELL, "--domain=0,0,0,1"), "empty"),
        (("critical", "x +"), "expected a value after '+'"),
        (("critical",), "give a FUNCTION"),
        (("basins", "--fit", "linear", "--optimizer", "gd", "-o", "m.json"), "not a fit to data"),
        (("sweep", "--fit", "linear", "-o", "s.json"), "not a fit to data"),
    ],
)
def test_every_mistake_is_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch, args, words
) -> None:
    monkeypatch.chdir(tmp_path)
    line = refused(capsys, *args)
    assert words in line
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_folder_is_not_a_file_to_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "out.json"
    folder.mkdir()
    assert "folder" in refused(capsys, "basins", WELL, "--optimizer", "gd", "-o", str(folder))


# ------------------------------------------------------------------ sweep
def test_sweep_json_gradient_descent_diverges_above_two_over_l(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # f = x^2 + 2y^2: L = 4, so gradient descent diverges for lr > 2/L = 0.5 (rates a
    # fifth of a decade apart: none so close to 0.5 that 200 steps could not tell)
    target = tmp_path / "sweep.json"
    code, _, err = cli(
        capsys, "sweep", "x^2 + 2*y^2", "--optimizer", "gd", "--optimizer", "adam",
        "--lr", "0.01,1", "--points", "11", "--start=1,1", "--steps", "200", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(target.read_text())
    assert [o["method"] for o in doc["optimizers"]] == ["gd", "adam"]
    gd = doc["optimizers"][0]
    lrs = np.array(gd["lrs"])
    assert len(lrs) == 11 and lrs[0] == 0.01 and lrs[-1] == 1.0
    diverged = np.array([s == "diverged" for s in gd["runs"][0]["statuses"]])
    assert (diverged == (lrs > 0.5)).all()
    assert gd["best_lr"] is not None and gd["best_lr"] < 0.5
    assert gd["runs"][0]["start"] == [1.0, 1.0]


@pytest.mark.usefixtures("qapp")
def test_sweep_png_is_the_sweep_view(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "sweep.png"
    code, out, err = cli(
        capsys, "sweep", "rosenbrock", "--optimizer", "gd", "--optimizer", "adam:lr=0.1",
        "--points", "8", "--steps", "50", "--size", "500x400", "-o", str(target),
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    image = Image.open(target)
    assert image.size == (500, 400)
    assert _share_near(image, "#785EF0", 30) > 0.001  # Adam's curve in Adam's colour


# ------------------------------------------------------------------ critical
def test_critical_finds_and_names_the_points_of_a_cubic(capsys: pytest.CaptureFixture[str]) -> None:
    # x^3 - 3x + y^2: a minimum at (1, 0) (f = -2), a saddle at (-1, 0) (f = 2)
    code, out, err = cli(capsys, "critical", "x^3 - 3*x + y^2", "--domain=-2,2,-2,2")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["counts"] == {"minimum": 1, "saddle": 1, "maximum": 0, "degenerate": 0}
    low, high = doc["points"]
    assert (low["kind"], low["x"], low["y"], low["f"]) == ("minimum", 1.0, 0.0, -2.0)
    assert (high["kind"], high["x"], high["y"], high["f"]) == ("saddle", -1.0, 0.0, 2.0)
    assert low["eigenvalues"] == [2.0, 6.0] and high["eigenvalues"] == [-6.0, 2.0]


def test_critical_csv_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "points.csv"
    code, out, err = cli(capsys, "critical", "himmelblau", "--format", "csv", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0] == ["x", "y", "f", "kind", "eigenvalue_1", "eigenvalue_2"]
    kinds = [r[3] for r in rows[1:]]
    assert (kinds.count("minimum"), kinds.count("saddle"), kinds.count("maximum")) == (4, 4, 1)
