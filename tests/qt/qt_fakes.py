"""Synthetic paths for the view tests: plain numpy, no core optimizers."""

from __future__ import annotations

import numpy as np

from gdplayground.core.picture import PathData
from gdplayground.model.palette import PALETTE

ROSENBROCK_DOMAIN = (-2.0, 2.0, -1.0, 3.0)


def rosenbrock(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_gradient(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


def descent_path(
    start: tuple[float, float], steps: int, lr: float, name: str, index: int, momentum: float = 0.0
) -> PathData:
    """Plain (heavy-ball) gradient descent on Rosenbrock, recorded like a Trajectory."""
    points = [np.array(start, dtype=float)]
    velocity = np.zeros(2)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            velocity = momentum * velocity - lr * rosenbrock_gradient(*points[-1])
            points.append(points[-1] + velocity)
        array = np.array(points)
        values = rosenbrock(array[:, 0], array[:, 1])
        gradients = rosenbrock_gradient(array[:, 0], array[:, 1])
    finite = np.isfinite(values) & np.isfinite(array).all(axis=1)
    diverged = not finite.all()
    stop = int(np.argmin(finite)) if diverged else steps
    return PathData(
        name=name,
        colour=PALETTE[index % len(PALETTE)],
        points=array,
        values=values,
        grad_norms=np.hypot(gradients[:, 0], gradients[:, 1]),
        gradients=gradients,
        status="diverged" if diverged else "max_steps",
        message=f"diverged at step {stop}" if diverged else f"ran {steps} steps",
    )
