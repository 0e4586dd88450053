"""`gdplayground run`: trajectories as JSON or CSV; one clear line for every mistake."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gdplayground.cli import main
from gdplayground.model.limits import DEFAULT_STEPS
from gdplayground.model.session import default_entries


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_defaults_run_all_first_order_optimizers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "run", "x^2 + 2y^2")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["function"] == "x^2 + 2y^2" and doc["gradient"] == "symbolic"
    # the same race, names and hyperparameters as the window's first launch
    defaults = default_entries()
    assert [r["method"] for r in doc["runs"]] == [e.method for e in defaults]
    assert [r["optimizer"] for r in doc["runs"]] == [e.name for e in defaults]
    assert [r["params"] for r in doc["runs"]] == [e.params for e in defaults]
    assert all(
        len(r["points"]) == DEFAULT_STEPS + 1 for r in doc["runs"] if r["status"] == "max_steps"
    )
    for r in doc["runs"]:
        assert r["start"] == [-1.5, 2.0] and r["points"][0] == [-1.5, 2.0]
        assert len(r["points"]) == len(r["values"]) == len(r["grad_norms"]) == r["steps"] + 1
        assert r["status"] in ("converged", "diverged", "max_steps")
        assert r["params"]["lr"] > 0


def test_every_optimizer_runs_from_every_start(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "run",
        "rosenbrock",
        "--optimizer",
        "adam:lr=0.1,beta1=0.8",
        "--optimizer",
        "gd",
        "--start=-1.5,2",
        "--start",
        "-0.5,-0.5",
        "--steps",
        "25",
        "--tol",
        "0",
    )
    assert code == 0
    runs = json.loads(out)["runs"]
    assert [(r["optimizer"], r["start"]) for r in runs] == [
        ("Adam", [-1.5, 2.0]),
        ("Adam", [-0.5, -0.5]),
        ("Gradient descent", [-1.5, 2.0]),
        ("Gradient descent", [-0.5, -0.5]),
    ]
    assert runs[0]["params"] == {
        "lr": 0.1,
        "beta1": 0.8,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": 0.0,
    }
    assert all(len(r["points"]) == 26 and r["status"] == "max_steps" for r in runs)


def test_numeric_gradient_is_close_to_symbolic(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("run", "sin(x)cos(y) + x^2/10", "--optimizer", "gd:lr=0.1", "--steps", "20")
    sym = json.loads(run(capsys, *args)[1])["runs"][0]
    num = json.loads(run(capsys, *args, "--gradient", "numeric", "--h", "1e-6")[1])
    assert num["gradient"] == "numeric"
    for a, b in zip(sym["points"], num["runs"][0]["points"], strict=True):
        assert a == pytest.approx(b, abs=1e-6)


def test_csv_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "runs.csv"
    code, out, _ = run(
        capsys,
        "run",
        "x^2+y^2",
        "--optimizer",
        "gd:lr=0.1",
        "--optimizer",
        "momentum",
        "--steps",
        "5",
        "--tol",
        "0",
        "--format",
        "csv",
        "-o",
        str(target),
    )
    assert code == 0 and out == ""
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0] == ["optimizer", "run", "step", "x", "y", "f", "grad_norm"]
    assert len(rows) == 1 + 2 * 6
    assert rows[1][:3] == ["Gradient descent", "0", "0"] and rows[7][:3] == ["Momentum", "1", "0"]
    x, y, f = (float(v) for v in rows[2][3:6])
    assert f == pytest.approx(x * x + y * y)


def test_diverging_run_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "x^2 + y^2", "--optimizer", "gd:lr=3", "--steps", "500")
    r = json.loads(out)["runs"][0]
    assert code == 0 and r["status"] == "diverged"
    assert r["steps"] < 500 and r["stopped_at"] == r["steps"] + 1
    assert all(v is not None for v in r["values"])


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "sinn(x)"], "did you mean sin"),
        (["run", "x +"], "column"),
        (["run", "9^9^9^9"], "function"),
        (["run", "x^2", "--optimizer", "adamm"], "unknown optimizer 'adamm'"),
        (["run", "x^2", "--optimizer", "adam:betas=0.9"], "no hyperparameter 'betas'"),
        (["run", "x^2", "--optimizer", "adam:lr=0"], "out of range"),
        (["run", "x^2", "--optimizer", "gd:lr=-1"], "out of range"),
        (["run", "x^2", "--optimizer", "gd:lr=fast"], "lr must be a number, not 'fast'"),
        (["run", "x^2", "--optimizer", "gd:lr"], "key=value"),
        (["run", "x^2", "--start=nan,0"], "finite"),
        (["run", "x^2", "--start=inf,0"], "finite"),
        (["run", "x^2", "--start=1"], "write 2 numbers"),
        (["run", "x^2", "--start=1e11,0"], "keep the start within"),
        (["run", "x^2", "--steps", "-3"], "negative"),
        (["run", "x^2", "--steps", "ten"], "whole number"),
        (["run", "x^2", "--tol", "-1"], "tol must be 0 or more"),
        (["run", "x^2", "--gradient", "numeric", "--h", "0"], "greater than 0"),
        (["run", "x^2", "--h", "0.1"], "only applies to --gradient numeric"),
        (["run", "x^2", "--start=1e12,0"], "keep the start within ±1e+10"),
        (["run", "x^2", "--h", "0.1"], "--gradient numeric"),
        (["run", "x^2", "--gradient", "exact"], "invalid choice"),
        (["run", "x^2", "--format", "xml"], "invalid choice"),
        (["run"], "FUNCTION"),
        (["run", "x^2", "--bogus"], "unrecognized"),
        (["run", "x^2", "-o", "/nonexistent/dir/out.json"], "does not exist"),
        (["run", "x^2", "--steps", "100000", "--start=1,1"] + ["--start=2,2"] * 40, "too much"),
    ],
)
def test_bad_input_gives_one_line_and_status_2(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdplayground: error: ")
    assert fragment in err
    assert "Traceback" not in err and "usage:" not in err


def test_negative_start_without_equals_sign(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "x^2", "--start", "-1.5,-2", "--steps", "1")
    assert code == 0 and json.loads(out)["runs"][0]["start"] == [-1.5, -2.0]


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_console_entry_point_and_module_both_work(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gdplayground")
    for cmd in ([str(exe)], [sys.executable, "-m", "gdplayground"]):
        done = subprocess.run(
            [*cmd, "run", "x^2+y^2", "--steps", "3", "--optimizer", "gd"],
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(),
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["runs"][0]["steps"] == 3
        bad = subprocess.run(
            [*cmd, "run", "x^2", "--optimizer", "nope"],
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(),
        )
        assert bad.returncode == 2
        assert bad.stderr.splitlines() == [
            "gdplayground: error: unknown optimizer 'nope': choose one of gd, momentum, "
            "nesterov, adagrad, rmsprop, adam, adamw, nadam, radam, adamax, adadelta, "
            "rprop, asgd, lbfgs, newton"
        ]


def test_a_function_that_starts_with_a_minus_is_read_as_the_function(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "run", "-(x-1)^2 - y^2", "--optimizer", "gd", "--steps", "2")
    assert code == 0, err
    assert json.loads(out)["function"] == "-(x-1)^2 - y^2"
    code, out, err = run(capsys, "run", "--optimizer", "gd", "-x^2", "--tol", "0", "--steps", "1")
    assert code == 0 and json.loads(out)["function"] == "-x^2"
    code, _, err = run(capsys, "run", "x^2", "--tol", "-1")
    assert code == 2 and "--tol" in err  # an option's negative value stays its value


def test_many_optimizers_are_raced_in_one_batch_with_the_same_results(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gdplayground.core.gradients import compile_function
    from gdplayground.core.optimizers import make_config
    from gdplayground.core.trajectory import run_trajectory

    code, out, _ = run(capsys, "run", "rosenbrock", "--steps", "50", "--start=0.5,-0.5")
    runs = json.loads(out)["runs"]
    obj = compile_function("(1 - x)^2 + 100*(y - x^2)^2")
    for r in runs:
        alone = run_trajectory(obj, make_config(r["method"], r["params"]), (0.5, -0.5), steps=50)
        assert r["points"] == alone.points.tolist()


def test_explain_writes_out_one_step_with_the_run_s_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys,
        "explain",
        "rosenbrock",
        "--optimizer",
        "adam:lr=0.1",
        "--step",
        "3",
        "--format",
        "json",
    )
    assert code == 0, err
    told = json.loads(out)["optimizers"][0]
    code, out, _ = run(capsys, "run", "rosenbrock", "--optimizer", "adam:lr=0.1", "--steps", "3")
    points = json.loads(out)["runs"][0]["points"]
    assert told["values"]["point"] == points[2] and told["values"]["new_point"] == points[3]
    assert any(line.startswith("m ← 0.9·m") for line in told["lines"])
    code, out, err = run(capsys, "explain", "rosenbrock", "--step", "0")
    assert code == 2 and "counted from 1" in err
