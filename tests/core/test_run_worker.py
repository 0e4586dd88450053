"""The run worker: optimizers in a second process give the very same scene, or none."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from gdplayground.core.run_worker import RunWorker
from gdplayground.core.scene import Cancelled, build_scene
from gdplayground.model.presets import load_presets
from gdplayground.model.session import default_session, entry_for


@pytest.fixture(scope="module")
def worker():
    worker = RunWorker()
    worker.start()
    assert worker.wait_ready(60), "the worker process did not start"
    yield worker
    worker.shutdown()


def _same_runs(a, b) -> None:
    assert len(a.runs) == len(b.runs)
    for mine, theirs in zip(a.runs, b.runs, strict=True):
        if mine is None or theirs is None:
            assert mine is theirs
            continue
        for name in ("points", "values", "gradients", "grad_norms"):
            np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name))
        assert (mine.status, mine.stopped_at, mine.stationary) == (
            theirs.status,
            theirs.stopped_at,
            theirs.stationary,
        )


@pytest.mark.parametrize("preset", ["himmelblau", "ackley", "goldstein_price"])
@pytest.mark.parametrize("gradient", ["symbolic", "numeric"])
def test_runs_from_the_worker_are_the_runs_computed_here(worker, preset, gradient) -> None:
    session = replace(
        default_session(), function=load_presets()[preset].formula, gradient=gradient, steps=150
    )
    used = []

    def start_runs(s, configs):
        pending = worker.submit(s, configs, generation=1)
        used.append(pending is not None)
        return pending

    worker.supersede(1)
    there = build_scene(session, start_runs=start_runs, resolution=40)
    here = build_scene(session, resolution=40)
    assert used == [True]
    _same_runs(there, here)
    if gradient == "numeric":  # the numeric gradient's error is still worked out here
        assert there.gradient_errors.keys() == here.gradient_errors.keys()
        for key, mine in there.gradient_errors.items():
            np.testing.assert_array_equal(mine, here.gradient_errors[key])


def test_only_the_runs_a_scene_lacks_go_to_the_worker(worker) -> None:
    session = default_session()
    first = build_scene(session, resolution=40)
    entries = list(session.optimizers)
    entries[0] = replace(entries[0], params={**entries[0].params, "lr": 2e-3})
    edited = replace(session, optimizers=tuple(entries))
    sent = []

    def start_runs(s, configs):
        sent.append([c.name for c in configs])
        return worker.submit(s, configs, generation=2)

    worker.supersede(2)
    scene = build_scene(edited, first, start_runs=start_runs, resolution=40)
    assert sent == [[entries[0].method]]
    assert scene.runs[1] is first.runs[1]  # the others are reused as they were
    _same_runs(scene, build_scene(edited, resolution=40))


def test_superseded_runs_stop_and_the_caller_is_cancelled(worker) -> None:
    # a long race: the worker stops at its next check once a newer request exists
    session = replace(
        default_session(),
        optimizers=tuple(entry_for("gd", {"lr": 1e-5}) for i in range(6)),
        steps=1_000_000,
        tol=0.0,
    )
    worker.supersede(3)
    pending = worker.submit(session, [e.config for e in session.optimizers], generation=3)
    assert pending is not None
    worker.supersede(4)
    newest = [3]

    def check() -> None:
        if newest[0] != 3:
            raise Cancelled

    newest[0] = 4
    with pytest.raises(Cancelled):
        pending.result(check)
    # the worker is free again soon for the newer request (the old race would take ~1 min)
    quick = replace(default_session(), steps=20)
    started = time.perf_counter()
    again = worker.submit(quick, [e.config for e in quick.optimizers], generation=4)
    assert again is not None and again.result(lambda: None) is not None
    assert time.perf_counter() - started < 10


def test_without_a_ready_worker_the_runs_are_computed_here() -> None:
    worker = RunWorker()  # never started
    session = replace(default_session(), steps=30)
    assert worker.submit(session, [e.config for e in session.optimizers], 1) is None
    scene = build_scene(session, start_runs=lambda s, c: worker.submit(s, c, 1), resolution=30)
    _same_runs(scene, build_scene(session, resolution=30))


def test_a_worker_that_died_leaves_the_runs_to_the_caller() -> None:
    worker = RunWorker()
    worker.start()
    assert worker.wait_ready(60)
    worker._executor._processes.copy().popitem()[1].kill()  # the process dies
    session = replace(default_session(), steps=30)
    scene = build_scene(session, start_runs=lambda s, c: worker.submit(s, c, 0), resolution=30)
    _same_runs(scene, build_scene(session, resolution=30))
    assert not worker.ready
    worker.shutdown()
