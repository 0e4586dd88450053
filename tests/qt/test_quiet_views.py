"""The views say nothing on the terminal about values beyond float64."""

from __future__ import annotations

import warnings

import numpy as np

from gdplayground.qt.loss_view import wants_log_y


def test_the_loss_view_decides_its_axis_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wants_log_y(np.array([1e-300, 1e300, 1.0]))
