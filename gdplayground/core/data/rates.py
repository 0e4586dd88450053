"""A learning rate that suits a data set: what gradient descent can take without diverging."""

from __future__ import annotations

import math

import numpy as np

from gdplayground.core.data.objective import DataObjective


def suggested_lr(objective: DataObjective, point: tuple[float, float]) -> float | None:
    """Half the largest stable step of gradient descent at ``point`` (1 / the largest
    eigenvalue of the full-data loss's Hessian there), rounded down to 1, 2 or 5
    times a power of ten; None where the Hessian says nothing (flat or undefined).

    For squared error the Hessian is the same everywhere, so the rate suits the
    whole fit: data in the thousands get a rate a million times smaller than data
    around 1, which is what feature scaling is about.
    """
    a, b, c = (float(v) for v in objective.hessian(np.float64(point[0]), np.float64(point[1])))
    if not all(math.isfinite(v) for v in (a, b, c)):
        return None
    largest = float(np.linalg.eigvalsh(np.array([[a, b], [b, c]]))[-1])
    if not largest > 0:
        return None
    rate = 1.0 / largest
    decade = 10.0 ** math.floor(math.log10(rate))
    return next(k * decade for k in (5, 2, 1) if k * decade <= rate)
