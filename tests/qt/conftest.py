"""Fixtures for the view tests: a Rosenbrock grid and three paths, one diverging."""

from __future__ import annotations

import pytest
from qt_fakes import ROSENBROCK_DOMAIN, descent_path, rosenbrock

from gdplayground.core.picture import PathData
from gdplayground.core.sampling import Grid, sample_grid


@pytest.fixture
def rosenbrock_grid() -> Grid:
    return sample_grid(rosenbrock, ROSENBROCK_DOMAIN, 120)


@pytest.fixture
def paths() -> list[PathData]:
    return [
        descent_path((-1.5, 2.0), 60, 1e-3, "GD", 0),
        descent_path((-1.0, -0.5), 60, 5e-4, "Momentum", 1, momentum=0.9),
        descent_path((0.5, 2.5), 30, 0.01, "GD lr=0.01", 2),  # diverges
    ]
