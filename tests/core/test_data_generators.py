"""Built-in data sets: the same (n, noise, seed) give the same examples, every time."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.data.dataset import DataError
from gdplayground.core.data.generators import GENERATORS, generate


@pytest.mark.parametrize("name", list(GENERATORS))
def test_a_seed_fixes_the_examples(name: str) -> None:
    a, b = generate(name, 300, 0.5, 7), generate(name, 300, 0.5, 7)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, generate(name, 300, 0.5, 8).values)
    assert a.n == 300 and a.columns == ("x", "y")
    assert np.isfinite(a.values).all() and not a.values.flags.writeable
    assert a.description == f"{name} (n=300, noise=0.5, seed=7)"


def test_the_line_is_the_documented_one() -> None:
    data = generate("line", 5000, 0.0, 1)
    x, y = data.column("x"), data.column("y")
    np.testing.assert_allclose(y, 2 * x - 1)
    assert -3 <= x.min() and x.max() <= 3
    noisy = generate("line", 5000, 1.0, 1)
    assert np.std(noisy.column("y") - (2 * noisy.column("x") - 1)) == pytest.approx(1, rel=0.05)


def test_two_classes_are_zero_and_one_around_minus_one_and_one() -> None:
    data = generate("two_classes", 4000, 0.3, 2)
    x, y = data.column("x"), data.column("y")
    assert set(np.unique(y)) == {0.0, 1.0}
    assert np.mean(x[y == 1]) == pytest.approx(1, abs=0.05)
    assert np.mean(x[y == 0]) == pytest.approx(-1, abs=0.05)


def test_outliers_lie_above_the_line_and_thousands_are_badly_scaled() -> None:
    data = generate("line_outliers", 4000, 0.0, 3)
    above = data.column("y") - (2 * data.column("x") - 1)
    assert 0.07 < np.mean(above > 5) < 0.13 and above.min() > -1e-12
    x = generate("thousands", 1000, 0.3, 0).column("x")
    assert 500 <= x.min() and x.max() <= 3500


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("lines", 10, 0.1, 0), "unknown data set 'lines': choose one of line, "),
        (("line", 0, 0.1, 0), "n=0 is out of range: a data set has 1 to 1,000,000"),
        (("line", 1_000_001, 0.1, 0), "out of range"),
        (("line", 10, -1.0, 0), "noise=-1.0 is out of range"),
        (("line", 10, float("nan"), 0), "noise=nan is out of range"),
        (("line", 10, 0.1, -1), "seed=-1 is out of range"),
    ],
)
def test_bad_parameters_say_what_is_allowed(args: tuple, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment):
        generate(*args)
