"""sigmoid, softplus and relu: sympy functions for the language, numpy values as torch's.

The values follow ``torch.nn.functional``: ``sigmoid(u) = 1 / (1 + exp(-u))``;
``softplus(u) = log1p(exp(u))``, but ``u`` itself above the threshold 20
(beta 1), where torch's gradient is 1; ``relu(u) = max(u, 0)``, whose
derivative torch takes as 0 at 0.  The sympy classes are the exact functions
(derivatives written out for the user); a number's value (``evalf``) follows
torch, so a constant such as ``softplus(30)`` folds to what torch gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

Array = np.ndarray

#: torch.nn.functional.softplus's default threshold (with beta = 1).
SOFTPLUS_THRESHOLD = 20.0


# ------------------------------------------------------------------ numpy values


def sigmoid_values(u: Array) -> Array:
    """torch.sigmoid: 1 / (1 + exp(-u))."""
    return np.divide(1.0, np.add(1.0, np.exp(np.negative(u))))


def softplus_values(u: Array) -> Array:
    """torch.nn.functional.softplus(u): u above the threshold, else log1p(exp(u))."""
    return np.where(np.greater(u, SOFTPLUS_THRESHOLD), u, np.log1p(np.exp(u)))


def relu_values(u: Array) -> Array:
    """torch.relu: max(u, 0) (nan stays nan)."""
    return np.maximum(u, 0.0)


def softplus_slope(u: Array) -> Array:
    """softplus'(u) as torch's backward computes it: 1 above the threshold, else
    z / (z + 1) with z = e^u."""
    z = np.exp(np.minimum(u, SOFTPLUS_THRESHOLD))
    return np.where(np.greater(u, SOFTPLUS_THRESHOLD), 1.0, np.divide(z, np.add(z, 1.0)))


def softplus_curvature(u: Array) -> Array:
    """softplus''(u) as torch's double backward computes it: (1 - s) s with
    s = sigmoid(u) below the threshold, 0 from it on."""
    s = sigmoid_values(u)
    return np.where(np.less(u, SOFTPLUS_THRESHOLD), (1.0 - s) * s, 0.0)


# ------------------------------------------------------------------ sympy classes


def _number(arg: sympy.Expr, prec: int) -> sympy.Float | None:
    value = arg._eval_evalf(prec) if hasattr(arg, "_eval_evalf") else None
    return value if value is not None and value.is_Number else None


class _Activation(sympy.Function):
    """One real argument, real values."""

    nargs = 1

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_finite(self) -> bool | None:
        return self.args[0].is_finite


class sigmoid(_Activation):  # noqa: N801 - the language's name
    """The logistic function 1 / (1 + e^-u)."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return self * (1 - self)

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        u = _number(self.args[0], prec)
        return None if u is None else (1 / (1 + sympy.exp(-u)))._eval_evalf(prec)

    def _numpycode(self, printer: Any) -> str:
        exp = printer._module_format("numpy.exp")
        return f"(1/(1 + {exp}(-({printer._print(self.args[0])}))))"


class softplus(_Activation):  # noqa: N801
    """log(1 + e^u); numbers above the threshold are themselves, as in torch."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sigmoid(self.args[0])

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        u = _number(self.args[0], prec)
        if u is None:
            return None
        if u > SOFTPLUS_THRESHOLD:
            return u
        return sympy.log(1 + sympy.exp(u))._eval_evalf(prec)

    def _numpycode(self, printer: Any) -> str:
        u = printer._print(self.args[0])
        where, log1p, exp = (
            printer._module_format(f"numpy.{name}") for name in ("where", "log1p", "exp")
        )
        return f"{where}(({u}) > {SOFTPLUS_THRESHOLD!r}, {u}, {log1p}({exp}({u})))"


class relu(_Activation):  # noqa: N801
    """max(u, 0); its derivative at 0 is 0, as torch takes it."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.Heaviside(self.args[0], 0)

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        u = _number(self.args[0], prec)
        return None if u is None else (u if u > 0 else sympy.Float(0, prec))

    def _numpycode(self, printer: Any) -> str:
        return f"{printer._module_format('numpy.maximum')}({printer._print(self.args[0])}, 0.0)"
