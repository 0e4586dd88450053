"""Property-based tests of the function language (hypothesis)."""

from __future__ import annotations

import cmath
import math
import random
from collections.abc import Callable
from datetime import timedelta

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gdplayground.core.expression import (
    FUNCTION_NAMES,
    ExpressionError,
    X,
    Y,
    expression_to_text,
    parse_expression,
)

parse_expression("sin(x)^2 + sqrt(y)")  # warm sympy's caches before hypothesis times anything

# --------------------------------------------------- (1) any text: a result or a message

TOKEN_ALPHABET = "xy0123456789.+-*/^()e pisncoqrtlgabh²³×·−–÷π,"


def check_outcome(text: str) -> None:
    """parse_expression returns a sympy.Expr or raises a well-formed ExpressionError."""
    try:
        result = parse_expression(text)
    except ExpressionError as error:
        assert error.__cause__ is None, f"internal error wrapped: {error.__cause__!r}"
        assert error.message
        assert error.column is None or 1 <= error.column <= len(text) + 1
        return
    assert isinstance(result, sympy.Expr)
    assert result.free_symbols <= {X, Y}


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_any_unicode_text_gives_a_result_or_a_message(text: str) -> None:
    check_outcome(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=TOKEN_ALPHABET, max_size=40))
def test_any_token_soup_gives_a_result_or_a_message(text: str) -> None:
    check_outcome(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*FUNCTION_NAMES, "x", "y", "pi", "e", "2", "0.5", "1e3",
                                 "+", "-", "*", "/", "^", "**", "(", ")", "(", ")", " ",
                                 ",", "²", "π", "−", "×"]), max_size=25))  # fmt: skip
def test_any_token_sequence_gives_a_result_or_a_message(tokens: list[str]) -> None:
    check_outcome("".join(tokens))


# ---------------------------------------------------------- random expression trees
# A tree is ("num", text) | ("name", n) | ("neg", t) | ("op", o, a, b) | ("call", f, t).

LEAVES = st.one_of(
    st.integers(0, 12).map(lambda n: ("num", str(n))),
    st.sampled_from(["0.5", "2.5", "0.26", "1e-3", "1.05", "3.75"]).map(lambda s: ("num", s)),
    st.sampled_from(["x", "y", "pi", "e"]).map(lambda n: ("name", n)),
)
SMALL_EXPONENTS = st.sampled_from(["2", "3", "-1", "-2", "0.5", "1.5", "1/3", "-1/2", "2/3"])


def extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.just("op"), st.sampled_from("+-*/"), children, children),
        st.tuples(st.just("op"), st.just("^"), children, SMALL_EXPONENTS.map(lambda s: ("num", s))),
        st.tuples(st.just("op"), st.just("^"), children, LEAVES),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("call"), st.sampled_from(FUNCTION_NAMES), children),
    )


TREES = st.recursive(LEAVES, extend, max_leaves=12)

MULTIPLY = ["*", "×", "·", "⋅", ""]  # "" is implicit: ")(" always multiplies
MINUS = ["-", "−", "–"]


def render(tree: tuple, pick: Callable[[list[str]], str] = lambda options: options[0]) -> str:
    """Fully bracketed text for ``tree``; ``pick`` chooses among equivalent spellings."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        return pick(["pi", "π"]) if tree[1] == "pi" else tree[1]
    if kind == "neg":
        return f"{pick(MINUS)}({render(tree[1], pick)})"
    if kind == "call":
        return f"{tree[1]}({render(tree[2], pick)})"
    op = {"*": pick(MULTIPLY), "-": pick(MINUS), "/": pick(["/", "÷"]), "^": pick(["^", "**"])}
    space = pick(["", " ", "\t"])
    left, right = render(tree[2], pick), render(tree[3], pick)
    return f"({left}){space}{op.get(tree[1], tree[1])}{space}({right})"


MATH: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "exp": math.exp, "log": math.log, "ln": math.log, "log2": math.log2, "log10": math.log10,
    "sqrt": math.sqrt, "cbrt": lambda v: math.copysign(abs(v) ** (1 / 3), v), "abs": abs,
    "sign": lambda v: 0.0 if v == 0 else math.copysign(1.0, v),
    "sigmoid": lambda v: 1 / (1 + math.exp(-v)), "relu": lambda v: max(v, 0.0),
    "softplus": lambda v: v if v > 20 else math.log1p(math.exp(v)),
}  # fmt: skip


def reference(tree: tuple, x: float, y: float) -> float:
    """Evaluate ``tree`` with the math module; raises where the function is undefined."""
    kind = tree[0]
    if kind == "num":
        numerator, _, denominator = tree[1].partition("/")
        value = float(numerator) / float(denominator or 1)
    elif kind == "name":
        value = {"x": x, "y": y, "pi": math.pi, "e": math.e}[tree[1]]
    elif kind == "neg":
        value = -reference(tree[1], x, y)
    elif kind == "call":
        value = MATH[tree[1]](reference(tree[2], x, y))
    else:
        a, b = reference(tree[2], x, y), reference(tree[3], x, y)
        value = {"+": a + b, "-": a - b, "*": a * b}.get(tree[1]) if tree[1] in "+-*" else 0.0
        if tree[1] == "^" and abs(a) < 1e-6 and b != int(b):
            # a fractional power of float noise (sin(pi) = 1.2e-16, exactly 0) is not
            # a reference: 0^0.26 = 0, but (1.2e-16)^0.26 = 7e-5
            raise OverflowError
        value = a / b if tree[1] == "/" else math.pow(a, b) if tree[1] == "^" else value
    if not math.isfinite(value) or abs(value) > 1e8:  # keep float cancellation negligible
        raise OverflowError
    return value


def parsed_or_reject(text: str) -> sympy.Expr:
    try:
        return parse_expression(text)
    except ExpressionError:
        assume(False)
        raise


TREE_SETTINGS = settings(
    max_examples=300,
    # sympy's automatic simplification time varies a lot between trees of the same size
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@TREE_SETTINGS
@given(TREES)
def test_parsed_trees_compute_what_the_text_says(tree: tuple) -> None:
    point = (0.7, 1.3)
    try:
        expected = reference(tree, *point)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    expr = parsed_or_reject(render(tree))
    actual = complex(sympy.N(expr.subs({X: point[0], Y: point[1]}), 30))
    assert abs(actual.imag) <= 1e-9
    assert math.isclose(actual.real, expected, rel_tol=1e-7, abs_tol=1e-7)


@TREE_SETTINGS
@given(TREES, st.randoms(use_true_random=False))
def test_every_spelling_of_a_tree_parses_the_same(tree: tuple, rng: random.Random) -> None:
    plain = parsed_or_reject(render(tree))
    assert parse_expression(render(tree, rng.choice)) == plain


def value_at(expr: sympy.Expr, point: tuple[float, float]) -> complex:
    """expr at point to 30 digits; nan where sympy finds no finite number."""
    try:
        return complex(sympy.N(expr.subs({X: point[0], Y: point[1]}), 30))
    except (TypeError, ValueError):
        return complex("nan")


@TREE_SETTINGS
@given(TREES)
def test_printed_expressions_parse_back_to_the_same_expression(tree: tuple) -> None:
    expr = parsed_or_reject(render(tree))
    again = parse_expression(expression_to_text(expr))
    if again == expr:
        return
    # sympy's automatic rewriting is not canonical: rebuilding a printed tree may
    # regroup a product (Mul(Mul(a, b), c) against Mul(a, b, c)) or factor roots of
    # numbers differently (10^(7/9)/10 as 2^(7/9)*5^(7/9)/10). The function must be
    # the same: checked at points in all four quadrants.
    for point in ((0.7, 1.3), (-2.1, 0.4), (-0.3, -1.7), (1.9, -0.6)):
        a, b = value_at(expr, point), value_at(again, point)
        if not (cmath.isfinite(a) and cmath.isfinite(b)):
            assert cmath.isfinite(a) == cmath.isfinite(b)
            continue
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a))
