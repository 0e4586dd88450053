"""The gradient fan: batch gradients at a point, around the full-data gradient."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gdplayground.core.data.batches import draw_batches
from gdplayground.core.data.fan import FAN_BATCHES, FAN_MIN_BATCHES, GradientFan, fan_size
from gdplayground.core.picture import fan_path, picture_from_scene
from gdplayground.core.scene import build_scene
from gdplayground.model.build import SessionOptions, build_session


def scene(**options):
    session = build_session(SessionOptions(**options)).session
    return build_scene(session, resolution=20, with_surface=False)


@pytest.fixture(scope="module")
def line():
    """A linear fit on 300 noisy points, its data as plain arrays."""
    s = scene(dataset="line:n=300,noise=1,seed=4", steps="3")
    data = s.landscape.objective.data
    return s, data.column("x"), data.column("y")


def squared_error_gradient(x, y, w, b):
    """d/dw, d/db of mean (w x + b - y)^2, written out by hand."""
    r = w * x + b - y
    return np.array([np.mean(2 * r * x), np.mean(2 * r)])


def test_each_batch_gradient_is_the_mean_over_the_batches_a_run_draws(line) -> None:
    s, x, y = line
    fan = s.landscape.fan
    assert isinstance(fan, GradientFan)
    w, b = 0.3, -1.2
    got = fan.at(w, b, 8, seed=5)
    np.testing.assert_allclose(got.full, squared_error_gradient(x, y, w, b), rtol=1e-12)
    assert len(got.batches) == FAN_BATCHES
    drawn = draw_batches(300, 8, 5, FAN_BATCHES)  # 300/8: the first 16 are all full size
    for k, g in enumerate(got.batches):
        rows = drawn.batch(k + 1)
        np.testing.assert_allclose(g, squared_error_gradient(x[rows], y[rows], w, b), rtol=1e-12)


def test_the_spread_shrinks_as_the_batch_grows_and_vanishes_for_the_full_batch(line) -> None:
    s, _, _ = line
    fan = s.landscape.fan
    spreads = [fan.at(0.0, 0.0, size, seed=0).spread for size in (1, 4, 32, 150)]
    assert all(a > b for a, b in zip(spreads, spreads[1:], strict=False)), spreads
    full = fan.at(0.0, 0.0, None, seed=0)
    assert full.batch_size is None and full.spread == 0.0
    np.testing.assert_array_equal(full.batches, full.full[None])
    assert fan.at(0.0, 0.0, 300, seed=0).spread == 0.0  # a batch of every example


def test_batches_that_end_an_epoch_short_are_left_out(line) -> None:
    s, _, _ = line
    rows = s.landscape.fan.batch_indices(7, seed=1)  # 300 = 42 * 7 + 6
    assert rows.shape == (FAN_BATCHES, 7)
    rows = s.landscape.fan.batch_indices(140, seed=1)  # 2 full batches an epoch
    assert rows.shape[1] == 140 and len(rows) == fan_size(140)
    assert all(len(set(r)) == 140 for r in rows)


def test_large_batches_make_a_smaller_fan_never_fewer_than_three() -> None:
    assert fan_size(1) == fan_size(64) == FAN_BATCHES
    assert fan_size(100_000) == FAN_MIN_BATCHES
    assert FAN_MIN_BATCHES < fan_size(30_000) < FAN_BATCHES


def test_the_fan_survives_pickling_for_the_drawing_process(line) -> None:
    s, _, _ = line
    fan = s.landscape.fan
    again = pickle.loads(pickle.dumps(fan))
    a, b = fan.at(1.0, 2.0, 5, seed=3), again.at(1.0, 2.0, 5, seed=3)
    np.testing.assert_array_equal(a.batches, b.batches)
    np.testing.assert_array_equal(a.full, b.full)


def test_a_non_polynomial_loss_gets_its_fan_too() -> None:
    s = scene(fit="logistic", steps="3")
    fan = s.landscape.fan.at(0.5, -0.5, 4, seed=0)
    assert np.isfinite(fan.batches).all() and fan.spread > 0


def test_a_typed_function_has_no_fan() -> None:
    s = scene(function="x^2 + y^2", steps="3")
    assert s.landscape.fan is None and picture_from_scene(s).fan is None


def test_the_fan_goes_to_the_chosen_optimizer_or_the_first_on_batches() -> None:
    s = scene(
        dataset="line:n=50",
        optimizers=("gd:lr=0.01", "gd:lr=0.01,batch_size=5", "adam:lr=0.1,batch_size=1"),
        steps="3",
    )
    p = picture_from_scene(s)
    assert fan_path(p) == 1  # the first that steps on batches
    from dataclasses import replace

    assert fan_path(replace(p, fan_row=2)) == 2
    assert fan_path(replace(p, fan_row=0)) == 0


def test_a_run_s_recorded_full_gradient_is_the_fan_s_own(line) -> None:
    """The window hands the fan the full-data gradient its run recorded at the point
    (no pass over every example per frame): it is the one the fan would compute."""
    s = scene(dataset="line:n=300,noise=1,seed=4", optimizers=("gd:lr=0.05,batch_size=4",))
    run = s.runs[0]
    fan = s.landscape.fan
    for k in (0, 1, 2):
        w, b = run.points[k]
        computed = fan.at(w, b, 4, seed=0)
        given = fan.at(w, b, 4, seed=1, full=run.gradients[k])  # another key: not cached
        np.testing.assert_allclose(given.full, computed.full, rtol=1e-12)
