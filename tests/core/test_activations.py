"""sigmoid, softplus and relu follow torch.nn.functional, values and derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from gdplayground.core.evaluator import Graph, Program
from gdplayground.core.expression import X, expression_to_text, parse_expression
from gdplayground.core.gradients import compile_function

U = np.array(
    [-50.0, -20.5, -3.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 2.0, 19.999, 20.0, 20.0001, 25.0, 50.0]
)

# Printed by torch 2.13.0 (float64) for u = U: y = f(u), its gradient
# torch.autograd.grad(y.sum(), u, create_graph=True) and the gradient of that sum
# again, with f = torch.sigmoid, torch.nn.functional.softplus (beta=1, threshold=20)
# and torch.relu.
TORCH = {
    "sigmoid": (
        [1.928749847963918e-22, 1.2501528648238605e-09, 0.04742587317756678,
         0.2689414213699951, 0.4997500000208333, 0.5, 0.5002499999791666,
         0.6224593312018546, 0.8807970779778823, 0.9999999979367842, 0.9999999979388463,
         0.9999999979390526, 0.999999999986112, 1.0],
        [1.928749847963918e-22, 1.2501528632609782e-09, 0.04517665973091214,
         0.19661193324148185, 0.24999993750001046, 0.25, 0.24999993750001043,
         0.2350037122015945, 0.10499358540350662, 2.063215816156829e-09,
         2.0611536879193953e-09, 2.0609474084822702e-09, 1.3888001859448131e-11, 0.0],
        [1.928749847963918e-22, 1.2501528601352138e-09, 0.040891574660943474,
         0.09085774767294841, 0.0001249999583333543, 0.0, -0.00012499995833332653,
         -0.05755679485232075, -0.07996250105615312, -2.0632158076431097e-09,
         -2.061153679422686e-09, -2.060947399987262e-09, -1.3888001859062378e-11, -0.0],
    ),
    "softplus": (
        [1.9287498479639178e-22, 1.2501528656053015e-09, 0.04858735157374206,
         0.31326168751822286, 0.6926473055599401, 0.6931471805599453, 0.6936473055599401,
         0.9740769841801067, 2.1269280110429727, 19.999000002063216, 20.000000002061153,
         20.0001, 25.0, 50.0],
        [1.9287498479639178e-22, 1.2501528648238603e-09, 0.04742587317756679,
         0.2689414213699951, 0.49975000002083336, 0.5, 0.5002499999791666,
         0.6224593312018546, 0.8807970779778824, 0.9999999979367842, 0.9999999979388464,
         1.0, 1.0, 1.0],
        [1.928749847963918e-22, 1.2501528632609782e-09, 0.04517665973091214,
         0.19661193324148185, 0.24999993750001046, 0.25, 0.24999993750001043,
         0.2350037122015945, 0.10499358540350662, 2.063215816156829e-09, 0.0, 0.0, 0.0, 0.0],
    ),
    "relu": (
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.001, 0.5, 2.0, 19.999, 20.0, 20.0001, 25.0, 50.0],
        [0.0] * 6 + [1.0] * 8,
        [0.0] * 14,
    ),
}  # fmt: skip


def ours(name: str) -> list[np.ndarray]:
    """name(u), its derivative and its second derivative from the evaluator's graph."""
    graph = Graph(("u",))
    f = graph.fn(name, graph.variable("u"))
    df = graph.diff(f, "u")
    with np.errstate(all="ignore"):
        values = Program(graph, [f, df, graph.diff(df, "u")])(U)
    return [np.broadcast_to(v, U.shape) for v in values]


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "relu"])
def test_values_and_gradients_are_torchs_to_the_last_bit(name: str) -> None:
    values, gradients, _ = ours(name)
    want_values, want_gradients, _ = TORCH[name]
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(gradients, want_gradients)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "relu"])
def test_second_derivatives_are_torchs(name: str) -> None:
    # to rounding: near u = 0 sigmoid'' = (1 - 2s)(1 - s)s cancels, as torch's does
    np.testing.assert_allclose(ours(name)[2], TORCH[name][2], rtol=1e-14, atol=1e-16)


def test_softplus_is_its_argument_above_the_threshold_with_slope_one() -> None:
    # torch's convention, not log(1 + e^u): the two differ by e^-20 ~ 2e-9 at u = 20.5
    values, gradients, curvature = ours("softplus")
    above = U > 20
    np.testing.assert_array_equal(values[above], U[above])
    np.testing.assert_array_equal(gradients[above], 1.0)
    assert values[U == 19.999][0] == pytest.approx(math.log1p(math.exp(19.999)), rel=1e-15)
    assert (curvature[U >= 20] == 0).all()  # torch's double backward: 0 from 20 on


def test_relu_has_slope_zero_at_zero_and_one_right_of_it() -> None:
    _, gradients, _ = ours("relu")
    assert gradients[U == 0.0][0] == 0.0
    assert gradients[U == 1e-3][0] == 1.0


def test_sigmoid_is_finite_and_flat_far_out() -> None:
    values, gradients, _ = ours("sigmoid")
    assert values[0] > 0 and values[-1] == 1.0
    assert np.isfinite(gradients).all()
    obj = compile_function("sigmoid(x) + 0*y")
    f, gx, _ = obj.value_and_gradient(np.array([-1000.0, 1000.0]), np.zeros(2))
    np.testing.assert_array_equal(f, [0.0, 1.0])
    np.testing.assert_array_equal(gx, [0.0, 0.0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sigmoid(0)", 0.5),
        ("softplus(0)", math.log(2)),
        ("softplus(30)", 30.0),  # torch's value above the threshold
        ("relu(-3)", 0.0),
        ("relu(2.5)", 2.5),
    ],
)
def test_constants_have_torchs_values(text: str, expected: float) -> None:
    obj = compile_function(f"{text} + 0*x*y")
    assert obj.value(np.array([0.7]), np.array([0.2]))[0] == pytest.approx(expected, rel=1e-15)


def test_they_print_back_as_written_and_differentiate_in_words() -> None:
    expr = parse_expression("sigmoid(x) + softplus(2*y) - relu(x - y)")
    assert parse_expression(expression_to_text(expr)) == expr
    derivative = expression_to_text(sympy.diff(parse_expression("softplus(x)"), X))
    assert derivative == "sigmoid(x)"
    sigmoid_slope = expression_to_text(sympy.diff(parse_expression("sigmoid(x)"), X))
    assert parse_expression(sigmoid_slope) == parse_expression("(1 - sigmoid(x))*sigmoid(x)")


def test_sympys_compiler_computes_them_as_the_evaluator_does() -> None:
    # the fallback for what the evaluator cannot handle: each is one bracketed value
    from gdplayground.core.gradients import _lambdify

    x, y = np.array([0.3, -2.0, 25.0]), np.array([1.5, 0.5, -1.0])
    for text in ("sigmoid(x)/sigmoid(y)", "softplus(x)^-1 * relu(y - x)^2", "1/relu(x)"):
        expr = parse_expression(text)
        with np.errstate(all="ignore"):
            (want,) = _lambdify([expr])(x, y)
        got = compile_function(text).value(x, y)
        np.testing.assert_allclose(got, want, rtol=1e-14, err_msg=text)
