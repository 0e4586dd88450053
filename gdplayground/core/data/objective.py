"""The objective of a data fit: the mean loss over examples, as a function of (w, b).

``L(w, b) = mean_i ℓ(m(x_i; w, b), y_i)`` over every example (the surface, the
values and gradient norms a run reports) or over a batch (the gradient a step
takes).  The loss with the model substituted for ``m`` is differentiated
exactly with respect to w and b by :mod:`evaluator`, once, and evaluated with
numpy for many (w, b) points at once, in blocks of points and examples that
stay in the CPU cache.  Where the loss is a polynomial in (w, b) (squared error
of a model linear in them) it is evaluated from the data's moments instead:
exact, and as fast for a million examples as for ten.

:class:`DataObjective` answers what :class:`~gdplayground.core.gradients.Objective`
answers (``value``, ``value_and_gradient``, ``gradient``, ``hessian``, ``mode``),
over (w, b) instead of (x, y), plus the same on a batch of examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cached_property

import numpy as np
import sympy

from gdplayground.core.data.dataset import DataSet
from gdplayground.core.data.fit import OUTPUT, PARAMETERS, Fit
from gdplayground.core.data.polynomial import polynomial_terms
from gdplayground.core.evaluator import Graph, Program
from gdplayground.core.expression import expression_to_text
from gdplayground.core.gradients import GRADIENT_STEP, HESSIAN_STEP, MODES

Array = np.ndarray
Index = Array | None  # None: every example; 1-D: these examples for every point;
#                       2-D (points, k): row p's examples for point p

#: Points x examples evaluated at once (each numpy call works on this many numbers).
CHUNK = 1 << 15


class DataObjective:
    """The mean loss of ``fit`` over ``data`` as a function of (w, b).

    ``mode`` is ``"symbolic"`` (exact derivatives) or ``"numeric"`` (central
    differences with step ``h``, or ``cbrt(eps) * max(1, |w|)`` when None), as
    for a typed function.  Every method takes arrays of (w, b) that broadcast
    together and returns arrays of their shape; undefined values are nan.
    """

    def __init__(
        self, fit: Fit, data: DataSet, mode: str = "symbolic", h: float | None = None
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown gradient mode {mode!r}: use symbolic or numeric")
        if h is not None and not (np.isfinite(h) and h > 0):
            raise ValueError(f"finite-difference step h must be a positive number, not {h!r}")
        if tuple(fit.columns) != tuple(data.columns):
            raise ValueError("the fit was parsed for other columns than the data's")
        self.fit = fit
        self.data = data
        self.mode = mode
        self.h = None if h is None else float(h)
        graph = Graph((*PARAMETERS, *data.columns))
        with np.errstate(all="ignore"):
            self._model = graph.from_written(fit.model.written)
            self._loss = graph.from_written(fit.loss.written, {OUTPUT: self._model})
            self._dw = graph.diff(self._loss, "w")
            self._db = graph.diff(self._loss, "b")
        self._graph = graph
        self._columns = tuple(data.values)  # each (n,), read-only
        self._value_program = Program(graph, [self._loss])
        self._first_program = Program(graph, [self._loss, self._dw, self._db])
        self._terms = polynomial_terms(graph, self._loss, PARAMETERS)

    # ----------------------------------------------------------- what it is

    @property
    def n(self) -> int:
        """The number of examples."""
        return self.data.n

    @property
    def polynomial(self) -> bool:
        """Whether the loss is a polynomial in (w, b): then it is evaluated from the
        data's moments, in a time independent of the number of examples."""
        return self._terms is not None

    def cost(self, points: int) -> int:
        """About how many numbers evaluating the full-data loss at ``points`` points
        computes: to decide how fine a first picture of the surface can be."""
        return points * len(self._terms) if self._terms is not None else points * self.n

    # ---------------------------------------------------------- full data

    def value(self, w: Array, b: Array, check: Callable[[], None] | None = None) -> Array:
        """L at the given points.  ``check`` is called between blocks of a long
        evaluation and may raise to abandon it."""
        return self._evaluate("value", w, b, None, check)[0]

    def value_and_gradient(self, w: Array, b: Array) -> tuple[Array, Array, Array]:
        """(L, dL/dw, dL/db) at the given points."""
        if self.mode == "numeric":
            return (self.value(w, b), *self._numeric_gradient(w, b, None))
        return self._evaluate("first", w, b, None)  # type: ignore[return-value]

    def gradient(self, w: Array, b: Array) -> tuple[Array, Array]:
        """(dL/dw, dL/db) at the given points."""
        _, gw, gb = self.value_and_gradient(w, b)
        return gw, gb

    def symbolic_gradient(self, w: Array, b: Array) -> tuple[Array, Array]:
        """The exact gradient whatever the mode (to show a numeric gradient's error)."""
        _, gw, gb = self._evaluate("first", w, b, None)
        return gw, gb

    def hessian(self, w: Array, b: Array) -> tuple[Array, Array, Array]:
        """(d2L/dw2, d2L/dwdb, d2L/db2) at the given points."""
        if self.mode == "numeric":
            return self._numeric_hessian(w, b, None)
        return self._evaluate("second", w, b, None)  # type: ignore[return-value]

    # ---------------------------------------------------------------- batches

    def batch_value(self, w: Array, b: Array, index: Array | None) -> Array:
        """The mean loss over the examples ``index`` (as :meth:`batch_value_and_gradient`)."""
        index = None if index is None else np.asarray(index)
        return self._evaluate("value", w, b, index)[0]

    def batch_value_and_gradient(
        self, w: Array, b: Array, index: Array | None
    ) -> tuple[Array, Array, Array]:
        """(L, dL/dw, dL/db) of the mean loss over the examples ``index``: a 1-D
        array for every point, or one row of example indices per point (w and b
        then 1-D, one per row); None is every example (the same as full data)."""
        index = None if index is None else np.asarray(index)
        if self.mode == "numeric":
            return (
                self._evaluate("value", w, b, index)[0],
                *self._numeric_gradient(w, b, index),
            )
        return self._evaluate("first", w, b, index)  # type: ignore[return-value]

    def batch_hessian(self, w: Array, b: Array, index: Array | None) -> tuple[Array, Array, Array]:
        """The Hessian of the mean loss over the examples ``index`` (as above)."""
        index = None if index is None else np.asarray(index)
        if self.mode == "numeric":
            return self._numeric_hessian(w, b, index)
        return self._evaluate("second", w, b, index)  # type: ignore[return-value]

    @cached_property
    def gradient_text(self) -> tuple[str, str]:
        """One example's d(loss)/dw and d(loss)/db written out in the language (the
        gradient is their mean over the examples): sympy's work, for showing only."""
        composed = self.fit.loss.expr.subs(self.fit.loss.names.symbols[OUTPUT], self.fit.model.expr)
        symbols = self.fit.model.names.symbols
        return tuple(  # type: ignore[return-value]
            expression_to_text(sympy.diff(composed, symbols[p])) for p in PARAMETERS
        )

    @property
    def has_gradient_text(self) -> bool:
        """True once :attr:`gradient_text` has been computed (reading it is then free)."""
        return "gradient_text" in self.__dict__

    # ---------------------------------------------------------------- the model

    def model_values(self, w: Array, b: Array, columns: Mapping[str, Array]) -> Array:
        """m(x; w, b) for the given parameters and column values (all broadcast
        together): to draw each optimizer's model curve."""
        inputs = [
            np.asarray(columns.get(name, np.nan), dtype=np.float64) for name in self.data.columns
        ]
        with np.errstate(all="ignore"):
            (m,) = self._model_program(np.asarray(w, float), np.asarray(b, float), *inputs)
            shape = np.broadcast_shapes(np.shape(w), np.shape(b), *(a.shape for a in inputs))
            return np.array(np.broadcast_to(m, shape), dtype=np.float64)

    @cached_property
    def _model_program(self) -> Program:
        return Program(self._graph, [self._model])

    # ------------------------------------------------------------- evaluation

    @cached_property
    def _second_program(self) -> Program:
        g = self._graph
        with np.errstate(all="ignore"):
            nodes = [g.diff(self._dw, "w"), g.diff(self._dw, "b"), g.diff(self._db, "b")]
        return Program(g, nodes)

    def _program(self, kind: str) -> Program:
        if kind == "value":
            return self._value_program
        return self._first_program if kind == "first" else self._second_program

    @np.errstate(all="ignore")
    def _evaluate(
        self,
        kind: str,
        w: Array,
        b: Array,
        index: Index,
        check: Callable[[], None] | None = None,
    ) -> tuple[Array, ...]:
        """The mean over examples of the ``kind`` outputs ("value": L; "first": L
        and its gradient; "second": the Hessian), shaped like w and b."""
        w = np.asarray(w, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        per_row = index is not None and index.ndim == 2
        shape = (len(index),) if per_row else np.broadcast_shapes(w.shape, b.shape)
        flat_w = np.broadcast_to(w, shape).reshape(-1)
        flat_b = np.broadcast_to(b, shape).reshape(-1)
        if self._terms is not None:
            outs = self._moments_mean(kind, flat_w, flat_b, index)
        else:
            outs = self._examples_mean(kind, flat_w, flat_b, index, check)
        return tuple(out.reshape(shape) for out in outs)

    def _examples_mean(
        self,
        kind: str,
        w: Array,
        b: Array,
        index: Index,
        check: Callable[[], None] | None,
    ) -> list[Array]:
        """Mean of the outputs over the examples, block by block."""
        program = self._program(kind)
        columns = self._columns if index is None else tuple(c[index] for c in self._columns)
        count = columns[0].shape[-1]
        points = len(w)
        sums = [np.zeros(points) for _ in program.outputs]
        point_block = min(points, max(1, CHUNK // 64))
        example_block = max(1, CHUNK // point_block)
        for p0 in range(0, points, point_block):
            rows = slice(p0, p0 + point_block)
            wb = (w[rows, None], b[rows, None])
            for e0 in range(0, count, example_block):
                if check is not None:
                    check()
                examples = slice(e0, e0 + example_block)
                if index is not None and index.ndim == 2:
                    block = [c[rows, examples] for c in columns]
                else:
                    block = [c[None, examples] for c in columns]
                size = (len(wb[0]), block[0].shape[-1])
                for total, out in zip(sums, program(*wb, *block), strict=True):
                    total[rows] += np.broadcast_to(out, size).sum(axis=1)
        return [total / count for total in sums]

    # ------------------------------------------------------------- moments

    @cached_property
    def _coefficients(self) -> tuple[tuple[tuple[int, int], ...], Array, Array]:
        """The polynomial's powers, each coefficient per example (terms, n) and
        their means over all examples."""
        assert self._terms is not None
        keys = tuple(sorted(self._terms))
        program = Program(self._graph, [self._terms[key] for key in keys])
        with np.errstate(all="ignore"):
            values = program(np.float64(0.0), np.float64(0.0), *self._columns)
        per_example = np.stack([np.broadcast_to(v, (self.n,)) for v in values])
        per_example.setflags(write=False)
        return keys, per_example, per_example.mean(axis=1)

    def _moments_mean(self, kind: str, w: Array, b: Array, index: Index) -> list[Array]:
        keys, per_example, means = self._coefficients
        if index is None:
            c = means[:, None]  # (terms, 1)
        else:
            c = per_example[:, index].mean(axis=-1)  # (terms,) or (terms, points)
            c = c[:, None] if c.ndim == 1 else c
        degree = max(max(i, j) for i, j in keys)
        wp, bp = _powers(w, degree), _powers(b, degree)
        if kind == "value":
            return [_sum_terms(c, keys, wp, bp, 0, 0)]
        if kind == "first":
            return [
                _sum_terms(c, keys, wp, bp, 0, 0),
                _sum_terms(c, keys, wp, bp, 1, 0),
                _sum_terms(c, keys, wp, bp, 0, 1),
            ]
        return [
            _sum_terms(c, keys, wp, bp, 2, 0),
            _sum_terms(c, keys, wp, bp, 1, 1),
            _sum_terms(c, keys, wp, bp, 0, 2),
        ]

    # ------------------------------------------------------- finite differences

    def _steps(self, v: Array, base: float) -> Array:
        if self.h is not None:
            return np.full_like(v, self.h)
        return base * np.maximum(1.0, np.abs(v))

    def _mean_value(self, w: Array, b: Array, index: Index) -> Array:
        return self._evaluate("value", w, b, index)[0]

    def _numeric_gradient(self, w: Array, b: Array, index: Index) -> tuple[Array, Array]:
        w, b = (np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(w, b))
        hw, hb = self._steps(w, GRADIENT_STEP), self._steps(b, GRADIENT_STEP)
        f = self._mean_value
        with np.errstate(all="ignore"):
            wp, wm, bp, bm = w + hw, w - hw, b + hb, b - hb
            gw = (f(wp, b, index) - f(wm, b, index)) / (wp - wm)
            gb = (f(w, bp, index) - f(w, bm, index)) / (bp - bm)
        return gw, gb

    def _numeric_hessian(self, w: Array, b: Array, index: Index) -> tuple[Array, Array, Array]:
        w, b = (np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(w, b))
        hw, hb = self._steps(w, HESSIAN_STEP), self._steps(b, HESSIAN_STEP)
        f = self._mean_value
        with np.errstate(all="ignore"):
            f0 = f(w, b, index)
            fww = (f(w + hw, b, index) - 2 * f0 + f(w - hw, b, index)) / (hw * hw)
            fbb = (f(w, b + hb, index) - 2 * f0 + f(w, b - hb, index)) / (hb * hb)
            fwb = (
                f(w + hw, b + hb, index)
                - f(w + hw, b - hb, index)
                - f(w - hw, b + hb, index)
                + f(w - hw, b - hb, index)
            ) / (4 * hw * hb)
        return fww, fwb, fbb


def _powers(v: Array, degree: int) -> list[Array]:
    """v^0 ... v^degree, each a (points,) array."""
    out = [np.ones_like(v), v]
    for _ in range(2, degree + 1):
        out.append(out[-1] * v)
    return out[: degree + 1]


def _sum_terms(
    c: Array, keys: tuple[tuple[int, int], ...], wp: list[Array], bp: list[Array], dw: int, db: int
) -> Array:
    """The ``dw``-th w- and ``db``-th b-derivative of sum_t c_t w^i b^j at the points."""
    total = np.zeros(len(wp[0]))
    for t, (i, j) in enumerate(keys):
        if i < dw or j < db:
            continue
        factor = math.perm(i, dw) * math.perm(j, db)
        total = total + (factor * c[t]) * (wp[i - dw] * bp[j - db])
    return total
