"""The loss plots count cost: steps, examples seen or gradient evaluations; learning rates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gdplayground.core.picture import picture_from_scene
from gdplayground.core.scene import build_scene
from gdplayground.model.build import SessionOptions, build_session
from gdplayground.qt.loss_view import LossView


def picture(view_changes=None, **options):
    session = build_session(SessionOptions(**options)).session
    if view_changes:
        session = replace(session, view=replace(session.view, **view_changes))
    return picture_from_scene(build_scene(session, resolution=20, with_surface=False))


def make_view(qtbot) -> LossView:
    view = LossView()
    qtbot.addWidget(view)
    view.resize(600, 420)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_lbfgs_against_gradient_evaluations(qtbot) -> None:
    view = make_view(qtbot)
    p = picture(
        {"loss_x": "evaluations"},
        function="rosenbrock",
        optimizers=("gd", "lbfgs:max_iter=5"),
        steps="12",
    )
    view.set_picture(p)
    view.set_frame(6)
    gd, _ = view.curve_data(0, "f")
    lbfgs, _ = view.curve_data(1, "f")
    assert gd.tolist() == list(range(7))
    assert lbfgs.tolist() == p.paths[1].evaluations[:7].tolist() and lbfgs[-1] > 6
    assert view.x_label == "gradient evaluations"
    assert not view.frame_lines["f"].isVisible()  # each curve is at its own place


def test_examples_seen_in_epochs_for_each_batch_size(qtbot) -> None:
    view = make_view(qtbot)
    p = picture(
        {"loss_x": "examples"},
        dataset="line:n=64",
        optimizers=("gd:batch_size=full", "gd:batch_size=1", "gd:batch_size=16"),
        steps="8",
    )
    view.set_picture(p)
    view.set_frame(8)
    assert [view.curve_data(i, "f")[0][-1] for i in range(3)] == [8.0, 8 / 64, 2.0]


def test_steps_stay_the_default_and_the_rates_plot_shows_a_schedule(qtbot) -> None:
    view = make_view(qtbot)
    p = picture(function="x^2 + y^2", optimizers=("gd:lr=0.1",), steps="10")
    view.set_picture(p)
    assert view.x_label == "step" and not view.rate_plot.isVisible()
    p = picture(
        function="x^2 + y^2",
        optimizers=("gd:lr=0.1,schedule=step,step_size=3,gamma=0.5", "adam"),
        steps="10",
    )
    view.set_picture(p)
    assert view.rate_plot.isVisible()
    view.set_frame(10)
    _, rates = view.curve_data(0, "lr")
    expected = p.paths[0].lrs[:11]
    shown = np.log10(expected) if view.log_y("lr") else expected
    np.testing.assert_allclose(rates, shown)
    assert p.paths[0].lrs[3] == 0.05  # torch's StepLR: halved after 3 steps
