"""Seeded Gaussian noise for the gradients of a typed function (stochastic descent anywhere).

With a ``noise`` hyperparameter sigma > 0, the gradient a step of an optimizer
takes is the exact gradient plus sigma times standard normal numbers, drawn
from a stream fixed by (seed, stream): the same numbers every run, and the
first k steps' numbers the same whatever the number of steps.  The recorded
values and gradients stay the exact ones; only the steps feel the noise.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def gradient_noise(sigma: float, seed: int, steps: int, rows: int, stream: int = 0) -> Array:
    """The noise to add to the gradient each step uses: shape ``(steps, rows, 2)``,
    entry ``[k - 1, r]`` for step k of row r (one row per start point).

    ``stream`` picks an independent sequence: give optimizers the same stream for
    a fair race (every one feels the same noise at the same step), different
    streams for independent noise.  ``sigma == 0`` gives zeros.
    """
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"noise must be a number >= 0, not {sigma!r}")
    if sigma == 0:
        return np.zeros((steps, rows, 2))
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream])))
    return sigma * rng.standard_normal((steps, rows, 2))


def noisy_gradient(gradient: Array, noise: Array, step: int) -> Array:
    """``gradient`` (rows, 2) plus the noise of step ``step`` (1-based)."""
    return gradient + noise[step - 1]
