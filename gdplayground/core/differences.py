"""How gradients are taken, and the steps of finite differences: constants that code
running optimizers needs without loading the function language (and sympy)."""

from __future__ import annotations

import numpy as np

#: "symbolic": exact derivatives of the parsed function; "numeric": central differences.
MODES = ("symbolic", "numeric")
_EPS = np.finfo(np.float64).eps
GRADIENT_STEP = _EPS ** (1.0 / 3.0)  # optimal for central first differences
HESSIAN_STEP = _EPS**0.25  # optimal for central second differences
