"""What the data view draws of a fit: the examples, and each model's curve m(x).

The view plots one column of the data across (the model's input, ``x`` for the
built-in sets) against another up (the loss's target, ``y``).  Where the model
reads no other column, its curve m(x; w, b) is drawn over the examples' range
(through the fit preset's ``output``, e.g. ``sigmoid(m)`` for a classifier's
probability); where it reads more columns, its prediction for each example is
drawn instead (m is not a function of one column then).  A
:class:`DataDrawing` is part of the picture: plain arrays, and a model it
compiles again when it is unpickled (export computes in another process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the language (and sympy) load only when a model is drawn
    from gdplayground.core.data.dataset import DataSet
    from gdplayground.core.data.fit import Fit
    from gdplayground.core.evaluator import Program

Array = np.ndarray

#: Points of a model curve across the examples' range.
CURVE_POINTS = 200
#: At most this many examples are drawn as points (a random sample beyond it, marked).
MAX_DRAWN_POINTS = 20_000


def axes_of(fit: Fit) -> tuple[str, str]:
    """The columns the data view plots across and up: the first column the model
    reads (the input), and the first one the loss reads that the model does not
    (the target)."""
    from gdplayground.core.data.fit import used_names

    columns = fit.columns
    model_uses = [c for c in columns if c in used_names(fit.model.written)]
    loss_uses = [c for c in columns if c in used_names(fit.loss.written) and c not in model_uses]
    across = model_uses[0] if model_uses else next(c for c in columns if c not in loss_uses[:1])
    up = loss_uses[0] if loss_uses else next((c for c in columns if c != across), across)
    return across, up


@dataclass(frozen=True, eq=False)
class DataDrawing:
    """The examples (``x`` across, ``y`` up, named ``x_name`` and ``y_name``) and what
    a model's output looks like for given (w, b): :meth:`model_at`."""

    x_name: str
    y_name: str
    x: Array
    y: Array
    #: all n examples' values of every column (to predict each example)
    columns: tuple[str, ...]
    values: Array
    model_text: str
    output_text: str | None
    description: str
    #: which examples ``x`` and ``y`` hold (None: all, in order)
    shown: Array | None = None
    _compiled: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """The number of examples."""
        return self.values.shape[1]

    @property
    def per_example(self) -> bool:
        """Whether the model reads more columns than ``x`` (then each example's
        prediction is drawn, not a curve)."""
        reads = self._program()[1]
        return any(c != self.x_name for c in reads)

    def curve_x(self) -> Array:
        """Where a model curve is evaluated: across the examples' range."""
        low, high = float(np.min(self.x)), float(np.max(self.x))
        pad = 0.05 * (high - low) if high > low else 1.0
        return np.linspace(low - pad, high + pad, CURVE_POINTS)

    def model_at(self, w: float, b: float) -> tuple[Array, Array]:
        """(xs, outputs) of the model at (w, b): a curve over :meth:`curve_x`, or each
        shown example's prediction at its x (sorted by x) when it reads more columns."""
        program, reads = self._program()
        if self.per_example:
            index = self.shown if self.shown is not None else slice(None)
            inputs = [self.values[self.columns.index(c)][index] for c in self.columns]
            xs = self.x
        else:
            xs = self.curve_x()
            inputs = [xs if c == self.x_name else np.zeros(1) for c in self.columns]
        with np.errstate(all="ignore"):
            (m,) = program(np.float64(w), np.float64(b), *inputs)
            m = np.array(np.broadcast_to(m, xs.shape), dtype=np.float64)
            if self.output_text is not None:
                m = self._output()(m)
        order = np.argsort(xs, kind="stable")
        return xs[order], m[order]

    def _program(self) -> tuple[Program, tuple[str, ...]]:
        if "program" not in self._compiled:
            from gdplayground.core.data.fit import PARAMETERS, parse_fit, used_names
            from gdplayground.core.evaluator import Graph, Program

            fit = parse_fit(self.model_text, "m", self.columns)
            graph = Graph((*PARAMETERS, *self.columns))
            with np.errstate(all="ignore"):
                node = graph.from_written(fit.model.written)
            reads = tuple(c for c in self.columns if c in used_names(fit.model.written))
            self._compiled["program"] = (Program(graph, [node]), reads)
        return self._compiled["program"]

    def _output(self):
        if "output" not in self._compiled:
            from gdplayground.core.data.fit import compile_output

            self._compiled["output"] = compile_output(self.output_text)
        return self._compiled["output"]

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_compiled"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def data_drawing(
    fit: Fit, model_text: str, data: DataSet, output: str | None = None
) -> DataDrawing:
    """What the data view draws of ``data`` for ``fit`` (typed as ``model_text``;
    ``output``: what it draws for a model's output, e.g. ``sigmoid(m)``)."""
    across, up = axes_of(fit)
    shown = None
    if data.n > MAX_DRAWN_POINTS:  # a fixed sample: the same points every frame
        shown = np.sort(np.random.default_rng(0).choice(data.n, MAX_DRAWN_POINTS, replace=False))
    x, y = data.column(across), data.column(up)
    if shown is not None:
        x, y = x[shown], y[shown]
    return DataDrawing(
        across,
        up,
        np.asarray(x),
        np.asarray(y),
        data.columns,
        data.values,
        model_text,
        output,
        data.description,
        shown,
    )
