"""What a user would write by hand for a basin map: vectorised numpy Adam on Himmelblau.

The gradient is worked out by hand, all starts step together as one array,
and Adam is the textbook update; nothing stops early and nothing is checked.
"""

from __future__ import annotations

import numpy as np


def himmelblau_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gradient of (x^2 + y - 11)^2 + (x + y^2 - 7)^2, worked out by hand."""
    a = x * x + y - 11
    b = x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def adam(
    starts: np.ndarray,
    steps: int,
    lr: float = 0.05,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> np.ndarray:
    """Every start's point after ``steps`` Adam steps, shape (n, 2)."""
    x = np.array(starts[:, 0], dtype=np.float64)
    y = np.array(starts[:, 1], dtype=np.float64)
    mx, my, vx, vy = (np.zeros_like(x) for _ in range(4))
    for t in range(1, steps + 1):
        gx, gy = himmelblau_gradient(x, y)
        mx = beta1 * mx + (1 - beta1) * gx
        my = beta1 * my + (1 - beta1) * gy
        vx = beta2 * vx + (1 - beta2) * gx * gx
        vy = beta2 * vy + (1 - beta2) * gy * gy
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        x = x - lr * (mx / c1) / (np.sqrt(vx / c2) + eps)
        y = y - lr * (my / c1) / (np.sqrt(vy / c2) + eps)
    return np.column_stack([x, y])
