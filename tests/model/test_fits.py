"""The data-fit presets: each parses, is finite over its window and shows its lesson."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.data.fit import parse_fit
from gdplayground.core.data.generators import generate
from gdplayground.core.data.objective import DataObjective
from gdplayground.core.data.runner import run_fit
from gdplayground.core.optimizers import make_config
from gdplayground.model.fits import load_fits

FITS = load_fits()


def test_the_five_presets_of_the_fit_menu() -> None:
    assert list(FITS) == [
        "linear", "least_absolute", "logistic", "sigmoid_neuron", "badly_scaled"
    ]  # fmt: skip


@pytest.mark.parametrize("key", list(FITS))
def test_each_is_finite_over_its_window_with_its_minimum_inside(key: str) -> None:
    fit = FITS[key]
    data = generate(fit.data, fit.n, fit.noise, fit.seed)
    obj = DataObjective(parse_fit(fit.model, fit.loss, data.columns), data)
    w0, w1, b0, b1 = fit.window
    w, b = np.meshgrid(np.linspace(w0, w1, 61), np.linspace(b0, b1, 61))
    f, gw, gb = obj.value_and_gradient(w, b)
    assert np.isfinite(f).all() and np.isfinite(gw).all() and np.isfinite(gb).all()
    i, j = np.unravel_index(np.argmin(f), f.shape)
    assert 0 < i < 60 and 0 < j < 60  # the lowest point is inside, not on the edge
    assert w0 < fit.start[0] < w1 and b0 < fit.start[1] < b1
    assert obj.value(*fit.start) > f.min()


def test_the_sigmoid_neuron_starts_on_a_plateau() -> None:
    fit = FITS["sigmoid_neuron"]
    data = generate(fit.data, fit.n, fit.noise, fit.seed)
    obj = DataObjective(parse_fit(fit.model, fit.loss, data.columns), data)
    _, gw, gb = obj.value_and_gradient(*fit.start)
    assert np.hypot(gw, gb) < 0.05  # almost flat, far from the minimum
    (gd,), (adam,) = run_fit(
        obj,
        [make_config("gd", {"lr": 0.5}), make_config("adam", {"lr": 0.1})],
        [None, None],
        np.array([fit.start]),
        200,
    )
    assert gd.trajectory.values[-1] > 0.3 > adam.trajectory.values[-1]  # Adam gets off it


def test_badly_scaled_inputs_make_gradient_descent_crawl() -> None:
    fit = FITS["badly_scaled"]
    data = generate(fit.data, fit.n, fit.noise, fit.seed)
    obj = DataObjective(parse_fit(fit.model, fit.loss, data.columns), data)
    hww, _, hbb = obj.hessian(*fit.start)
    assert hww / hbb > 1e6  # a valley a million times steeper across w than along b
