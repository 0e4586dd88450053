"""A fit to data on the command line: run's JSON and CSV, export's data view, one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdplayground.cli import main
from gdplayground.core.data.batches import draw_batches
from gdplayground.core.data.generators import generate


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("gdplayground: error: "), err
    return err[len("gdplayground: error: ") :].strip()


def test_run_a_fit_preset_writes_data_batches_and_examples(capsys) -> None:
    code, out, err = call(
        capsys,
        "run",
        "--fit",
        "linear",
        "--optimizer",
        "gd:lr=0.05,batch_size=16",
        "--optimizer",
        "gd:lr=0.05,batch_size=full",
        "--steps",
        "30",
        "--seed",
        "4",
        "--record-batches",
    )
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["fit"] == {"preset": "linear", "model": "w*x + b", "loss": "(m - y)^2"}
    assert doc["data"] == {
        "source": "line (n=200, noise=1, seed=0)",
        "n": 200,
        "columns": ["x", "y"],
    }
    assert doc["seed"] == 4
    mini, full = doc["runs"]
    assert mini["batch_size"] == 16 and full["batch_size"] == "full"
    sizes = ([16] * 12 + [8]) * 2 + [16] * 4  # 200 = 12 x 16 + 8: 13 steps an epoch
    assert mini["examples"] == np.concatenate([[0], np.cumsum(sizes)]).tolist()
    assert len(mini["batch_values"]) == 30 and len(mini["points"]) == 31
    expected = draw_batches(200, 16, 4, 30)  # DataLoader's order for seed 4
    assert mini["batches"] == [expected.batch(k).tolist() for k in range(1, 31)]
    assert [len(b) for b in mini["batches"][:13]] == [16] * 12 + [8]
    assert mini["examples"][13] == 200
    assert full["batches"] == [list(range(200))] * 30  # full-batch runs list theirs too
    # values and gradient norms stay full-data: the loss at the start, by hand
    data = generate("line", 200, 1.0, 0)
    w, b = mini["points"][0]
    residual = w * data.column("x") + b - data.column("y")
    assert mini["values"][0] == pytest.approx(np.mean(residual**2), rel=1e-12)
    assert full["batch_values"] == full["values"][:-1]


def test_without_record_batches_there_is_no_batches_list(capsys) -> None:
    code, out, _ = call(capsys, "run", "--dataset", "line:n=50", "--steps", "5")
    runs = json.loads(out)["runs"]
    assert code == 0 and all("batches" not in run for run in runs)
    assert [run["batch_size"] for run in runs] == ["full", 1, 16, 16]


def test_a_fit_as_csv(capsys) -> None:
    code, out, _ = call(
        capsys, "run", "--fit", "linear", "--optimizer", "gd:batch_size=4", "--steps", "3",
        "--format", "csv",
    )  # fmt: skip
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "optimizer,run,step,w,b,loss,grad_norm,examples,batch_loss"
    assert [line.split(",")[7] for line in lines[1:]] == ["0", "4", "8", "12"]
    assert lines[-1].endswith(",")  # no batch after the last point


def test_your_own_csv_with_its_own_column_names(capsys, tmp_path: Path) -> None:
    csv = tmp_path / "study.csv"
    csv.write_text("hours,score\n1,52\n2,61\n3,68\n4,81\n5,88\n")
    code, out, err = call(
        capsys, "run", "--data", str(csv), "--model", "w*hours + b", "--loss", "(m - score)^2",
        "--optimizer", "newton:batch_size=full", "--steps", "3",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["columns"] == ["hours", "score"] and doc["data"]["n"] == 5
    w, b = doc["runs"][0]["points"][1]  # one Newton step on a quadratic: least squares
    np.testing.assert_allclose([w, b], np.polyfit([1, 2, 3, 4, 5], [52, 61, 68, 81, 88], 1))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--data", "BAD"), "--data: bad.csv: row 3, column 2 (y): 'tall' is not a number"),
        (("--dataset", "line", "--model", "w*z + b"), "in the model: column 3: unknown name 'z'"),
        (("--fit", "linear", "--loss", "(m - y"), "in the loss: column"),
        (("--fit", "linear", "--optimizer", "gd:batch_size=0"), "--optimizer gd: batch_size=0"),
        (("x^2", "--record-batches"), "--record-batches lists a fit's batches"),
        (("--fit", "quadratic"), "--fit 'quadratic': choose one of linear"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(capsys, tmp_path: Path, args, message) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,tall\n")
    args = tuple(str(bad) if a == "BAD" else a for a in args)
    code, out, err = call(capsys, "run", *args)
    assert code == 2 and out == ""
    assert one_line(err).startswith(message)


def test_export_the_data_view(capsys, tmp_path: Path) -> None:
    target = tmp_path / "data.png"
    code, _, err = call(
        capsys, "export", "--fit", "logistic", "--view", "data", "--steps", "20",
        "--size", "320x240", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    image = Image.open(target)
    assert image.size == (320, 240)
    colours = {c for _, c in image.convert("RGB").getcolors(320 * 240)}
    assert (0, 0, 0) in colours or len(colours) > 20  # points, curves and text were drawn
    svg = tmp_path / "data.svg"
    code, _, err = call(
        capsys, "export", "--fit", "linear", "--view", "data", "--steps", "5", "-o", str(svg)
    )
    assert code == 0, err
    assert "<svg" in svg.read_text()
    gif = tmp_path / "data.gif"
    code, _, err = call(
        capsys, "export", "--fit", "linear", "--view", "data", "--steps", "8",
        "--size", "200x160", "-o", str(gif),
    )  # fmt: skip
    assert code == 0, err
    assert Image.open(gif).n_frames == 9


def test_the_data_view_of_a_function_is_refused(capsys, tmp_path: Path) -> None:
    code, _, err = call(
        capsys, "export", "x^2+y^2", "--view", "data", "-o", str(tmp_path / "a.png")
    )
    assert code == 2
    assert one_line(err).startswith("--view data shows a fit to data")


def test_the_streamed_fit_json_is_what_json_writes(capsys) -> None:
    from gdplayground.cli.run import _fit_runs
    from gdplayground.export.data import fit_head, run_to_dict, write_document
    from gdplayground.model.build import SessionOptions, build_session

    built = build_session(
        SessionOptions(dataset="two_classes:n=30", optimizers=("adam:batch_size=7", "lbfgs"))
    )
    data, runs = _fit_runs(built, True)
    out = io.StringIO()
    write_document(out, fit_head(built.session, data), runs)
    whole = {**fit_head(built.session, data), "runs": [run_to_dict(r) for r in runs]}
    assert out.getvalue() == json.dumps(whole, indent=1) + "\n"
