"""Built-in data sets, generated from (n, noise, seed): the same three numbers
always give the same examples, on every machine (numpy's PCG64 stream)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdplayground.core.data.dataset import MAX_ROWS, BuiltinSource, DataError, DataSet

Array = np.ndarray


@dataclass(frozen=True)
class Generator:
    """A built-in set: what it holds, and how its columns are drawn."""

    name: str
    summary: str
    columns: tuple[str, ...]
    draw: Callable[[np.random.Generator, int, float], tuple[Array, ...]]


def _line(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    x = rng.uniform(-3.0, 3.0, n)
    return x, 2.0 * x - 1.0 + noise * rng.standard_normal(n)


def _line_with_outliers(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    x, y = _line(rng, n, noise)
    outliers = rng.random(n) < 0.1
    return x, y + np.where(outliers, rng.uniform(6.0, 12.0, n), 0.0)


def _two_classes(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    y = (rng.random(n) < 0.5).astype(np.float64)
    x = np.where(y == 1.0, 1.0, -1.0) + noise * rng.standard_normal(n)
    return x, y


def _thousands(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    x = rng.uniform(500.0, 3500.0, n)  # e.g. floor areas in square feet
    return x, 0.002 * x + 1.0 + noise * rng.standard_normal(n)


GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator("line", "y = 2x - 1 plus noise, x in [-3, 3]", ("x", "y"), _line),
        Generator(
            "line_outliers",
            "y = 2x - 1 plus noise, one example in ten far above the line",
            ("x", "y"),
            _line_with_outliers,
        ),
        Generator(
            "two_classes",
            "classes y = 0 and 1 around x = -1 and x = 1 (noise: their spread)",
            ("x", "y"),
            _two_classes,
        ),
        Generator(
            "thousands",
            "y = 0.002x + 1 plus noise, x in [500, 3500]: badly scaled",
            ("x", "y"),
            _thousands,
        ),
    )
}


def generate(name: str, n: int, noise: float, seed: int) -> DataSet:
    """The built-in set ``name`` with ``n`` examples; raises DataError for bad values."""
    generator = GENERATORS.get(name)
    if generator is None:
        raise DataError(f"unknown data set '{name}': choose one of {', '.join(GENERATORS)}")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_ROWS:
        raise DataError(f"n={n} is out of range: a data set has 1 to {MAX_ROWS:,} examples")
    if not (np.isfinite(noise) and 0.0 <= noise <= 1e6):
        raise DataError(f"noise={noise} is out of range: write a number from 0 to 1e6")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise DataError(f"seed={seed} is out of range: write a whole number from 0")
    rng = np.random.default_rng(seed)
    columns = generator.draw(rng, n, float(noise))
    return DataSet(generator.columns, np.stack(columns), BuiltinSource(name, n, noise, seed))
