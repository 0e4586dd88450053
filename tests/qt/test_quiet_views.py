"""The views say nothing on the terminal about values beyond float64."""

from __future__ import annotations

import warnings

import numpy as np

from gdplayground.qt.loss_view import wants_log_y


def test_the_loss_view_decides_its_axis_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wants_log_y(np.array([1e-300, 1e300, 1.0]))


def test_the_contour_view_says_where_f_overflows_and_where_it_is_undefined(qtbot) -> None:
    from gdplayground.core.sampling import sample_grid
    from gdplayground.qt.contour_view import ContourView

    view = ContourView()
    qtbot.addWidget(view)
    with np.errstate(all="ignore"):
        grid = sample_grid(lambda x, y: np.exp(1e5 * x) + np.sqrt(y), (-1, 1, -1, 1), 101)
    view.set_grid(grid)
    text = view.note_item.textItem.toPlainText()
    assert view.note_item.isVisible()
    assert text.startswith("f overflows float64 (|f| > 1.8e308) on 25% of the window")
    assert text.endswith("50% of the window is undefined")
