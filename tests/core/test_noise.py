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
