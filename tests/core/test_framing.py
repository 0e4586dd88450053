"""A window chosen around the paths shows them all and reads as round numbers."""

from __future__ import annotations

import numpy as np

from gdplayground.core.framing import fitted_domain, nice_number


def test_the_fitted_window_holds_the_start_and_the_paths_with_round_edges() -> None:
    path = np.array([[-1.5, 2.0], [-0.7312, 0.4123], [0.0001, -0.00002]])
    xmin, xmax, ymin, ymax = fitted_domain((-1.5, 2.0), [(path, False)])
    assert xmin < -1.5 and xmax > 0.0001 and ymin < -0.00002 and ymax > 2.0
    for low, high in ((xmin, xmax), (ymin, ymax)):
        step = nice_number((high - low) / 20) / 2  # edges on a grid at least this coarse
        for edge in (low, high):
            assert abs(edge / step - round(edge / step)) < 1e-9
            assert len(repr(edge)) <= 6  # "-1.7", not "-1.64311965352"


def test_a_runaway_path_does_not_shrink_the_others() -> None:
    calm = np.array([[0.0, 0.0], [1.0, 1.0]])
    wild = np.array([[0.0, 0.0], [1e9, -1e9]])
    xmin, xmax, ymin, ymax = fitted_domain((0.0, 0.0), [(calm, False), (wild, True)])
    assert xmax < 10 and ymin > -10
