"""The race a user would compute by hand: Rosenbrock, five optimizers, numpy loops.

Shared by the matplotlib baseline scripts (imported as ``race`` from their own
folder) and by ``bench.exports`` (the same scene for ``gdplayground export``).
"""

from __future__ import annotations

import numpy as np

DOMAIN = (-2.0, 2.0, -1.0, 3.0)
START = (-1.5, 2.0)
STEPS = 300
GRID = 300
LEVELS = 24
#: Label: (method, learning rate); the same as the export command's --optimizer options.
OPTIMIZERS = {
    "Gradient descent": ("gd", 1e-3),
    "Momentum": ("momentum", 1e-3),
    "Nesterov": ("nesterov", 1e-3),
    "RMSProp": ("rmsprop", 0.02),
    "Adam": ("adam", 0.05),
}


def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Rosenbrock's function."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def gradient(p: np.ndarray) -> np.ndarray:
    """Its gradient, worked out by hand."""
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def path(method: str, lr: float, steps: int = STEPS) -> np.ndarray:
    """The points of one optimizer's run, shape (steps + 1, 2)."""
    p = np.array(START, dtype=float)
    v = np.zeros(2)
    s = np.zeros(2)
    points = [p.copy()]
    for t in range(1, steps + 1):
        g = gradient(p)
        if method == "gd":
            p = p - lr * g
        elif method in ("momentum", "nesterov"):
            v = 0.9 * v + g
            p = p - lr * (g + 0.9 * v if method == "nesterov" else v)
        elif method == "rmsprop":
            s = 0.99 * s + 0.01 * g * g
            p = p - lr * g / (np.sqrt(s) + 1e-8)
        else:  # adam
            v = 0.9 * v + 0.1 * g
            s = 0.999 * s + 0.001 * g * g
            p = p - lr * (v / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        points.append(p.copy())
    return np.array(points)


def grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X, Y and f on a GRID x GRID grid over the window."""
    xmin, xmax, ymin, ymax = DOMAIN
    x, y = np.meshgrid(np.linspace(xmin, xmax, GRID), np.linspace(ymin, ymax, GRID))
    return x, y, f(x, y)


def levels(z: np.ndarray) -> np.ndarray:
    """Log-spaced contour levels (Rosenbrock spans many decades)."""
    low = max(float(z.min()), 1e-3)
    return np.logspace(np.log10(low), np.log10(float(z.max())), LEVELS)
