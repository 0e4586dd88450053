"""Basin maps computed by worker processes are the maps computed here, to the last bit."""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np
import pytest

from gdplayground.core.explore.basin_pool import BasinPool, start_pool
from gdplayground.core.explore.basins import (
    BasinMap,
    BasinRequest,
    compute_basin_map,
    iter_basin_maps,
    row_chunks,
    run_rows,
)
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.model.presets import load_presets

PRESET = load_presets()["himmelblau"]
REQUEST = BasinRequest(PRESET.formula, make_config("adam"), PRESET.domain, 48, 150)


def _same(a: BasinMap, b: BasinMap) -> None:
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.attractors == b.attractors


@pytest.fixture(scope="module")
def here() -> BasinMap:
    return compute_basin_map(REQUEST)


@pytest.fixture(scope="module")
def pool():
    pool = start_pool(2)
    if pool is None:
        pytest.skip("worker processes cannot start here")
    assert pool.wait_ready(120)
    yield pool
    pool.shutdown()


class FakePool:
    """Chunks computed at once in this process (or failing), as a pool would hand them back."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.ready = True
        self.capacity = 3
        self.submitted: list[tuple[int, int]] = []
        self.futures: list[Future] = []

    def submit(self, request: BasinRequest, rows: tuple[int, int]) -> Future | None:
        self.submitted.append(rows)
        future: Future = Future()
        if self.fail:
            future.set_exception(RuntimeError("the worker died"))
        else:
            future.set_result(run_rows(compile_function(request.function), request, rows))
        self.futures.append(future)
        return future

    def failed(self) -> None:
        self.ready = False


def test_worker_processes_compute_the_same_map(here: BasinMap, pool: BasinPool) -> None:
    _same(compute_basin_map(REQUEST, pool=pool), here)


def test_every_chunk_but_the_first_goes_to_a_ready_pool(here: BasinMap) -> None:
    fake = FakePool()
    _same(compute_basin_map(REQUEST, pool=fake), here)
    assert fake.submitted == row_chunks(REQUEST.size, REQUEST.steps)[1:]


def test_a_failing_pool_leaves_the_map_to_this_process(here: BasinMap) -> None:
    fake = FakePool(fail=True)
    _same(compute_basin_map(REQUEST, pool=fake), here)
    assert not fake.ready and len(fake.submitted) <= fake.capacity


def test_a_pool_not_ready_yet_is_not_waited_for(here: BasinMap) -> None:
    fake = FakePool()
    fake.ready = False
    _same(compute_basin_map(REQUEST, pool=fake), here)
    assert fake.submitted == []


def test_cancelling_cancels_the_chunks_under_way() -> None:
    class Stop(Exception):
        pass

    class Slow(FakePool):
        def submit(self, request: BasinRequest, rows: tuple[int, int]) -> Future | None:
            self.submitted.append(rows)
            future: Future = Future()  # never finishes
            self.futures.append(future)
            return future

    slow = Slow()
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 20:
            raise Stop

    with pytest.raises(Stop):
        for _ in iter_basin_maps(REQUEST, check=check, pool=slow):
            pass
    assert slow.futures and all(f.cancelled() for f in slow.futures)


def test_a_stopped_pool_is_not_ready_and_takes_nothing(pool: BasinPool) -> None:
    stopped = BasinPool(1)
    stopped.start()
    stopped.shutdown()
    assert not stopped.ready
    assert stopped.submit(REQUEST, (0, 1)) is None
