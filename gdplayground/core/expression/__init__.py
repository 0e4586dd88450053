"""Text -> validated syntax tree -> sympy expression, and back to text.

The user's text is never handed to Python's or sympy's own parsers: a small
tokenizer and recursive-descent parser build a syntax tree, limits keep hostile
input cheap to refuse, and our own code converts the tree to sympy objects.
While converting, every node is also evaluated with numpy at a fixed set of
sample points, so that huge constants, undefined constants (``log(0)``) and
functions with no real value anywhere (``sqrt(-x^2 - 1)``) are refused with a
message that names the culprit and its column.

One module per stage: ``vocabulary`` (the names the language knows), ``tokens``,
``syntax`` (the tree and its parser), ``building`` (tree -> sympy, checked) and
``printing`` (sympy -> text).  This package re-exports the public names.
"""

from __future__ import annotations

from gdplayground.core.expression.building import (
    MAX_EXPONENT,
    MAX_MAGNITUDE,
    RECENT_PARSES,
    ParsedFunction,
    parse_expression,
    parse_function,
)
from gdplayground.core.expression.printing import SYMPY_FUNCTION_NAMES, expression_to_text
from gdplayground.core.expression.syntax import MAX_DEPTH, MAX_NODES
from gdplayground.core.expression.tokens import MAX_TEXT_LENGTH, MAX_TOKENS, ExpressionError
from gdplayground.core.expression.vocabulary import FUNCTION_NAMES, X, Y

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_TEXT_LENGTH",
    "MAX_TOKENS",
    "FUNCTION_NAMES",
    "X",
    "Y",
    "ExpressionError",
    "expression_to_text",
    "parse_expression",
    "parse_function",
    "ParsedFunction",
    "RECENT_PARSES",
    "SYMPY_FUNCTION_NAMES",
]
