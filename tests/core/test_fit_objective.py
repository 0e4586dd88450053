"""The data-fit objective: a model and a loss in the function language, averaged over data."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gdplayground.core.data.dataset import BuiltinSource, DataSet
from gdplayground.core.data.fit import FitExpressionError, compile_output, parse_fit
from gdplayground.core.data.generators import generate
from gdplayground.core.data.objective import CHUNK, DataObjective
from gdplayground.core.expression import ExpressionError, parse_function

RNG = np.random.default_rng(11)
W = RNG.uniform(-2, 3, 13)
B = RNG.uniform(-2, 2, 13)


def data_set(n: int = 300, columns: tuple[str, ...] = ("x", "y")) -> DataSet:
    rng = np.random.default_rng(5)
    values = rng.normal(size=(len(columns), n))
    return DataSet(columns, values, BuiltinSource("test", n, 1.0, 5))


def objective(model: str, loss: str, data: DataSet | None = None, **kw: object) -> DataObjective:
    data = data_set() if data is None else data
    return DataObjective(parse_fit(model, loss, data.columns), data, **kw)


# ------------------------------------------------------------------ the two expressions


def fit_error(model: str, loss: str, columns: tuple[str, ...] = ("x", "y")) -> FitExpressionError:
    with pytest.raises(FitExpressionError) as info:
        parse_fit(model, loss, columns)
    return info.value


@pytest.mark.parametrize(
    ("model", "loss", "part", "column", "fragment"),
    [
        ("w*x + q", "(m - y)^2", "model", 7, "unknown name 'q': use w, b, x, y, pi, e"),
        ("w*x + b", "(m - z)^2", "loss", 6, "unknown name 'z': use m, x, y, pi, e"),
        ("w*x + m", "(m - y)^2", "model", 7, "unknown name 'm'"),
        ("w*x + b", "(w - y)^2", "loss", 2, "unknown name 'w'"),
        ("wx + b", "(m - y)^2", "model", 1, "'wx' is not a name: write w*x to multiply"),
        ("w*x + b", "(my)^2", "loss", 2, "write m*y to multiply"),
        ("", "(m - y)^2", "model", None, "empty model: type something like w*x + b"),
        ("w*x + b", "", "loss", None, "empty loss: type something like (m - y)^2"),
        ("m = w*x + b", "(m - y)^2", "model", 3, "(no 'm =' and no '=')"),
        ("w*x + b", "sqrt(-m^2 - 1)", "loss", 1, "ℓ is undefined everywhere"),
        ("x^2", "(m - y)^2", "model", None, "the model uses neither w nor b"),
        ("w*x + b", "y^2", "loss", None, "the loss does not use m"),
        ("W*x + b", "(m - y)^2", "model", 1, "did you mean w? (names are lower case)"),
    ],
)
def test_mistakes_say_which_expression_where_and_what_names_exist(
    model: str, loss: str, part: str, column: int | None, fragment: str
) -> None:
    error = fit_error(model, loss)
    assert error.part == part
    assert error.column == column
    assert fragment in error.message


def test_a_column_the_file_lacks_lists_the_columns_it_has() -> None:
    error = fit_error("w*height + b", "(m - weight)^2", ("age", "Height", "weight"))
    assert error.part == "model"
    assert "did you mean Height? (names are case-sensitive)" in error.message
    error = fit_error("w*age + b", "(m - mass)^2", ("age", "Height", "weight"))
    assert "unknown name 'mass': use m, age, Height, weight, pi, e" in error.message


def test_errors_survive_being_sent_to_another_process() -> None:
    error = pickle.loads(pickle.dumps(fit_error("w*x + q", "(m - y)^2")))
    assert (error.part, error.column) == ("model", 7)


def test_the_function_mode_is_untouched() -> None:
    # x and y only: w, b and m are unknown names there, as before
    with pytest.raises(ExpressionError, match="unknown name 'w': use x, y, pi, e"):
        parse_function("w*x")


# ------------------------------------------------------------------ values


def test_mean_loss_gradient_and_hessian_written_out_by_hand() -> None:
    obj = objective("w*x + b", "(m - y)^2")
    x, y = obj.data.column("x"), obj.data.column("y")
    r = W[:, None] * x + B[:, None] - y
    f, gw, gb = obj.value_and_gradient(W, B)
    np.testing.assert_allclose(f, np.mean(r * r, axis=1), rtol=1e-13)
    np.testing.assert_allclose(gw, np.mean(2 * r * x, axis=1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gb, np.mean(2 * r, axis=1), rtol=1e-12, atol=1e-14)
    hww, hwb, hbb = obj.hessian(W, B)
    np.testing.assert_allclose([hww[0], hwb[0], hbb[0]], [2 * np.mean(x * x), 2 * np.mean(x), 2])


@pytest.mark.parametrize(
    ("model", "loss"),
    [
        ("w*x + b", "abs(m - y)"),
        ("sigmoid(w*x + b)", "(m - y)^2"),
        ("w*x + b", "y*softplus(-m) + (1 - y)*softplus(m)"),
        ("relu(w*x + b)", "(m - y)^2"),
        ("exp(w)*x + b^3", "log(1 + (m - y)^2)"),
    ],
)
def test_any_loss_matches_a_plain_numpy_reference(model: str, loss: str) -> None:
    obj = objective(model, loss)
    x, y = obj.data.column("x")[None, :], obj.data.column("y")[None, :]
    w, b = W[:, None], B[:, None]

    def softplus(u: np.ndarray) -> np.ndarray:
        return np.where(u > 20, u, np.log1p(np.exp(u)))

    def mean_loss(w: np.ndarray, b: np.ndarray) -> np.ndarray:
        sigmoid, relu = (lambda u: 1 / (1 + np.exp(-u))), (lambda u: np.maximum(u, 0))
        m = {
            "w*x + b": w * x + b,
            "sigmoid(w*x + b)": sigmoid(w * x + b),
            "relu(w*x + b)": relu(w * x + b),
            "exp(w)*x + b^3": np.exp(w) * x + b**3,
        }[model]
        per_example = {
            "abs(m - y)": np.abs(m - y),
            "(m - y)^2": (m - y) ** 2,
            "y*softplus(-m) + (1 - y)*softplus(m)": y * softplus(-m) + (1 - y) * softplus(m),
            "log(1 + (m - y)^2)": np.log(1 + (m - y) ** 2),
        }[loss]
        return per_example.mean(axis=1)

    f, gw, gb = obj.value_and_gradient(W, B)
    np.testing.assert_allclose(f, mean_loss(w, b), rtol=1e-12)
    h = 1e-6  # the exact gradient against central differences of the reference
    np.testing.assert_allclose(gw, (mean_loss(w + h, b) - mean_loss(w - h, b)) / (2 * h), atol=1e-6)
    np.testing.assert_allclose(gb, (mean_loss(w, b + h) - mean_loss(w, b - h)) / (2 * h), atol=1e-6)


def test_squared_error_of_a_line_is_evaluated_from_moments_with_the_same_values() -> None:
    fast = objective("w*x + b", "(m - y)^2")
    slow = objective("w*x + b", "abs(m - y)^2")  # the same loss, not a polynomial
    assert fast.polynomial and not slow.polynomial
    for a, b in zip(fast.value_and_gradient(W, B), slow.value_and_gradient(W, B), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    for a, b in zip(fast.hessian(W, B), slow.hessian(W, B), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    index = np.array([4, 9, 9, 200])
    for a, b in zip(
        fast.batch_value_and_gradient(W, B, index),
        slow.batch_value_and_gradient(W, B, index),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    ("model", "loss", "polynomial"),
    [
        ("w*x + b", "(m - y)^2", True),
        ("w*x^2 + b*log(1 + x^2)", "(m - y)^2 + 0.1*m^4", True),  # data-only functions are fine
        ("w^2*x + b", "(m - y)^2", True),  # degree 4
        ("w^3*x + b", "(m - y)^2", False),  # degree 6
        ("sqrt(w)^2*x + b", "(m - y)^2", False),  # as written: undefined for w < 0
        ("w*x + b", "abs(m - y)", False),
        ("w*x + b", "(m - y)^2/2", True),
    ],
)
def test_what_counts_as_a_polynomial(model: str, loss: str, polynomial: bool) -> None:
    assert objective(model, loss).polynomial is polynomial


def test_undefined_where_what_was_written_is() -> None:
    obj = objective("sqrt(w)^2*x + b", "(m - y)^2")
    f = obj.value(np.array([-1.0, 1.0]), np.array([0.0, 0.0]))
    assert np.isnan(f[0]) and np.isfinite(f[1])


def test_any_shape_of_points_and_many_points_in_blocks() -> None:
    obj = objective("w*x + b", "abs(m - y)", data_set(n=50))
    w, b = np.meshgrid(np.linspace(-1, 1, 70), np.linspace(-2, 2, 90))
    assert w.size * 50 > CHUNK  # more than one block
    f = obj.value(w, b)
    assert f.shape == (90, 70)
    assert f[17, 33] == pytest.approx(obj.value(w[17, 33], b[17, 33]), rel=1e-14)
    assert obj.value(0.5, 0.25).shape == ()


def test_a_batch_is_the_mean_over_its_examples_one_set_or_one_per_point() -> None:
    obj = objective("sigmoid(w*x + b)", "(m - y)^2")
    x, y = obj.data.column("x"), obj.data.column("y")
    rows = np.array([[0, 5, 7], [1, 1, 2], [299, 3, 4]])
    f, gw, gb = obj.batch_value_and_gradient(W[:3], B[:3], rows)
    for p in range(3):
        xb, yb = x[rows[p]], y[rows[p]]
        s = 1 / (1 + np.exp(-(W[p] * xb + B[p])))
        assert f[p] == pytest.approx(np.mean((s - yb) ** 2), rel=1e-13)
        assert gw[p] == pytest.approx(np.mean(2 * (s - yb) * s * (1 - s) * xb), rel=1e-12)
    shared = obj.batch_value_and_gradient(W, B, rows[0])[0]
    assert shared[0] == f[0] and shared.shape == W.shape


def test_numeric_mode_takes_central_differences() -> None:
    exact = objective("sigmoid(w*x + b)", "(m - y)^2")
    numeric = objective("sigmoid(w*x + b)", "(m - y)^2", mode="numeric")
    _, gw, gb = numeric.value_and_gradient(W, B)
    _, ew, eb = exact.value_and_gradient(W, B)
    np.testing.assert_allclose(gw, ew, atol=1e-8)
    np.testing.assert_allclose(numeric.symbolic_gradient(W, B)[0], ew, rtol=1e-15)
    assert not np.array_equal(gw, ew)


def test_several_columns_and_the_model_curve() -> None:
    data = data_set(columns=("x1", "x2", "target"))
    obj = objective("w*x1 + b*x2", "(m - target)^2", data)
    m = obj.model_values(2.0, 3.0, {"x1": np.array([1.0, 2.0]), "x2": np.array([0.5, 0.0])})
    np.testing.assert_allclose(m, [3.5, 4.0])


def test_the_logistic_loss_is_finite_however_far_out() -> None:
    data = generate("two_classes", 400, 1.0, 0)
    obj = objective("w*x + b", "y*softplus(-m) + (1 - y)*softplus(m)", data)
    w = np.array([-1e4, 1e4, 0.0, 300.0])
    b = np.array([1e4, -1e4, -500.0, 0.0])
    for values in obj.value_and_gradient(w, b):
        assert np.isfinite(values).all()


def test_one_examples_gradient_is_written_out() -> None:
    obj = objective("w*x + b", "(m - y)^2")
    assert not obj.has_gradient_text
    dw, db = obj.gradient_text
    assert dw == "2*x*(b + w*x - y)" and obj.has_gradient_text
    assert db.replace(" ", "") == "2*b+2*w*x-2*y"


def test_an_output_to_draw_is_a_function_of_m() -> None:
    np.testing.assert_allclose(compile_output("sigmoid(m)")(np.array([0.0, 50.0])), [0.5, 1.0])
    with pytest.raises(FitExpressionError, match="unknown name 'x': use m, pi, e") as info:
        compile_output("sigmoid(x)")
    assert info.value.part == "output"


def test_a_suggested_rate_is_half_the_largest_stable_step_of_gradient_descent() -> None:
    from gdplayground.core.data.rates import suggested_lr

    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    data = DataSet(("x", "y"), np.array([x, 3 * x]), BuiltinSource("test", 5, 0.0, 0))
    objective = DataObjective(parse_fit("w*x + b", "(m - y)^2", data.columns), data)
    # squared error: Hessian 2 [[E x^2, E x], [E x, 1]], by hand
    largest = np.linalg.eigvalsh(2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1]]))[-1]
    rate = suggested_lr(objective, (0.0, 0.0))
    assert rate == 0.01 and rate <= 1 / largest < 2.5 * rate  # 1/L = 0.0188
    thousands = DataSet(("x", "y"), np.array([1000 * x, x]), BuiltinSource("test", 5, 0.0, 0))
    scaled = DataObjective(parse_fit("w*x + b", "(m - y)^2", thousands.columns), thousands)
    assert suggested_lr(scaled, (0.0, 0.0)) == pytest.approx(1e-8)  # 1/L = 1.9e-8
