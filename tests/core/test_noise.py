"""Seeded gradient noise: reproducible, independent per stream, zero when off."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.noise import gradient_noise, noisy_gradient


def test_the_same_seed_and_stream_give_the_same_noise() -> None:
    a = gradient_noise(0.5, seed=3, steps=100, rows=2)
    np.testing.assert_array_equal(a, gradient_noise(0.5, seed=3, steps=100, rows=2))
    assert a.shape == (100, 2, 2)
    assert not np.array_equal(a, gradient_noise(0.5, seed=4, steps=100, rows=2))
    assert not np.array_equal(a, gradient_noise(0.5, seed=3, steps=100, rows=2, stream=1))


def test_fewer_steps_give_the_first_steps_of_the_same_noise() -> None:
    long = gradient_noise(1.0, seed=0, steps=50, rows=3)
    np.testing.assert_array_equal(gradient_noise(1.0, seed=0, steps=7, rows=3), long[:7])


def test_sigma_scales_standard_normal_noise() -> None:
    noise = gradient_noise(0.2, seed=1, steps=20_000, rows=1)
    assert np.std(noise) == pytest.approx(0.2, rel=0.02)
    assert abs(np.mean(noise)) < 0.01
    np.testing.assert_array_equal(gradient_noise(0.4, 1, 20, 1), 2 * gradient_noise(0.2, 1, 20, 1))


def test_no_noise_is_zero_and_bad_sigma_is_refused() -> None:
    assert not gradient_noise(0.0, 1, 5, 2).any()
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
        gradient_noise(-1.0, 1, 5, 2)


def test_a_step_adds_its_own_noise() -> None:
    noise = gradient_noise(1.0, 2, 4, 2)
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(noisy_gradient(g, noise, 3), g + noise[2])


def test_noise_is_a_hyperparameter_of_every_method_that_steps_on_a_given_gradient() -> None:
    from gdplayground.core.optimizers import OPTIMIZERS, OptimizerError, make_config

    for name in OPTIMIZERS:
        if name == "lbfgs":
            with pytest.raises(OptimizerError, match="lbfgs takes no gradient noise"):
                make_config(name, {"noise": 0.1})
        else:
            assert make_config(name, {"noise": "0.5"}).params["noise"] == 0.5
    assert "noise" not in make_config("adam", {"noise": 0}).params  # off: not listed
    with pytest.raises(OptimizerError, match="noise=-1 is out of range"):
        make_config("gd", {"noise": -1})


def test_a_noisy_run_steps_on_the_gradient_plus_the_seeded_noise() -> None:
    """The documented rule, by hand: step k adds sigma times the k-th pair of standard
    normals of PCG64(SeedSequence([seed, 0])); the recorded gradient stays exact."""
    from gdplayground.core.gradients import compile_function
    from gdplayground.core.optimizers import make_config
    from gdplayground.core.trajectory import run_many

    objective = compile_function("x^2 + 3*y^2")
    config = make_config("gd", {"lr": 0.1, "noise": 0.5})
    starts = np.array([[1.0, 1.0], [-2.0, 0.5]])
    runs = run_many(objective, [config], starts, 20, tol=0, seed=7)[0]
    z = np.random.Generator(np.random.PCG64(np.random.SeedSequence([7, 0]))).standard_normal(
        (20, 2)
    )
    for run, start in zip(runs, starts, strict=True):
        p = start.copy()
        for k in range(20):
            gradient = np.array([2 * p[0], 6 * p[1]])
            np.testing.assert_allclose(run.gradients[k], gradient, rtol=1e-15)
            p = p - 0.1 * (gradient + 0.5 * z[k])
            np.testing.assert_allclose(run.points[k + 1], p, rtol=1e-13, atol=1e-15)
    quiet = run_many(objective, [make_config("gd", {"lr": 0.1})], starts, 20, tol=0, seed=7)[0]
    assert not np.allclose(quiet[0].points, runs[0].points)
    other_seed = run_many(objective, [config], starts, 20, tol=0, seed=8)[0]
    assert not np.allclose(other_seed[0].points, runs[0].points)
