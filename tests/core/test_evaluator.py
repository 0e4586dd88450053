"""Our own derivatives and evaluator give what sympy's diff and lambdify give, in milliseconds."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, reject
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from test_expression_properties import TREE_SETTINGS, TREES, parsed_or_reject, reference, render

from gdplayground.core.evaluator import Graph, Program, Unsupported
from gdplayground.core.expression import FUNCTION_NAMES, X, Y, parse_expression, parse_function
from gdplayground.core.gradients import Objective, _lambdify, compile_function, make_objective
from gdplayground.model.presets import load_presets

RNG = np.random.default_rng(7)
XS, YS = RNG.uniform(-3, 3, 400), RNG.uniform(-3, 3, 400)


def sympy_reference(expr: sympy.Expr, xs: np.ndarray = XS, ys: np.ndarray = YS) -> list[np.ndarray]:
    """f, fx, fy, fxx, fxy, fyy from sympy's diff and lambdify, at (xs, ys)."""
    gx, gy = sympy.diff(expr, X), sympy.diff(expr, Y)
    exprs = [expr, gx, gy, sympy.diff(gx, X), sympy.diff(gx, Y), sympy.diff(gy, Y)]
    with np.errstate(all="ignore"):
        values = _lambdify(exprs)(xs, ys)
    return [np.broadcast_to(np.asarray(v, dtype=np.complex128), xs.shape) for v in values]


def ours(expr: sympy.Expr) -> list[np.ndarray]:
    obj = make_objective(expr)
    assert obj._graph is not None, "the expression fell back to sympy"
    return [*obj.value_and_gradient(XS, YS), *obj.hessian(XS, YS)]


def assert_same_function(expr: sympy.Expr) -> None:
    """Ours and sympy's f, gradient and Hessian agree at 400 points of [-3, 3]^2."""
    names = ("f", "df/dx", "df/dy", "d2f/dx2", "d2f/dxdy", "d2f/dy2")
    values = ours(expr)
    f_defined = np.isfinite(values[0])
    for name, got, want in zip(names, values, sympy_reference(expr), strict=True):
        want = np.where(want.imag == 0, want.real, np.nan)
        defined = np.isfinite(got) & np.isfinite(want)
        # defined at the same points where f is (sympy's simplified derivative of
        # log(sqrt(x)), 1/(2x), is also defined for x < 0: ours is not, like f),
        # and equal to rounding where both are defined
        same_domain = np.isfinite(got) == np.isfinite(want)
        assert same_domain[f_defined].all(), f"{name} of {expr}: domains differ"
        np.testing.assert_allclose(
            got[defined], want[defined], rtol=1e-9, atol=1e-9, err_msg=f"{name} of {expr}"
        )


@pytest.mark.parametrize("text", [preset.formula for preset in load_presets().values()])
def test_standard_functions_match_sympy(text: str) -> None:
    assert_same_function(parse_expression(text))


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_every_function_of_the_language_matches_sympy(name: str) -> None:
    # an argument in x and y whose values stay inside every function's domain often enough
    assert_same_function(parse_expression(f"{name}(0.3*x*y + 0.2*y) * (x - y^2) + x^y"))


def tame_points(tree: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Points where the tree, evaluated as written in plain floats, is defined and no
    step of it exceeds 1e8: there, different but equal forms agree to rounding
    (elsewhere overflow or cancellation may leave one form undefined or inexact)."""
    keep = []
    for x, y in zip(XS[:60], YS[:60], strict=True):
        try:
            reference(tree, float(x), float(y))
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        keep.append((x, y))
    if len(keep) < 3:
        reject()
    xs, ys = np.array(keep).T
    return xs, ys


def assert_agrees_at(obj: Objective, expr: sympy.Expr, xs: np.ndarray, ys: np.ndarray) -> None:
    """``obj`` is defined at (xs, ys) and agrees with sympy's f, gradient and Hessian."""
    try:
        want = sympy_reference(expr, xs, ys)
    except (PrintMethodNotImplementedError, TypeError, OverflowError):
        # lambdify cannot print sympy's second derivative of sign, nor evaluate
        # integers beyond int64 (10^24 from 0.001^8): no reference (ours copes)
        reject()
    got = [*obj.value_and_gradient(xs, ys), *obj.hessian(xs, ys)]
    assert np.isfinite(got[0]).all(), f"{expr} undefined where it is defined"
    for g, w in zip(got, want, strict=True):
        w = np.where(w.imag == 0, w.real, np.nan)
        both = np.isfinite(g) & np.isfinite(w)
        np.testing.assert_allclose(g[both], w[both], rtol=1e-7, atol=1e-7, err_msg=str(expr))


@TREE_SETTINGS
@given(TREES)
def test_random_expressions_match_sympy(tree: tuple) -> None:
    expr = parsed_or_reject(render(tree))
    assert_agrees_at(make_objective(expr), expr, *tame_points(tree))


def test_shared_subexpressions_are_computed_once() -> None:
    graph = Graph()
    f = graph.from_sympy(parse_expression("exp(x*y)"))
    program = Program(graph, [f, graph.diff(f, "x"), graph.diff(f, "y")])
    # x*y and exp(x*y) once, then y*exp(x*y) and x*exp(x*y): four numpy calls
    assert program.size == 4
    f_, fx, fy = program(np.array([0.5]), np.array([2.0]))
    np.testing.assert_allclose([f_[0], fx[0], fy[0]], [np.e, 2 * np.e, 0.5 * np.e])


def test_anything_else_falls_back_to_sympy() -> None:
    expr = sympy.atan2(Y, X) + Y**2  # not in the input language
    with pytest.raises(Unsupported):
        Graph().from_sympy(expr)
    obj = make_objective(expr)
    x, y = np.array([1.0, -1.0]), np.array([1.0, 2.0])
    f, gx, gy = obj.value_and_gradient(x, y)
    np.testing.assert_allclose(f, np.arctan2(y, x) + y**2)
    np.testing.assert_allclose(gx, -y / (x**2 + y**2))
    np.testing.assert_allclose(gy, x / (x**2 + y**2) + 2 * y)


# ------------------------------------------------------ the function as written


@TREE_SETTINGS
@given(TREES)
def test_random_functions_as_written_agree_with_sympy(tree: tuple) -> None:
    text = render(tree)
    expr = parsed_or_reject(text)
    obj = compile_function(text)
    assert obj._graph is not None
    assert_agrees_at(obj, expr, *tame_points(tree))


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_every_function_as_written_agrees_with_sympy(name: str) -> None:
    text = f"{name}(0.3*x*y + 0.2*y) * (x - y^2) + e^(x/4) + 2^y"
    obj, expr = compile_function(text), parse_function(text).expr
    defined = np.isfinite(obj.value(XS, YS))
    # never defined where sympy's (possibly simplified) form is not, equal where it is
    assert np.isfinite(make_objective(expr).value(XS, YS))[defined].all()
    assert_agrees_at(obj, expr, XS[defined], YS[defined])


@pytest.mark.parametrize(
    ("text", "undefined_at", "value_at"),
    [
        ("sqrt(x)^2", (-1.0, 0.5), (4.0, 4.0)),  # sympy simplifies it to x
        ("exp(log(x)) + y", (-2.0, 1.0), (3.0, 4.0)),  # ... and this to x + y
        ("x/x", (0.0, 1.0), (-3.0, 1.0)),  # ... and this to 1
    ],
)
def test_a_function_is_undefined_where_what_was_written_is(
    text: str, undefined_at: tuple[float, float], value_at: tuple[float, float]
) -> None:
    obj = compile_function(text)
    assert np.isnan(obj.value(np.array([undefined_at[0]]), np.array([undefined_at[1]]))[0])
    x, expected = value_at
    assert obj.value(np.array([x]), np.array([1.0]))[0] == pytest.approx(expected)


@pytest.mark.parametrize("count", [40, 150])
def test_long_products_stay_small_when_differentiated_twice(count: int) -> None:
    # the textbook product rule grows n factors into n^3 nodes for the Hessian (x/x/.../x
    # with 150 x's took 9 s); along shared heads it stays linear, and needs no recursion
    obj = compile_function("/".join(["x"] * count))
    x = np.array([-1.0, 0.5])
    fxx, _, _ = obj.hessian(x, np.zeros(2))
    expected = (count - 2) * (count - 1) * x ** (-count)  # f = x^(2 - count)
    np.testing.assert_allclose(fxx, expected, rtol=1e-9)
    assert obj._graph is not None and len(obj._graph.nodes) < 20 * count


def test_a_constant_of_huge_exact_powers_keeps_its_value() -> None:
    # sympy holds (1.05^1.05)^0.26 as powers of ~300-digit integers: floats overflow
    expr = parse_expression("-((1.05^1.05)^0.26) + x")
    f = make_objective(expr).value(np.array([1.0]), np.array([0.0]))
    assert f[0] == pytest.approx(1 - 1.05 ** (1.05 * 0.26), rel=1e-12)
