"""Syntax tree -> sympy expression, checked node by node at sample points.

While converting, every node is also evaluated with numpy at a fixed set of
sample points, so that huge constants, undefined constants (``log(0)``) and
functions with no real value anywhere (``sqrt(-x^2 - 1)``) are refused with a
message that names the culprit and its column.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import sympy

from gdplayground.core.expression.syntax import _Node, _Parser
from gdplayground.core.expression.tokens import (
    MAX_TEXT_LENGTH,
    ExpressionError,
    _abbreviate,
    _tokenize,
)
from gdplayground.core.expression.vocabulary import (
    _DOMAIN_HINTS,
    _FUNCTIONS,
    CONSTANTS,
    XY,
    Names,
)

MAX_EXPONENT = 1000  # largest |exponent| of a constant power
MAX_MAGNITUDE = 1e300  # largest |value| of a constant
MAX_RATIONAL_BITS = 12_000  # exact fractions stay well below Python's int-to-str limit
MAX_ROOT_BITS = 1_100  # largest number (in bits) sympy may take a fractional power of
ROOT_BITS_BUDGET = 4_000  # total bits of such roots in one expression (they cost time)


# ------------------------------------------------------------------- sample points


def _sample_points() -> tuple[np.ndarray, np.ndarray]:
    """A fixed spread of points: a wide grid through 0, a fine grid near 0, a few odd points."""
    wide = np.linspace(-10.0, 10.0, 21) * 0.9731  # through 0, otherwise not whole numbers
    near = np.linspace(-0.9, 0.9, 7)
    odd = np.array([[0.3, -0.2], [1e-3, 2e-3], [-0.5, 0.25], [0.1, 0.7], [2.5, -3.7]])
    parts_x, parts_y = [], []
    for grid in (wide, near):
        gx, gy = np.meshgrid(grid, grid)
        parts_x.append(gx.ravel())
        parts_y.append(gy.ravel())
    xs = np.concatenate([*parts_x, odd[:, 0]])
    ys = np.concatenate([*parts_y, odd[:, 1]])
    xs.setflags(write=False)
    ys.setflags(write=False)
    return xs, ys


_SAMPLE_X, _SAMPLE_Y = _sample_points()


@lru_cache(maxsize=64)
def _sample_values(names: Names) -> dict[str, np.ndarray]:
    """Each name's values at the sample points.  The first two variables take the
    grid's two coordinates (x and y of a function f(x, y)); any further one takes
    the first coordinate in another order, so that every pair of variables meets
    in many different combinations."""
    count = len(_SAMPLE_X)
    values: dict[str, np.ndarray] = {"pi": np.asarray(np.pi), "e": np.asarray(np.e)}
    strides = (k for k in range(2, count) if math.gcd(k, count) == 1)
    for j, name in enumerate(names.variables):
        if j < 2:
            values[name] = (_SAMPLE_X, _SAMPLE_Y)[j]
        else:
            shuffled = _SAMPLE_X[(np.arange(count) * next(strides)) % count]
            shuffled.setflags(write=False)
            values[name] = shuffled
    return values


# ---------------------------------------------------------------------------- builder

_BAD_VALUES = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


@dataclass(frozen=True)
class _Built:
    """A node converted to sympy, with its values at the sample points."""

    expr: sympy.Expr
    values: np.ndarray  # 0-d for constants
    constant: bool  # no x or y in the node (as written, or after sympy's evaluation)
    # the deepest node inside with no finite sample value, and the part of the
    # sample points where that is because a value overflowed float64
    undefined: tuple[_Node, float] | None = None
    # sample points where the value is not finite because it overflowed (here or
    # below), as opposed to being undefined (a pole, a root of a negative number)
    overflowed: np.ndarray | bool = False
    # the node as written (see Written), before sympy's automatic simplification
    written: tuple = ()


def _is_bad(expr: sympy.Basic) -> str | None:
    """'undefined' / 'not real' if ``expr`` or its first two levels are zoo, nan or imaginary."""
    for level1 in (expr, *expr.args):
        for item in (level1, *level1.args):
            if item in _BAD_VALUES:
                return "undefined"
            if item is sympy.I or _negative_root(item):
                return "not a real number"
    return None


def _negative_root(expr: sympy.Basic) -> bool:
    """A fractional power of a negative number, such as the (-1)^(13/50) sympy
    makes of (-(x^2))^0.26: not a real number."""
    return bool(
        expr.is_Pow
        and expr.base.is_Number
        and expr.base.is_negative
        and expr.exp.is_Number
        and not expr.exp.is_integer
    )


def _rational_bits(expr: sympy.Basic, depth: int = 3) -> int:
    """Largest numerator/denominator size (bits) of rationals in products and powers."""
    if expr.is_Rational:
        return max(int(expr.p).bit_length(), int(expr.q).bit_length())
    if depth == 0 or not (expr.is_Mul or expr.is_Pow):
        return 0
    return max((_rational_bits(arg, depth - 1) for arg in expr.args), default=0)


#: Functions whose value can overflow float64 at a finite argument (log(0) = -inf is a pole).
_OVERFLOWING_FUNCTIONS = frozenset({"exp", "sinh", "cosh", "softplus"})


def _overflowed_below(children: tuple[_Built, ...]) -> np.ndarray | bool:
    """Sample points where some child's value overflowed."""
    found: np.ndarray | bool = False
    for child in children:
        found = found | child.overflowed
    return found


def _overflows(node: _Node, built: _Built, children: tuple[_Built, ...]) -> np.ndarray | bool:
    """Sample points where this node's own operation, on finite values, went beyond
    float64 (rather than hitting a pole such as 1/0 or log(0), or having no real value)."""
    inputs_finite: np.ndarray | bool = True
    for child in children:
        inputs_finite = inputs_finite & np.isfinite(child.values)
    infinite = np.isinf(built.values)
    if node.kind in ("neg", "sum"):
        return inputs_finite
    if node.kind == "product":  # 1e200*1e200*0 is nan: still an overflow; x/0 is a pole
        poles: np.ndarray | bool = False
        for op, child in zip(node.ops, children, strict=True):
            if op == "/":
                poles = poles | (child.values == 0)
        return inputs_finite & ~poles
    if node.kind == "power":
        return inputs_finite & infinite & (children[0].values != 0)
    if node.kind == "call":
        return inputs_finite & infinite & (node.name in _OVERFLOWING_FUNCTIONS)
    return False


def _first_value(values: np.ndarray) -> float:
    return float(values) if values.ndim == 0 else float(values.flat[0])


class _Builder:
    """Converts a checked syntax tree to sympy, refusing what cannot be a real function."""

    def __init__(self, text: str, names: Names = XY) -> None:
        self.text = text
        self.names = names
        self.samples = _sample_values(names)
        self.root_bits = ROOT_BITS_BUDGET

    def build(self, node: _Node) -> _Built:
        children = tuple(self.build(child) for child in node.children)
        built = getattr(self, f"_build_{node.kind}")(node, children)
        built = self._check_result(node, built, children)
        if built.values.ndim > 0:
            finite = np.isfinite(built.values)
            overflowed = ~finite & (_overflowed_below(children) | _overflows(node, built, children))
            built = replace(built, overflowed=overflowed)
            if not finite.any():
                inner = next((child.undefined for child in children if child.undefined), None)
                built = replace(built, undefined=inner or (node, float(overflowed.mean())))
            elif not finite.all():
                # a pole (1/0 = inf) is not a value: stop later steps turning it into
                # a finite one (inf^-0.5 = 0) that would hide "undefined everywhere"
                built = replace(built, values=np.where(finite, built.values, np.nan))
        return replace(built, written=_written(node, built, children, self.names))

    # -- one method per node kind

    def _build_num(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        value = node.number
        assert value is not None
        expr = sympy.Rational(value.numerator, value.denominator)
        return _Built(expr, np.asarray(float(value)), True)

    def _build_name(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        values = np.asarray(self.samples[node.name])
        return _Built(self.names.symbols[node.name], values, node.name in CONSTANTS)

    def _build_neg(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        (operand,) = children
        return _Built(-operand.expr, -operand.values, operand.constant)

    def _build_sum(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        terms, values = [], np.asarray(0.0)
        for op, child in zip(node.ops, children, strict=True):
            terms.append(child.expr if op == "+" else -child.expr)
            values = values + child.values if op == "+" else values - child.values
        return self._combine(sympy.Add(*terms), values, children)

    def _build_product(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        factors, values = [], np.asarray(1.0)
        for op, child_node, child in zip(node.ops, node.children, children, strict=True):
            if op == "*":
                factors.append(child.expr)
                values = values * child.values
                continue
            if child.expr.is_zero is True:
                shown = self._shown(child_node)
                detail = "" if shown == "0" else f": {shown} is 0"
                raise ExpressionError(f"division by zero{detail}", child_node.start + 1)
            factors.append(sympy.Pow(child.expr, -1))
            values = values / child.values
        built = self._combine(sympy.Mul(*factors), values, children)
        self._check_exponents(node, built.expr)
        return built

    def _build_power(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        base, exponent = children
        values = np.power(base.values, exponent.values)
        if exponent.constant:
            self._check_power_size(node, base, exponent, values)
        elif base.constant:
            self._check_variable_power(node, base)
        if not exponent.expr.is_integer:
            self._charge_root(node, base.expr)
        expr = sympy.Pow(base.expr, exponent.expr)
        self._check_exponents(node, expr)
        return _Built(expr, values, bool(base.constant and exponent.constant or expr.is_Number))

    def _build_call(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        (argument,) = children
        to_sympy, to_numpy = _FUNCTIONS[node.name]
        if node.name in ("sqrt", "cbrt"):
            self._charge_root(node, argument.expr)
        expr = to_sympy(argument.expr)
        return _Built(expr, to_numpy(argument.values), bool(argument.constant or expr.is_Number))

    def _combine(
        self, expr: sympy.Expr, values: np.ndarray, children: tuple[_Built, ...]
    ) -> _Built:
        constant = all(child.constant for child in children) or expr.is_Number
        return _Built(expr, values, bool(constant))

    # -- checks before sympy does expensive work

    def _check_power_size(
        self, node: _Node, base: _Built, exponent: _Built, values: np.ndarray
    ) -> None:
        power = _first_value(exponent.values)
        base_node, exponent_node = node.children
        if not np.isfinite(power) or abs(power) > MAX_EXPONENT:
            raise ExpressionError(
                f"exponent {self._shown(exponent_node)} is too large: "
                f"use exponents between -{MAX_EXPONENT} and {MAX_EXPONENT}",
                exponent_node.start + 1,
            )
        if base.constant:
            result, base_value = _first_value(values), _first_value(base.values)
            if base_value != 0 and (np.isinf(result) or abs(result) > MAX_MAGNITUDE):
                raise self._too_large(node)
        if _rational_bits(base.expr) * abs(power) > MAX_RATIONAL_BITS:
            raise ExpressionError(
                f"{self._shown(node)} has too many digits to compute exactly: "
                "use fewer decimals or a smaller power",
                node.start + 1,
            )

    def _check_variable_power(self, node: _Node, base: _Built) -> None:
        """Refuse (-2)^x (real only at whole x) and 0^x (0 or undefined, with no gradient)."""
        if base.expr.is_zero is False and _first_value(base.values) < 0:
            raise ExpressionError(
                f"{self._shown(node)} is not a real number: a negative number to a power "
                "is real only for whole-number powers",
                node.start + 1,
            )
        if base.expr.is_zero:
            raise ExpressionError(
                f"{self._shown(node)} is 0 where it is defined (and undefined elsewhere): "
                "write 0 instead",
                node.start + 1,
            )

    def _charge_root(self, node: _Node, base: sympy.Expr) -> None:
        """Fractional powers of big exact numbers make sympy factorise them: bound that work."""
        bits = _rational_bits(base)
        if bits <= 64:
            return
        self.root_bits -= bits
        if bits > MAX_ROOT_BITS or self.root_bits < 0:
            raise ExpressionError(
                f"{self._shown(node)}: roots of such large numbers are too costly to compute "
                "exactly — use smaller numbers",
                node.start + 1,
            )

    def _check_exponents(self, node: _Node, expr: sympy.Expr) -> None:
        """Refuse x^(huge) also when sympy folds powers together: (x^900)^900, x^900*x^900."""
        for item in (expr, *expr.args) if expr.is_Mul else (expr,):
            power = item.exp if item.is_Pow else None
            if power is not None and power.is_Number and abs(power) > MAX_EXPONENT:
                raise ExpressionError(
                    f"{self._shown(node)} has a power above {MAX_EXPONENT}: "
                    f"use exponents between -{MAX_EXPONENT} and {MAX_EXPONENT}",
                    node.start + 1,
                )

    # -- checks after each node

    def _check_result(self, node: _Node, built: _Built, children: tuple[_Built, ...]) -> _Built:
        problem = _is_bad(built.expr)
        if problem:
            raise self._domain_error(node, problem, children)
        if _rational_bits(built.expr, depth=1) > MAX_RATIONAL_BITS:
            raise ExpressionError(
                f"{self._shown(node)} has too many digits to compute exactly: "
                "use fewer decimals or a smaller power",
                node.start + 1,
            )
        return self._check_constant(node, built, children) if built.constant else built

    def _check_constant(self, node: _Node, built: _Built, children: tuple[_Built, ...]) -> _Built:
        value = _first_value(built.values)
        if np.isfinite(value) and abs(value) <= MAX_MAGNITUDE:
            return built
        # Floats may fail where exact maths does not (log(exp(-1000)), sqrt(2 - sqrt(2)^2)):
        # ask sympy for the value of this (bounded, already checked) constant.
        try:
            exact = complex(sympy.N(built.expr, 20))
        except (TypeError, ValueError, ArithmeticError):
            raise self._domain_error(node, "undefined", children) from None
        if not np.isfinite(exact.real) or not np.isfinite(exact.imag):
            raise self._too_large(node)
        if abs(exact.imag) > 1e-12 * max(1.0, abs(exact.real)):
            raise self._domain_error(node, "not a real number", children)
        if abs(exact.real) > MAX_MAGNITUDE:
            raise self._too_large(node)
        return replace(built, values=np.asarray(exact.real))

    # -- messages

    def _shown(self, node: _Node) -> str:
        return _abbreviate(self.text[node.start : node.end])

    def _too_large(self, node: _Node) -> ExpressionError:
        return ExpressionError(
            f"{self._shown(node)} is too large: values must stay below 1e300", node.start + 1
        )

    def _domain_error(
        self, node: _Node, problem: str, children: tuple[_Built, ...]
    ) -> ExpressionError:
        message = f"{self._shown(node)} is {problem}"
        hint = None
        if node.kind == "call":
            hint = _DOMAIN_HINTS.get(node.name)
        elif node.kind == "power":
            hint = _power_hint(children[0])
        return ExpressionError(f"{message}: {hint}" if hint else message, node.start + 1)


def _written(node: _Node, built: _Built, children: tuple[_Built, ...], names: Names) -> tuple:
    """``node`` as written: nested tuples with constants (as written) folded exactly.

    ("c", value) | ("var", name) | ("neg", w) | ("sum", ((op, w), ...)) |
    ("product", ((op, w), ...)) | ("power", base, exponent) | ("call", name, w)
    """
    variable = node.kind == "name" and node.name in names.variables
    if not variable and all(child.written[0] == "c" for child in children):
        try:
            return ("c", float(built.expr))
        except (TypeError, ValueError, OverflowError):
            return ("c", _first_value(built.values))
    if variable:
        return ("var", node.name)
    if node.kind in ("sum", "product"):
        return (node.kind, _fold_constants(node, children))
    parts = tuple(child.written for child in children)
    if node.kind == "call":
        return ("call", node.name, parts[0])
    return (node.kind, *parts)  # neg, power


def _fold_constants(node: _Node, children: tuple[_Built, ...]) -> tuple:
    """The (op, written) terms of a sum or product, its constants combined exactly
    first (``0.1*3*x`` is ``0.3*x``, as numbers are kept exact everywhere else)."""
    as_written = tuple((op, child.written) for op, child in zip(node.ops, children, strict=True))
    constants = [
        (op, child.expr)
        for op, child in zip(node.ops, children, strict=True)
        if child.written[0] == "c"
    ]
    if len(constants) < 2:
        return as_written
    if node.kind == "sum":
        exact = sympy.Add(*(e if op == "+" else -e for op, e in constants))
    else:
        exact = sympy.Mul(*(e if op == "*" else 1 / e for op, e in constants))
    try:
        value = float(exact)
    except (TypeError, ValueError, OverflowError):
        return as_written
    first = "+" if node.kind == "sum" else "*"
    return ((first, ("c", value)), *(term for term in as_written if term[1][0] != "c"))


@dataclass(frozen=True)
class ParsedFunction:
    """A parsed function: sympy's expression (simplified: for text and derivatives
    to show) and the function as written (for evaluation: sympy's simplification
    can widen where it is defined, ``sqrt(x)^2`` becoming ``x``)."""

    expr: sympy.Expr
    written: tuple
    names: Names = XY


def _power_hint(base: _Built) -> str | None:
    if base.expr.is_zero:
        return "0 to a negative power has no value"
    if _first_value(base.values) < 0:
        return "a negative number to a fractional power is not real (use cbrt for cube roots)"
    return None


# ------------------------------------------------------------------------------ public


def parse_expression(text: str, names: Names = XY) -> sympy.Expr:
    """Turn the user's text into a sympy expression in ``X`` and ``Y`` (or in the
    variables of ``names``: real sympy symbols of the same names).

    Only ever raises :class:`ExpressionError`, whose message says what is wrong
    and what to write instead. Hostile input (huge, deeply nested, enormous
    numbers) is refused cheaply, before sympy does any expensive work.
    """
    return parse_function(text, names).expr


#: How many recently parsed functions are remembered (see :func:`parse_function`).
RECENT_PARSES = 16
_recent: OrderedDict[tuple[str, Names], ParsedFunction] = OrderedDict()
_recent_lock = threading.Lock()


def parse_function(text: str, names: Names = XY) -> ParsedFunction:
    """:func:`parse_expression`, keeping the function as written too.

    The last few results are remembered: the window checks the text as it is
    typed, then computes with it in another thread, and building the sympy
    expression twice would cost up to ~15 ms on the way to the picture.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the {names.noun} must be given as text")
    key = (text, names)
    with _recent_lock:
        known = _recent.get(key)
        if known is not None:
            _recent.move_to_end(key)
            return known
    try:
        parsed = _parse(text, names)
    except ExpressionError:
        raise
    except Exception as error:  # a bug or a sympy limit: still a message, never a traceback
        raise ExpressionError(
            f"could not process this {names.noun} ({type(error).__name__}): try a simpler form"
        ) from error
    with _recent_lock:
        _recent[key] = parsed
        while len(_recent) > RECENT_PARSES:
            _recent.popitem(last=False)
    return parsed


def _parse(text: str, names: Names) -> ParsedFunction:
    if len(text) > MAX_TEXT_LENGTH:
        raise ExpressionError(
            f"too long: at most {MAX_TEXT_LENGTH} characters (this has {len(text)})"
        )
    tree = _Parser(text, _tokenize(text, names), names).parse()
    builder = _Builder(text, names)
    with np.errstate(all="ignore"):
        built = builder.build(tree)
    if built.expr.has(sympy.I, *_BAD_VALUES):
        raise ExpressionError(f"{builder._shown(tree)} is not a real number")
    if built.undefined is not None:
        culprit, overflowing = built.undefined
        raise ExpressionError(
            _nowhere_finite(names.symbol, builder._shown(culprit), overflowing),
            culprit.start + 1,
        )
    return ParsedFunction(built.expr, built.written, names)


def _nowhere_finite(symbol: str, shown: str, overflowing: float) -> str:
    """Why ``shown`` has no finite value at any sample point: it overflows float64
    (at the part ``overflowing`` of them), or it has no real value."""
    if overflowing >= 1:
        return (
            f"{symbol} overflows float64 everywhere: {shown} is beyond ±1.8e308 at every test "
            "point; rescale it (smaller constants, powers or exp arguments)"
        )
    if overflowing > 0:
        return (
            f"{symbol} is nowhere finite: {shown} overflows float64 (beyond ±1.8e308) at "
            f"{overflowing:.0%} of the test points and has no real value at the others; "
            "rescale it"
        )
    return f"{symbol} is undefined everywhere: {shown} has no real value at any point"
