"""The words of the function language: variables, constants and functions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)

_ATOMS = ("pi", "x", "y", "e")  # longest first, for splitting "pix" into pi*x

_SYMPY_ATOMS: dict[str, sympy.Expr] = {"x": X, "y": Y, "pi": sympy.pi, "e": sympy.E}


def _log_base(base: int) -> Callable[[sympy.Expr], sympy.Expr]:
    def log_base(arg: sympy.Expr) -> sympy.Expr:
        return sympy.log(arg, base)

    return log_base


def _cbrt(arg: sympy.Expr) -> sympy.Expr:
    """Real cube root: cbrt(-8) = -2 (sympy's principal root would be complex)."""
    return sympy.sign(arg) * sympy.Pow(sympy.Abs(arg), sympy.Rational(1, 3))


_FUNCTIONS: dict[str, tuple[Callable[[sympy.Expr], sympy.Expr], Callable[..., np.ndarray]]] = {
    "sin": (sympy.sin, np.sin),
    "cos": (sympy.cos, np.cos),
    "tan": (sympy.tan, np.tan),
    "asin": (sympy.asin, np.arcsin),
    "acos": (sympy.acos, np.arccos),
    "atan": (sympy.atan, np.arctan),
    "sinh": (sympy.sinh, np.sinh),
    "cosh": (sympy.cosh, np.cosh),
    "tanh": (sympy.tanh, np.tanh),
    "exp": (sympy.exp, np.exp),
    "log": (sympy.log, np.log),
    "ln": (sympy.log, np.log),
    "log2": (_log_base(2), np.log2),
    "log10": (_log_base(10), np.log10),
    "sqrt": (sympy.sqrt, np.sqrt),
    "cbrt": (_cbrt, np.cbrt),
    "abs": (sympy.Abs, np.abs),
    "sign": (sympy.sign, np.sign),
}
FUNCTION_NAMES: tuple[str, ...] = tuple(_FUNCTIONS)

_DOMAIN_HINTS = {
    "log": "log needs a positive argument",
    "ln": "ln needs a positive argument",
    "log2": "log2 needs a positive argument",
    "log10": "log10 needs a positive argument",
    "sqrt": "sqrt needs an argument that is not negative",
    "asin": "asin needs an argument between -1 and 1",
    "acos": "acos needs an argument between -1 and 1",
    "tan": "tan is undefined at odd multiples of pi/2",
}
