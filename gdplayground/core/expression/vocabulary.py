"""The words of the function language: variables, constants and functions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy

import gdplayground.core.expression.activations as activations

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)

#: The constants every expression may use, whatever its variables.
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
CONSTANT_NAMES: tuple[str, ...] = tuple(CONSTANTS)


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
    "sigmoid": (activations.sigmoid, activations.sigmoid_values),
    "softplus": (activations.softplus, activations.softplus_values),
    "relu": (activations.relu, activations.relu_values),
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


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a variable of an expression, or None if it can."""
    if not _NAME.match(name):
        return "a name is a letter followed by letters, digits or underscores"
    if name in CONSTANTS:
        return f"{name} is a constant of the language"
    if name in _FUNCTIONS:
        return f"{name} is a function of the language"
    return None


@dataclass(frozen=True)
class Names:
    """The variables an expression may use, and how messages speak of it.

    ``Names()`` is a function f(x, y); a data fit's model has ``w``, ``b`` and
    the data's columns, its loss ``m`` and the columns.  ``noun`` and
    ``symbol`` name the expression in messages ("empty function", "f is
    undefined everywhere"); ``example`` is what to type instead.
    """

    variables: tuple[str, ...] = ("x", "y")
    noun: str = "function"
    symbol: str = "f"
    example: str = "x^2 + y^2"

    def __post_init__(self) -> None:
        if len(set(self.variables)) != len(self.variables):
            raise ValueError(f"variables named twice: {self.variables}")
        for name in self.variables:
            problem = name_problem(name)
            if problem:
                raise ValueError(f"{name!r} cannot be a variable: {problem}")

    @cached_property
    def symbols(self) -> dict[str, sympy.Expr]:
        """Every name an expression may use (variables, then constants) and its sympy value."""
        return {**{v: sympy.Symbol(v, real=True) for v in self.variables}, **CONSTANTS}

    @cached_property
    def atoms(self) -> tuple[str, ...]:
        """The names, longest first (to split "pix" into pi*x in hints)."""
        return tuple(sorted(self.symbols, key=len, reverse=True))

    @property
    def listed(self) -> str:
        """The names as a message lists them: "x, y, pi, e"."""
        return ", ".join(self.symbols)


#: The names of a function f(x, y): today's mode.
XY = Names()
