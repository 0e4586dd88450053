"""Limits mean what they say: memory and time are budgeted before anything is computed."""

from __future__ import annotations

import re
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from gdplayground.cli import main
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.core.trajectory import run_many
from gdplayground.model.budget import run_bytes
from gdplayground.model.limits import BYTES_PER_POINT, MAX_POINT_STEPS
from gdplayground.model.rules import session_problems, work_problem
from gdplayground.model.session import default_session, entry_for
from gdplayground.model.session_file import session_from_json, session_to_json


@pytest.mark.parametrize(
    ("methods", "starts", "steps"),
    [(["gd"], 64, 3000), (["adam"], 64, 3000), (["gd", "momentum", "adam", "newton"], 2, 20000)],
)
def test_the_bytes_per_point_cover_what_a_run_really_takes(methods, starts, steps) -> None:
    objective = compile_function("x^2 + 3*y^2 + x*y")
    configs = [make_config(m) for m in methods]
    tracemalloc.start()
    try:
        runs = run_many(objective, configs, np.tile([[1.0, 1.0]], (starts, 1)), steps, 0.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    points = sum(len(t.points) for group in runs for t in group)
    assert points == len(methods) * starts * (steps + 1)  # tol 0: every step is kept
    assert peak <= run_bytes(len(methods) * starts, steps) + 1_000_000


def test_a_request_over_the_memory_budget_is_refused_before_it_allocates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's case: inside the old point limit, yet it grew past 8 GB."""
    args = ["run", "x^2+y^2", "--optimizer", "gd", "--steps", "100000", "--tol", "0"]
    args += ["--start=1,1"] * 199
    tracemalloc.start()
    try:
        code = main(args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "199 runs x 100,000 steps is too much work" in err and "GB of memory" in err
    assert peak < 50_000_000  # nothing of the 2.5 GB was allocated
    most = int(re.search(r"use at most ([\d,]+) steps", err).group(1).replace(",", ""))
    assert work_problem(["gd"], 199, most) is None  # what it suggests is accepted
    assert work_problem(["gd"], 199, most + 1) is not None


def test_a_session_over_the_time_budget_is_refused_with_what_to_lower() -> None:
    newtons = tuple(entry_for("newton", {"lr": 0.5 - i / 1000}) for i in range(64))
    heavy = replace(default_session(), optimizers=newtons, steps=40_000, tol=0.0)
    assert 64 * 40_001 < MAX_POINT_STEPS  # within the memory budget, but minutes to compute
    problems = dict(session_problems(heavy))
    assert "minutes of computing" in problems["steps"] and "use at most" in problems["steps"]
    with pytest.raises(Exception, match="too much work"):
        session_from_json(session_to_json(heavy))
    gd = tuple(entry_for("gd", {"lr": 1e-3 + i / 1e5}) for i in range(64))
    minutes = replace(heavy, optimizers=gd, steps=MAX_POINT_STEPS // 64 - 1)
    assert work_problem(["gd"] * 64, 1, minutes.steps) is None
    assert BYTES_PER_POINT * MAX_POINT_STEPS <= 600_000_000  # about half a gigabyte at most


def test_lbfgs_is_budgeted_per_run_at_its_worst_case() -> None:
    # L-BFGS steps each run on its own in Python (up to 20 iterations through a
    # 100-pair history each step): 20,000 steps may take minutes where gradient
    # descent takes a second.
    assert work_problem(["gd"], 1, 20_000) is None
    err = work_problem(["lbfgs"], 1, 20_000)
    assert err is not None and "minutes of computing" in err
    most = int(re.search(r"use at most ([\d,]+) steps", err).group(1).replace(",", ""))
    assert work_problem(["lbfgs"], 1, most) is None
    assert work_problem(["lbfgs"], 4, most) is not None  # four starts cost four times as much
