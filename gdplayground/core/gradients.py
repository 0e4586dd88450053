"""Exact (symbolic) and finite-difference gradients behind one interface.

An :class:`Objective` wraps a sympy expression in ``x`` and ``y`` and evaluates
the function, its gradient and its Hessian on numpy arrays of any shape.  The
symbolic mode differentiates exactly with :mod:`evaluator` (sympy's diff and
lambdify only for what that cannot handle), computing shared subexpressions
once; the numeric mode uses central differences with a step scaled to the
point.  sympy still writes the gradient out as text for the user.  Undefined
values come back as nan or inf, never as a warning or an exception.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from gdplayground.core.differences import GRADIENT_STEP, HESSIAN_STEP, MODES
from gdplayground.core.evaluator import Graph, Program, Unsupported
from gdplayground.core.expression import X, Y, expression_to_text, parse_function

Array = np.ndarray
_FLOAT64 = np.dtype(np.float64)

__all__ = ["GRADIENT_STEP", "HESSIAN_STEP", "MODES", "Objective", "compile_function"]


def _without_distributions(expr: sympy.Expr) -> sympy.Expr:
    """Replace DiracDelta (the derivative of sign) by 0, its value almost everywhere."""
    if expr.has(sympy.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)
    return expr


#: Large inputs are evaluated in blocks of this many points, so that the
#: temporaries of one block stay in the CPU cache instead of streaming through
#: memory (2-4x faster on a 1000 x 1000 grid; every value is computed exactly
#: as before, only fewer at a time).
CHUNK = 16384

#: lambdify spends about half its time printing the expression into the
#: docstring of the function it makes; nobody reads it (sympy >= 1.13 can skip it).
_NO_DOCSTRING = (
    {"docstring_limit": 0}
    if "docstring_limit" in inspect.signature(sympy.lambdify).parameters
    else {}
)


#: The generated code names numpy's functions in full (``numpy.sin``), so the
#: namespace needs only numpy itself: ``modules="numpy"`` would run
#: ``from numpy import *``, which loads ~130 more modules (0.15 s) per process.
_NUMPY_NAMESPACE = {"numpy": np}


def _printer() -> Any:
    from sympy.printing.numpy import NumPyPrinter

    return NumPyPrinter({"fully_qualified_modules": True})


def _lambdify(exprs: list[sympy.Expr]) -> Callable[[Array, Array], list]:
    """sympy's compiler: the fallback for what :mod:`evaluator` does not handle.

    f alone is compiled without common-subexpression elimination: finding them
    costs more (2-3x the compile time) than it saves on a grid of f values.
    """
    cleaned = [_without_distributions(e) for e in exprs]
    return sympy.lambdify(
        (X, Y),
        cleaned,
        modules=[_NUMPY_NAMESPACE],
        printer=_printer(),
        cse=len(cleaned) > 1,
        **_NO_DOCSTRING,
    )


def _vectorised(
    raw: Callable[[Array, Array], list], count: int
) -> Callable[[Array, Array], tuple[Array, ...]]:
    """``raw`` on arrays of any shape: float64 results of the inputs' shape, in blocks."""

    @np.errstate(all="ignore")  # as a decorator: half the cost of a with block per call
    def evaluate(x: Array, y: Array) -> tuple[Array, ...]:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = x.shape if x.shape == y.shape else np.broadcast_shapes(x.shape, y.shape)
        size = math.prod(shape)
        if size <= CHUNK:
            return _outputs(raw(x, y), shape, (x, y))
        flat_x = np.broadcast_to(x, shape).reshape(-1)
        flat_y = np.broadcast_to(y, shape).reshape(-1)
        outs = [np.empty(size) for _ in range(count)]
        for start in range(0, size, CHUNK):
            block = slice(start, start + CHUNK)
            for out, result in zip(outs, raw(flat_x[block], flat_y[block]), strict=True):
                out[block] = _real(np.asarray(result))
        return tuple(out.reshape(shape) for out in outs)

    return evaluate


def _real(arr: Array) -> Array:
    """Complex results (from sympy constants such as I) count only where they are real."""
    if np.iscomplexobj(arr):
        return np.where(np.imag(arr) == 0, np.real(arr), np.nan)
    return arr


def _outputs(results: list, shape: tuple[int, ...], inputs: tuple[Array, Array]) -> tuple:
    """Each result as a float64 array of ``shape`` that nothing else refers to.

    A fresh array of the right kind is returned as it is; constants, views,
    read-only arrays (the evaluator's constants), the inputs themselves and
    results repeated in the list are copied.
    """
    out: list[Array] = []
    x, y = inputs
    taken = [id(x), id(y)]  # the arrays that may not be handed out (again)
    for result in results:  # runs once per optimizer step: kept free of generators
        arr = result if type(result) is np.ndarray else np.asarray(result)
        if arr.dtype.kind == "c":
            arr = _real(arr)
        flags = arr.flags
        if (
            arr.dtype == _FLOAT64
            and arr.shape == shape
            and flags.owndata
            and flags.writeable
            and id(arr) not in taken
        ):
            taken.append(id(arr))
        else:
            arr = np.array(np.broadcast_to(arr, shape), dtype=np.float64)
        out.append(arr)
    return tuple(out)


class Objective:
    """A function f(x, y) with its gradient and Hessian, evaluated on arrays.

    ``mode`` is ``"symbolic"`` (exact derivatives) or ``"numeric"`` (central
    differences with step ``h``, or ``cbrt(eps) * max(1, |x|)`` when ``h`` is None).
    """

    def __init__(
        self,
        expr: sympy.Expr,
        mode: str = "symbolic",
        h: float | None = None,
        written: tuple | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown gradient mode {mode!r}: use symbolic or numeric")
        if h is not None and not (np.isfinite(h) and h > 0):
            raise ValueError(f"finite-difference step h must be a positive number, not {h!r}")
        self.expr = expr
        self.mode = mode
        self.h = None if h is None else float(h)
        try:  # evaluated as written where known: sympy's simplification may widen the domain
            self._graph: Graph | None = Graph()
            self._root = (
                self._graph.from_sympy(expr)
                if written is None
                else self._graph.from_written(written)
            )
        except Unsupported:
            self._graph = None
        self._value = self._compile(0)

    def _compile(self, order: int) -> Callable[[Array, Array], tuple[Array, ...]]:
        """f (order 0), (f, fx, fy) (order 1) or (fxx, fxy, fyy) (order 2), compiled.

        Differentiated and evaluated by :mod:`evaluator` (milliseconds); sympy's
        diff and lambdify only for what it cannot handle (tens to hundreds of ms).
        """
        if self._graph is not None:
            g, f = self._graph, self._root
            if order == 0:
                nodes = [f]
            else:
                fx, fy = g.diff(f, "x"), g.diff(f, "y")
                nodes = (
                    [f, fx, fy]
                    if order == 1
                    else [g.diff(fx, "x"), g.diff(fx, "y"), g.diff(fy, "y")]
                )
            return _vectorised(Program(g, nodes), len(nodes))
        if order == 0:
            exprs = [self.expr]
        elif order == 1:
            exprs = [self.expr, *self.gradient_exprs]
        else:
            gx, gy = self.gradient_exprs
            exprs = [sympy.diff(gx, X), sympy.diff(gx, Y), sympy.diff(gy, Y)]
        return _vectorised(_lambdify(exprs), len(exprs))

    # --- symbolic pieces, built lazily because differentiation can be slow ---
    @cached_property
    def gradient_exprs(self) -> tuple[sympy.Expr, sympy.Expr]:
        """The exact partial derivatives (df/dx, df/dy) as sympy expressions."""
        return (sympy.diff(self.expr, X), sympy.diff(self.expr, Y))

    @cached_property
    def gradient_text(self) -> tuple[str, str]:
        """The exact partial derivatives as readable text in the input language.

        sympy's diff and printing: from milliseconds to seconds for long formulas,
        and needed only to show the gradient, so nothing else waits for it.
        """
        return tuple(expression_to_text(e) for e in self.gradient_exprs)  # type: ignore[return-value]

    @property
    def has_gradient_text(self) -> bool:
        """True once :attr:`gradient_text` has been computed (reading it is then free)."""
        return "gradient_text" in self.__dict__

    @cached_property
    def _symbolic_all(self) -> Callable[[Array, Array], tuple[Array, ...]]:
        return self._compile(1)

    @cached_property
    def _symbolic_hessian(self) -> Callable[[Array, Array], tuple[Array, ...]]:
        return self._compile(2)

    # --- evaluation ---
    def value(self, x: Array, y: Array) -> Array:
        """f at the given points (arrays broadcast together)."""
        return self._value(x, y)[0]

    def value_and_gradient(self, x: Array, y: Array) -> tuple[Array, Array, Array]:
        """(f, df/dx, df/dy) at the given points, sharing work between them."""
        if self.mode == "symbolic":
            return self._symbolic_all(x, y)  # type: ignore[return-value]
        f = self.value(x, y)
        return (f, *self._numeric_gradient(x, y))

    def gradient(self, x: Array, y: Array) -> tuple[Array, Array]:
        """(df/dx, df/dy) at the given points."""
        if self.mode == "symbolic":
            _, gx, gy = self._symbolic_all(x, y)
            return gx, gy
        return self._numeric_gradient(x, y)

    def symbolic_gradient(self, x: Array, y: Array) -> tuple[Array, Array]:
        """The exact gradient whatever the mode (to show a numeric gradient's error)."""
        _, gx, gy = self._symbolic_all(x, y)
        return gx, gy

    def hessian(self, x: Array, y: Array) -> tuple[Array, Array, Array]:
        """(fxx, fxy, fyy) at the given points."""
        if self.mode == "symbolic":
            return self._symbolic_hessian(x, y)  # type: ignore[return-value]
        return self._numeric_hessian(x, y)

    # --- finite differences ---
    def _steps(self, v: Array, base: float) -> Array:
        if self.h is not None:
            return np.full_like(v, self.h)
        return base * np.maximum(1.0, np.abs(v))

    def _numeric_gradient(self, x: Array, y: Array) -> tuple[Array, Array]:
        x, y = (np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(x, y))
        hx, hy = self._steps(x, GRADIENT_STEP), self._steps(y, GRADIENT_STEP)
        # (x + h) - (x - h) is the step actually represented in floating point.
        xp, xm, yp, ym = x + hx, x - hx, y + hy, y - hy
        f = self.value
        with np.errstate(all="ignore"):
            gx = (f(xp, y) - f(xm, y)) / (xp - xm)
            gy = (f(x, yp) - f(x, ym)) / (yp - ym)
        return gx, gy

    def _numeric_hessian(self, x: Array, y: Array) -> tuple[Array, Array, Array]:
        x, y = (np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(x, y))
        hx, hy = self._steps(x, HESSIAN_STEP), self._steps(y, HESSIAN_STEP)
        f = self.value
        with np.errstate(all="ignore"):
            f0 = f(x, y)
            fxx = (f(x + hx, y) - 2 * f0 + f(x - hx, y)) / (hx * hx)
            fyy = (f(x, y + hy) - 2 * f0 + f(x, y - hy)) / (hy * hy)
            fxy = (
                f(x + hx, y + hy) - f(x + hx, y - hy) - f(x - hx, y + hy) + f(x - hx, y - hy)
            ) / (4 * hx * hy)
        return fxx, fxy, fyy


def make_objective(expr: sympy.Expr, mode: str = "symbolic", h: float | None = None) -> Objective:
    """Wrap a sympy expression for evaluation with the chosen gradient mode."""
    return Objective(expr, mode, h)


def compile_function(text: str, mode: str = "symbolic", h: float | None = None) -> Objective:
    """Parse user text (raises ExpressionError) and wrap it as an Objective that
    evaluates the function as written."""
    parsed = parse_function(text)
    return Objective(parsed.expr, mode, h, written=parsed.written)
