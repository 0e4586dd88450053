"""Seeded Gaussian noise for the gradients of a typed function (stochastic descent anywhere).

With a ``noise`` hyperparameter sigma > 0, the gradient a step of an optimizer
takes is the exact gradient plus sigma times standard normal numbers, drawn
from a stream fixed by (seed, stream): the same numbers every run, and the
first k steps' numbers the same whatever the number of steps.  The recorded
values and gradients stay the exact ones; only the steps feel the noise.
"""

from __future__ import annotations

import numpy as np

from gdplayground.core.hyperparameters import Hyperparameter

Array = np.ndarray

#: The ``noise`` hyperparameter every optimizer but L-BFGS takes (0 = off).
NOISE = Hyperparameter(
    "noise",
    0.0,
    0.0,
    1e6,
    description="sigma of the seeded Gaussian noise added to each gradient a step uses (0 = off)",
)


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


def step_noise(sigma: float, seed: int, steps: int) -> Array | None:
    """The noise of a run's steps, ``(steps, 2)``: the same for every run with the
    same seed (scaled by its sigma), so a race with noise is a fair one, and a run
    from many starts (or at many learning rates) feels the same noise as alone.
    None when ``sigma`` is 0."""
    if sigma == 0:
        return None
    return gradient_noise(sigma, seed, steps, 1)[:, 0, :]


def noisy_gradient(gradient: Array, noise: Array, step: int) -> Array:
    """``gradient`` (rows, 2) plus the noise of step ``step`` (1-based)."""
    return gradient + noise[step - 1]
