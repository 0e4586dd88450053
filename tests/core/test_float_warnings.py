"""Functions whose values overflow float64 draw without a numpy warning, in the core and views."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from gdplayground.core.picture import picture_from_scene
from gdplayground.core.sampling import colour_scale, contour_levels, isolines, sample_grid
from gdplayground.core.scene import build_scene
from gdplayground.core.surface import surface_of
from gdplayground.model.build import SessionOptions, build_session

#: Values spanning beyond float64, of both signs, overflowing in places.
EXTREME = [
    "x^999*y^999",
    "(x^2+y^2)^400",
    "x^1000+y^1000",
    "exp(x^2*1000)+y",
    "1e300*(x^2+y^2)",
    "-exp(x^2*800)",
    "exp(100*x)+exp(100*y)",
]


@pytest.mark.parametrize("function", EXTREME)
def test_extreme_functions_compute_without_a_warning(function: str) -> None:
    session = build_session(SessionOptions(function=function, domain="-3,3,-3,3")).session
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scene = build_scene(session, with_surface=True)
        picture = picture_from_scene(scene)
        for log in (None, True, False):
            scale = colour_scale(scene.grid, log)
            isolines(scene.grid, contour_levels(scene.grid, log=log))
            scale(scene.grid.z)
        surface_of(scene.grid)
    assert picture.paths


def test_a_span_beyond_float64_gets_a_finite_colour_scale() -> None:
    grid = sample_grid(lambda x, y: 1e308 * np.sign(x) * x**2, (-2, 2, -1, 1), 40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scale = colour_scale(grid)
    assert np.isfinite([scale.cmin, scale.cmax]).all() and scale.cmax > scale.cmin


def test_an_export_of_huge_values_prints_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gdplayground", "export", "x^1000+y^1000", "-o", "w.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0 and done.stderr == ""
    assert (tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"
