"""A data fit's two expressions: the model m(x; w, b) and the per-example loss ℓ(m, y).

Both are typed in the function language and parsed by the same parser, against
the names they may use: the model ``w``, ``b`` and the data's columns, the loss
``m`` and the columns (and both ``pi`` and ``e``).  A name the data lacks gets
the parser's message, which lists the names there are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gdplayground.core.evaluator import Graph, Program
from gdplayground.core.expression import ExpressionError, ParsedFunction, parse_function
from gdplayground.core.expression.vocabulary import Names

#: The parameters, in the order of the views' axes.
PARAMETERS = ("w", "b")
#: The name the loss gives the model's output.
OUTPUT = "m"


class FitExpressionError(ExpressionError):
    """A model or loss that cannot be used; ``part`` is "model" or "loss"."""

    def __init__(self, part: str, message: str, column: int | None = None) -> None:
        self.part = part
        super().__init__(message, column)

    def __reduce__(self) -> tuple[type[FitExpressionError], tuple[str, str, int | None]]:
        return (type(self), (self.part, self.message, self.column))


def model_names(columns: Sequence[str]) -> Names:
    """What a model may name: w, b and the columns."""
    first = columns[0] if columns else "x"
    return Names((*PARAMETERS, *columns), "model", OUTPUT, f"w*{first} + b")


def loss_names(columns: Sequence[str]) -> Names:
    """What a loss may name: m and the columns."""
    last = columns[-1] if columns else "y"
    return Names((OUTPUT, *columns), "loss", "ℓ", f"(m - {last})^2")


@dataclass(frozen=True)
class Fit:
    """A parsed model and loss over the columns of a data set."""

    model: ParsedFunction
    loss: ParsedFunction
    columns: tuple[str, ...]


def parse_fit(model: str, loss: str, columns: Sequence[str]) -> Fit:
    """Parse ``model`` and ``loss`` against ``columns``; raises FitExpressionError
    (saying which of the two, where, and what to write instead)."""
    columns = tuple(columns)
    parsed_model = _parse("model", model, model_names(columns))
    parsed_loss = _parse("loss", loss, loss_names(columns))
    if not {*PARAMETERS} & used_names(parsed_model.written):
        raise FitExpressionError(
            "model", f"the model uses neither w nor b: write something like w*{columns[0]} + b"
        )
    if OUTPUT not in used_names(parsed_loss.written):
        raise FitExpressionError(
            "loss",
            "the loss does not use m, the model's output: "
            f"write something like (m - {columns[-1]})^2",
        )
    return Fit(parsed_model, parsed_loss, columns)


def _parse(part: str, text: str, names: Names) -> ParsedFunction:
    try:
        return parse_function(text, names)
    except ExpressionError as error:
        raise FitExpressionError(part, error.message, error.column) from None


def used_names(tree: tuple) -> set[str]:
    """The variables a function as written uses."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if node[0] == "var":
            found.add(node[1])
        elif node[0] in ("sum", "product"):
            stack.extend(w for _, w in node[1])
        elif node[0] == "call":
            stack.append(node[2])
        elif node[0] in ("neg", "power"):
            stack.extend(node[1:])
    return found


def output_names() -> Names:
    """What a model's drawn output may name: m (e.g. ``sigmoid(m)``, a probability)."""
    return Names((OUTPUT,), "output", "p", "sigmoid(m)")


def compile_output(text: str) -> Callable[[np.ndarray], np.ndarray]:
    """What the data view draws for the model's output m (a fit preset's ``output``):
    a function of m's values; raises FitExpressionError (part "output")."""
    parsed = _parse("output", text, output_names())
    graph = Graph((OUTPUT,))
    program = Program(graph, [graph.from_written(parsed.written)])

    def output(m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.array(np.broadcast_to(program(m)[0], m.shape), dtype=np.float64)

    return output
