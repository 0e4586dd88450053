"""Behaviour of the function language: what a user may type, and what they are told."""

from __future__ import annotations

import math
import pickle
import time

import pytest
import sympy

from gdplayground.core import expression
from gdplayground.core.expression import (
    FUNCTION_NAMES,
    MAX_DEPTH,
    ExpressionError,
    X,
    Y,
    expression_to_text,
    parse_expression,
    parse_function,
)
from gdplayground.model.presets import load_presets


def value_at(text: str, x: float = 0.0, y: float = 0.0) -> float:
    """The parsed function's value at (x, y), evaluated exactly by sympy."""
    result = complex(sympy.N(parse_expression(text).subs({X: x, Y: y}), 30))
    assert result.imag == 0
    return result.real


def error_for(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    return info.value


# ------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", sympy.Integer(3)),
        ("0.5", sympy.Rational(1, 2)),
        (".5", sympy.Rational(1, 2)),
        ("5.", sympy.Integer(5)),
        ("1e-3", sympy.Rational(1, 1000)),
        ("2.5E+4", sympy.Integer(25000)),
        ("1e300", sympy.Integer(10) ** 300),
        ("1e-300", sympy.Rational(1, 10**300)),
        ("007", sympy.Integer(7)),
        ("0.26", sympy.Rational(13, 50)),
    ],
)
def test_numbers_are_exact(text: str, expected: sympy.Expr) -> None:
    assert parse_expression(text) == expected


def test_decimals_stay_exact_so_reparsing_is_lossless() -> None:
    expr = parse_expression("0.26*(x^2 + y^2) - 0.48*x*y")
    assert expr == sympy.Rational(13, 50) * (X**2 + Y**2) - sympy.Rational(12, 25) * X * Y
    assert expression_to_text(expr) == "0.26*x^2 - 0.48*x*y + 0.26*y^2"


def test_names_are_the_real_symbols_and_constants() -> None:
    assert parse_expression("x") is X
    assert parse_expression("y") is Y
    assert X.is_real and Y.is_real
    assert parse_expression("pi") == sympy.pi
    assert parse_expression("e") == sympy.E
    assert parse_expression("e^x") == sympy.exp(X)


# ---------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + y", X + Y),
        ("x - y", X - Y),
        ("x * y", X * Y),
        ("x / y", X / Y),
        ("x ^ y", X**Y),
        ("x ** y", X**Y),
        ("-x", -X),
        ("+x", X),
        ("--x", X),
        ("x - -y", X + Y),
        ("2*-3", sympy.Integer(-6)),
        ("x/-y", -X / Y),
        ("1 + 2*3", sympy.Integer(7)),
        ("(1 + 2)*3", sympy.Integer(9)),
        ("8/2/2", sympy.Integer(2)),
        ("8 - 2 - 2", sympy.Integer(4)),
        ("2^3^2", sympy.Integer(512)),
        ("2**3**2", sympy.Integer(512)),
        ("-x^2", -(X**2)),
        ("-2^2", sympy.Integer(-4)),
        ("2^-1", sympy.Rational(1, 2)),
        ("x^-y^2", X ** (-(Y**2))),
        ("2*x^2", 2 * X**2),
        ("x*y^2", X * Y**2),
        ("-x*y", -X * Y),
        ("((x))", X),
    ],
)
def test_operators_precedence_and_associativity(text: str, expected: sympy.Expr) -> None:
    assert parse_expression(text) == expected


def test_leading_minus_covers_the_whole_product() -> None:
    assert parse_expression("-(x + 1)/y") == sympy.Mul(-1, 1 / Y, X + 1)


# ----------------------------------------------------------- implicit multiplication


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x", 2 * X),
        ("2 x", 2 * X),
        ("3(x+1)", 3 * (X + 1)),
        ("2pi", 2 * sympy.pi),
        ("2e", 2 * sympy.E),
        ("2sin(x)", 2 * sympy.sin(X)),
        ("(x+1)(y-1)", (X + 1) * (Y - 1)),
        ("sin(x)cos(y)", sympy.sin(X) * sympy.cos(Y)),
        ("(x+1)2", 2 * (X + 1)),
        ("(x)y", X * Y),
        ("2x^2", 2 * X**2),
        ("1/2x", X / 2),
        ("1e-3x", X / 1000),
        ("2e3x", 2000 * X),
        ("x²y", X**2 * Y),
    ],
)
def test_implicit_multiplication_where_a_reader_sees_it(text: str, expected: sympy.Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "column", "hint"),
    [
        ("xy", 1, "write x*y"),
        ("x y", 3, "write x*y"),
        ("pi x", 4, "write pi*x"),
        ("π x", 3, "write pi*x"),
        ("pix", 1, "write pi*x"),
        ("2ex", 2, "write e*x"),
        ("x sin(y)", 3, "write x*sin(...)"),
        ("xsin(y)", 1, "write x*sin(...)"),
        ("x 2", 3, "write x*2"),
        ("2 3", 3, "write 2*3"),
        ("x2", 1, "write x^2 for a power or x*2"),
        ("x(y)", 2, "'x' is not a function: write x*(...)"),
        ("sinx", 1, "write sin(x)"),
        ("cosxy", 1, "write cos(x*y)"),
        ("log2x", 1, "write log2(x)"),
    ],
)
def test_names_side_by_side_are_refused_with_a_hint(text: str, column: int, hint: str) -> None:
    error = error_for(text)
    assert hint in error.message
    assert error.column == column


# ------------------------------------------------------------------------ unicode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x²", X**2),
        ("x³ + y²", X**3 + Y**2),
        ("x¹⁰", X**10),
        ("2×x", 2 * X),
        ("x·y", X * Y),
        ("x⋅y", X * Y),
        ("x−y", X - Y),
        ("x–y", X - Y),
        ("x÷y", X / Y),
        ("π", sympy.pi),
        ("2π", 2 * sympy.pi),
        ("x\t+\ty", X + Y),
        ("x\u00a0+ y", X + Y),
    ],
)
def test_pasted_unicode_is_understood(text: str, expected: sympy.Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("é + x", 1, "character 'é' (U+00E9) is not allowed"),
        ("x + ∑", 5, "'∑' (U+2211)"),
        ("x\x07", 2, "U+0007"),
        ("x\u200b+y", 2, "U+200B"),
        ("x +\ny", 4, "one line"),
        ("x = 2", 3, "no '='"),
        ("|x|", 1, "abs(...)"),
        ("[x]", 1, "( and )"),
        ("√x", 1, "sqrt(...)"),
        ("x // 2", 3, "use / to divide"),
        ("x % 2", 3, "character '%' is not allowed"),
    ],
)
def test_other_characters_are_named_with_their_column(
    text: str, column: int, fragment: str
) -> None:
    error = error_for(text)
    assert fragment in error.message
    assert error.column == column


# ---------------------------------------------------------------------- functions

POINT = 0.3  # in every function's domain


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("sin", math.sin),
        ("cos", math.cos),
        ("tan", math.tan),
        ("asin", math.asin),
        ("acos", math.acos),
        ("atan", math.atan),
        ("sinh", math.sinh),
        ("cosh", math.cosh),
        ("tanh", math.tanh),
        ("exp", math.exp),
        ("log", math.log),
        ("ln", math.log),
        ("log2", math.log2),
        ("log10", math.log10),
        ("sqrt", math.sqrt),
        ("cbrt", lambda v: v ** (1 / 3)),
        ("abs", abs),
        ("sign", lambda v: math.copysign(1.0, v)),
    ],
)
def test_every_function_evaluates_like_math(name: str, reference) -> None:
    assert value_at(f"{name}(x)", POINT) == pytest.approx(reference(POINT), rel=1e-12)


def test_the_function_list_is_the_documented_one() -> None:
    assert set(FUNCTION_NAMES) == {
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
        "exp", "log", "ln", "log2", "log10", "sqrt", "cbrt", "abs", "sign",
        "sigmoid", "softplus", "relu",
    }  # fmt: skip


def test_cbrt_is_the_real_cube_root() -> None:
    assert parse_expression("cbrt(-8)") == -2
    assert value_at("cbrt(x)", -27) == pytest.approx(-3)
    assert parse_expression("cbrt(x)").subs(X, -8) == -2


def test_log_is_natural_and_bases_are_exact() -> None:
    assert parse_expression("log(x)") == parse_expression("ln(x)") == sympy.log(X)
    assert parse_expression("log2(8)") == 3
    assert parse_expression("log10(1000)") == 3
    assert parse_expression("abs(-3)") == 3
    assert parse_expression("sign(-3)") == -1


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("sin(x, y)", 6, "sin takes exactly one argument"),
        ("sin()", 5, "sin needs one argument"),
        ("sin x", 1, "write sin(x)"),
        ("sin", 1, "e.g. sin(x)"),
        ("sin^2(x)", 1, "sin(x)^2"),
        ("sin²(x)", 1, "sin(x)^2"),
        ("sinn(x)", 1, "unknown function 'sinn' — did you mean sin?"),
        ("arctan(x)", 1, "did you mean atan?"),
        ("Sin(x)", 1, "did you mean sin?"),
        ("foo(x)", 1, "unknown function 'foo': the functions are sin, cos"),
        ("z", 1, "unknown name 'z': use x, y, pi, e"),
        ("X + 1", 1, "did you mean x?"),
        ("theta", 1, "unknown name 'theta'"),
    ],
)
def test_function_and_name_errors(text: str, column: int, fragment: str) -> None:
    error = error_for(text)
    assert fragment in error.message
    assert error.column == column


def test_unknown_function_without_a_close_name_has_no_suggestion() -> None:
    assert "did you mean" not in error_for("qqqq(x)").message


# ------------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", None, "empty function: type something like x^2 + y^2"),
        ("   ", None, "empty function: type something like x^2 + y^2"),
        ("x + 1)", 6, "unexpected ')' — check your parentheses"),
        (")", 1, "unexpected ')' — check your parentheses"),
        ("(x + 1", 7, "missing ')' to close '(' at column 1"),
        ("x*(y + (1", 10, "missing ')' to close '(' at column 8"),
        ("sin(x", 6, "missing ')' to close '(' at column 4"),
        ("x +", 4, "expected a value after '+'"),
        ("x + * y", 5, "expected a value after '+'"),
        ("x^", 3, "expected a value after '^'"),
        ("x**", 4, "expected a value after '**'"),
        ("(x*)", 4, "expected a value after '*'"),
        ("* x", 1, "'*' needs a value before it"),
        ("²", 1, "'²' needs a value before it"),
        ("()", 1, "empty brackets: put a value inside ( )"),
        ("0,5", 2, "use a dot for decimals, e.g. 0.5 (not 0,5)"),
        ("x, y", 2, "unexpected ',': functions take exactly one argument"),
        ("1.2.3", 4, "a number can have only one '.'"),
        ("x + .", 5, "character '.' is not allowed: a '.' must be part of a number, like 0.5"),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, column: int | None, message: str) -> None:
    error = error_for(text)
    assert error.message == message
    assert error.column == column


def test_error_text_has_the_column_prefix_and_survives_pickling() -> None:
    error = error_for("sinn(x)")
    assert str(error) == "column 1: unknown function 'sinn' — did you mean sin?"
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.column, str(copy)) == (error.message, error.column, str(error))
    assert str(ExpressionError("no place")) == "no place"


def test_non_text_is_refused() -> None:
    with pytest.raises(ExpressionError):
        parse_expression(42)  # type: ignore[arg-type]


# ----------------------------------------------------------- undefined expressions


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("1/0", 3, "division by zero"),
        ("x/0", 3, "division by zero"),
        ("x/(y - y)", 3, "division by zero: (y - y) is 0"),
        ("log(0)", 1, "log(0) is undefined: log needs a positive argument"),
        ("sqrt(-1)", 1, "sqrt(-1) is not a real number"),
        ("0^-1", 1, "0 to a negative power has no value"),
        ("log(-1)", 1, "log(-1) is not a real number"),
        ("asin(2)", 1, "asin needs an argument between -1 and 1"),
        ("acos(1.0000001)", 1, "acos needs an argument between -1 and 1"),
        ("tan(pi/2)", 1, "tan(pi/2) is undefined"),
        ("x + (-8)^(1/3)", 5, "use cbrt for cube roots"),
        ("(-2)^x", 1, "real only for whole-number powers"),
        ("0^x", 1, "write 0 instead"),
        ("sqrt(-x^2)", 1, "is not a real number"),
        ("sqrt(-x^2 - 1)", 1, "f is undefined everywhere: sqrt(-x^2 - 1) has no real value"),
        ("x + log(-abs(y) - 1)", 5, "f is undefined everywhere: log(-abs(y) - 1)"),
        ("exp(x^2 + 800)", 1, "f overflows float64 everywhere: exp(x^2 + 800)"),
    ],
)
def test_undefined_expressions_are_refused(text: str, column: int, fragment: str) -> None:
    error = error_for(text)
    assert fragment in error.message
    assert error.column == column


@pytest.mark.parametrize(
    "text",
    ["log(x)", "sqrt(x*y)", "1/x", "x^(1/3)", "asin(x)", "log(1 - x^2 - y^2)", "tan(x)"],
)
def test_functions_undefined_only_somewhere_are_accepted(text: str) -> None:
    assert isinstance(parse_expression(text), sympy.Expr)


def test_exact_maths_wins_over_float_rounding() -> None:
    assert parse_expression("sqrt(2 - sqrt(2)^2)") == 0
    assert parse_expression("log(exp(-1000))") == -1000


def test_constants_and_constant_functions_are_fine() -> None:
    assert parse_expression("3") == 3
    assert parse_expression("x - x") == 0
    assert parse_expression("exp(690)") == sympy.exp(690)


# ------------------------------------------------------------------ hostile input

HOSTILE = [
    "9^9^9^9",
    "x^(10^100)",
    "10^400",
    "1e400",
    "1e308",
    "1e-400",
    "1e999999999",
    "(10^10)^(10^10)",
    "exp(exp(exp(1000)))",
    "exp(1000)",
    "sinh(1000)",
    "x^1e6",
    "(x^900)^900",
    "x^900*x^900",
    "1.0000000001^1000",
    "(10^299*x)^1000",
    "2^1000",
    "(" * 1000 + "x" + ")" * 1000,
    "(" * 61 + "x" + ")" * 61,
    "-" * 61 + "x",
    "-" * 1500 + "x",
    "2^" * 61 + "2",
    "sin(" * 61 + "x" + ")" * 61,
    "x+" * 600 + "x",
    "x" * 1999,
    "x" * 5000,
    "1" * 1999,
    "+".join(f"sqrt(3^600+{i})" for i in range(60)),
    "+".join(f"cbrt({i + 3}^300)" for i in range(100)),
]


def test_hostile_input_is_refused_quickly() -> None:
    started = time.perf_counter()
    for text in HOSTILE:
        with pytest.raises(ExpressionError):
            parse_expression(text)
    assert time.perf_counter() - started < 2.0  # loose: each one takes milliseconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("9^9^9^9", "exponent 9^9 is too large"),
        ("10^400", "10^400 is too large"),
        ("1e400", "number 1e400 is too large"),
        ("1e-400", "too close to 0"),
        ("exp(exp(exp(1000)))", "exp(1000) is too large"),
        ("x^1e6", "use exponents between -1000 and 1000"),
        ("(x^900)^900", "has a power above 1000"),
        ("1.0000000001^1000", "too many digits"),
        ("(" * 61 + "x" + ")" * 61, f"at most {MAX_DEPTH} levels"),
        ("-" * 61 + "x", f"at most {MAX_DEPTH} levels"),
        ("x²" * 200, "too complex: at most 500"),
        ("x+" * 600 + "x", "too long: at most 1000"),
        ("x" * 2001, "at most 2000 characters (this has 2001)"),
    ],
)
def test_limits_explain_themselves(text: str, fragment: str) -> None:
    assert fragment in error_for(text).message


def test_limits_leave_room_for_real_functions() -> None:
    assert parse_expression("(" * 50 + "x" + ")" * 50) == X
    assert parse_expression("x^1000 + 2^996") == X**1000 + 2**996
    assert parse_expression("+".join(["x"] * 200)) == 200 * X


# ------------------------------------------------------------------------ printing


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("x^2 + 3*y", "x^2 + 3*y"),
        ("x - y", "x - y"),
        ("-x^2", "-x^2"),
        ("x/y", "x/y"),
        ("1/x", "1/x"),
        ("1/(x*y)", "1/(x*y)"),
        ("x/(x + y)", "x/(x + y)"),
        ("2/(3*(x + y))", "2/(3*x + 3*y)"),
        ("2/3/(x + y)", "2/(x + y)/3"),
        ("x^6/6", "x^6/6"),
        ("x/2", "x/2"),
        ("sqrt(x)", "sqrt(x)"),
        ("1/sqrt(x)", "1/sqrt(x)"),
        ("x^(3/2)", "x^(3/2)"),
        ("x^(1/3)", "x^(1/3)"),
        ("x^0.2", "x^0.2"),
        ("x^-y", "x^(-y)"),
        ("2^x^2", "2^(x^2)"),
        ("(1/3)^x", "(1/3)^x"),
        ("exp(x)", "exp(x)"),
        ("e^x", "exp(x)"),
        ("e + pi", "e + pi"),
        ("log(x)", "log(x)"),
        ("log2(x)", "log2(x)"),
        ("3*log10(x)", "3*log10(x)"),
        ("cbrt(x)", "cbrt(x)"),
        ("-cbrt(x)", "-cbrt(x)"),
        ("abs(x)*sign(y)", "abs(x)*sign(y)"),
        ("1e-20*x + 1e100", "1e-20*x + 1e100"),
        ("0.001*x", "0.001*x"),
        ("(x + 1)(y - 1)", "(x + 1)*(y - 1)"),
        ("sin(x)^2", "sin(x)^2"),
    ],
)
def test_printing_is_readable(text: str, printed: str) -> None:
    assert expression_to_text(parse_expression(text)) == printed


def test_printing_python_numbers() -> None:
    assert expression_to_text(3) == "3"  # type: ignore[arg-type]
    assert expression_to_text(sympy.Float(0.5) * X) == "0.5*x"


def test_printing_a_gradient_reads_like_maths() -> None:
    rosenbrock = parse_expression(load_presets()["rosenbrock"].formula)
    assert expression_to_text(sympy.diff(rosenbrock, X)) == "-400*x*(-x^2 + y) + 2*x - 2"
    assert expression_to_text(sympy.diff(rosenbrock, Y)) == "-200*x^2 + 200*y"


def test_what_the_language_cannot_say_is_printed_readably() -> None:
    derivative = sympy.diff(parse_expression("sign(x)*y"), X)
    assert expression_to_text(derivative) == "2*y*DiracDelta(x)"


@pytest.mark.parametrize("key", sorted(load_presets()))
def test_presets_and_their_derivatives_print_back_exactly(key: str) -> None:
    expr = parse_expression(load_presets()[key].formula)
    assert parse_expression(expression_to_text(expr)) == expr
    for derivative in (sympy.diff(expr, X), sympy.diff(expr, Y), sympy.diff(expr, X, Y)):
        again = parse_expression(expression_to_text(derivative))
        # sympy's derivatives may hold an unevaluated 4*(x + y), which any rebuild
        # distributes; the function is the same.
        assert again == derivative or sympy.expand(again - derivative) == 0


def test_a_negative_square_to_a_fractional_power_is_not_real() -> None:
    # sympy turns it into (-1)^(13/50) * |x|^(13/25): complex wherever x is not 0
    with pytest.raises(ExpressionError, match="not a real number"):
        parse_expression("(-(x^2))^0.26")


def test_a_function_checked_while_typing_is_not_built_again_to_compute_it() -> None:
    # the window parses the text to check it, then computes with it in another thread
    text = "exp(x/7) + y^2 - 0.5*x*y"
    first = parse_function(text)
    assert parse_function(text) is first
    for i in range(expression.RECENT_PARSES):  # only the last few are remembered
        parse_function(f"x^2 + {i}*y^2")
    again = parse_function(text)
    assert again is not first and again == first
    with pytest.raises(ExpressionError):  # errors are never remembered as results
        parse_function("x +* y")
    with pytest.raises(ExpressionError):
        parse_function("x +* y")


def test_a_constant_sympy_writes_with_a_huge_integer_prints_as_a_number_that_parses() -> None:
    # sympy turns (1/24)^0.001 into a root of an integer of over 900 digits (found by
    # hypothesis): printed as it is, the parser refused the number as too large
    import math

    from gdplayground.core.expression import expression_to_text, parse_function

    text = expression_to_text(parse_function("(0.5/12)^(1e-3)*x").expr)
    again = parse_function(text).expr
    assert math.isclose(float(again.subs(X, 1)), (1 / 24) ** 0.001, rel_tol=1e-15)
