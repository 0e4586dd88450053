"""Gradient clipping as ``torch.nn.utils`` does it, before each optimizer step.

``clip_norm`` follows ``clip_grad_norm_(params, max_norm)`` with the 2-norm
over both coordinates: the gradient is multiplied by
``min(max_norm / (norm + 1e-6), 1)``.  ``clip_value`` follows
``clip_grad_value_``: each coordinate is clamped to ``[-clip_value,
clip_value]``.  0 turns either off; with both on, the norm is clipped first.
Clipping changes only what the optimizer is given: the recorded gradient of
each point stays f's own.
"""

from __future__ import annotations

import numpy as np

from gdplayground.core.hyperparameters import Hyperparameter

Array = np.ndarray

CLIP_NORM = Hyperparameter(
    "clip_norm",
    0.0,
    0.0,
    1e6,
    log_scale=True,
    description="clip the gradient's 2-norm to this, as clip_grad_norm_ (0 = off)",
)
CLIP_VALUE = Hyperparameter(
    "clip_value",
    0.0,
    0.0,
    1e6,
    log_scale=True,
    description="clip each gradient coordinate to within ±this, as clip_grad_value_ (0 = off)",
)
CLIP_HYPERPARAMETERS: tuple[Hyperparameter, ...] = (CLIP_NORM, CLIP_VALUE)


def clip_gradients(g: Array, clip_norm: float, clip_value: float) -> Array:
    """The gradients ``g`` (shape (n, 2)) clipped as torch would clip each row's;
    a new array (``g`` itself is left alone)."""
    if clip_norm > 0:
        total_norm = np.sqrt(g[:, 0] * g[:, 0] + g[:, 1] * g[:, 1])
        coef = clip_norm / (total_norm + 1e-6)
        g = g * np.minimum(coef, 1.0)[:, None]  # torch.clamp(max=1.0) passes nan on too
    if clip_value > 0:
        g = np.clip(g, -clip_value, clip_value)
    return g
