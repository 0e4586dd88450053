"""Our own derivatives and evaluator give what sympy's diff and lambdify give, in milliseconds."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, reject
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from test_expression_properties import TREE_SETTINGS, TREES, parsed_or_reject, render

from gdplayground.core.evaluator import Graph, Program, Unsupported
from gdplayground.core.expression import FUNCTION_NAMES, X, Y, parse_expression
from gdplayground.core.gradients import _lambdify, make_objective
from gdplayground.core.presets import load_presets

RNG = np.random.default_rng(7)
XS, YS = RNG.uniform(-3, 3, 400), RNG.uniform(-3, 3, 400)


def sympy_reference(expr: sympy.Expr) -> list[np.ndarray]:
    """f, fx, fy, fxx, fxy, fyy from sympy's diff and lambdify, at XS, YS."""
    gx, gy = sympy.diff(expr, X), sympy.diff(expr, Y)
    exprs = [expr, gx, gy, sympy.diff(gx, X), sympy.diff(gx, Y), sympy.diff(gy, Y)]
    with np.errstate(all="ignore"):
        values = _lambdify(exprs)(XS, YS)
    return [np.broadcast_to(np.asarray(v, dtype=np.complex128), XS.shape) for v in values]


def ours(expr: sympy.Expr) -> list[np.ndarray]:
    obj = make_objective(expr)
    assert obj._graph is not None, "the expression fell back to sympy"
    return [*obj.value_and_gradient(XS, YS), *obj.hessian(XS, YS)]


def assert_same_function(expr: sympy.Expr, reference: list[np.ndarray] | None = None) -> None:
    names = ("f", "df/dx", "df/dy", "d2f/dx2", "d2f/dxdy", "d2f/dy2")
    values = ours(expr)
    f_defined = np.isfinite(values[0])
    reference = sympy_reference(expr) if reference is None else reference
    for name, got, want in zip(names, values, reference, strict=True):
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


@TREE_SETTINGS
@given(TREES)
def test_random_expressions_match_sympy(tree: tuple) -> None:
    expr = parsed_or_reject(render(tree))
    try:
        reference = sympy_reference(expr)
    except (PrintMethodNotImplementedError, TypeError):
        # lambdify cannot print sympy's second derivative of sign, nor evaluate
        # integers beyond int64 (10^24 from 0.001^8): no reference (ours copes)
        reject()
    assert_same_function(expr, reference)


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
