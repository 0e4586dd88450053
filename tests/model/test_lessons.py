"""Every ready lesson opens, says what to look at, asks for a prediction, and its race
does what its text says."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdplayground.core.gradients import compile_function
from gdplayground.core.scene import build_scene
from gdplayground.model.lessons import builtin_folder, find_lesson, list_lessons, load_lesson
from gdplayground.model.session import SessionError
from gdplayground.model.session_file import save_session

LESSONS = list_lessons()


def _runs(key: str) -> dict:
    """Each optimizer's run in lesson ``key``, computed as the window computes it."""
    session = load_lesson(find_lesson(key))
    scene = build_scene(session, resolution=8, with_surface=False)
    return {e.name: r for e, r in zip(session.optimizers, scene.runs, strict=True) if r is not None}


def test_there_are_the_lessons_a_course_needs() -> None:
    assert len(LESSONS) >= 13
    assert [lesson.key for lesson in LESSONS] == sorted(lesson.key for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_every_lesson_is_a_session_with_a_short_text_that_asks_for_a_prediction(lesson) -> None:
    session = load_lesson(lesson)  # checked by the same rules as any session file
    assert session.lesson is not None and session.lesson.title == lesson.title
    words = len(session.lesson.text.split())
    assert 30 <= words <= 160, words  # read aloud in a minute
    assert "Predict" in session.lesson.text and "Try this" in session.lesson.text


def test_lessons_are_found_by_number_key_or_title() -> None:
    assert find_lesson("2").key == "02-learning-rate"
    assert find_lesson("learning-rate").key == "02-learning-rate"
    assert find_lesson("Saddle points").key == "09-saddle-points"
    with pytest.raises(SessionError, match="no lesson 'nope': choose one of 01-"):
        find_lesson("nope")


def test_a_teacher_s_folder_joins_the_list_and_a_damaged_file_is_left_out(tmp_path) -> None:
    mine = load_lesson(find_lesson("1"))
    save_session(mine, tmp_path / "my-slope.gdp.json")
    (tmp_path / "broken.gdp.json").write_text("{", encoding="utf-8")
    keys = [lesson.key for lesson in list_lessons([tmp_path])]
    assert "my-slope" in keys and "broken" not in keys
    assert [lesson.builtin for lesson in list_lessons([tmp_path])][-1] is False


def test_lesson_2_s_large_rate_diverges_the_small_one_crawls_the_right_one_arrives() -> None:
    runs = _runs("2")
    assert runs["lr 0.12 (too large)"].status == "diverged"
    small, right = runs["lr 0.005 (too small)"], runs["lr 0.05 (right)"]
    assert right.values[-1] < 1e-9 < small.values[-1]


def test_lesson_5_momentum_and_nesterov_beat_gradient_descent_down_the_ravine() -> None:
    runs = _runs("5")
    gd = runs["Gradient descent"]
    crossings = np.count_nonzero(np.diff(np.sign(gd.points[:, 1])))
    assert crossings > 100  # it zig-zags across the valley at every step
    for name in ("Momentum", "Nesterov"):
        assert abs(runs[name].points[-1, 0]) < abs(gd.points[-1, 0]) / 10


def test_lesson_6_adaptive_methods_get_further_than_gradient_descent() -> None:
    runs = _runs("6")
    gd = abs(runs["Gradient descent"].points[-1, 0])
    for name in ("AdaGrad", "RMSProp", "Adam"):
        assert abs(runs[name].points[-1, 0]) < gd / 4


def test_lesson_8_the_optimizers_end_in_different_minima() -> None:
    ends = {tuple(np.round(r.points[-1], 2)) for r in _runs("8").values()}
    assert len(ends) >= 2


def test_lesson_8_momentum_s_basin_map_differs_from_gradient_descent_s_near_the_edges() -> None:
    from gdplayground.core.explore.basins import BasinRequest, compute_basin_map
    from gdplayground.core.optimizers import make_config

    session = load_lesson(find_lesson("8"))
    size = 40

    def ends(name: str) -> np.ndarray:
        entry = next(e for e in session.optimizers if e.name == name)
        config = make_config(entry.method, entry.params)
        request = BasinRequest(session.function, config, session.domain, size, session.steps)
        basins = compute_basin_map(request)
        assert basins.complete and basins.diverged_share == basins.not_converged_share == 0
        points = np.array([a.point for a in basins.attractors])
        return np.round(points[basins.labels], 1)  # the minimum each start ends in

    differ = np.any(ends("Gradient descent") != ends("Momentum"), axis=-1)
    edge = np.zeros((size, size), dtype=bool)
    edge[:6], edge[-6:], edge[:, :6], edge[:, -6:] = True, True, True, True
    assert differ[edge].mean() > 0.2  # overshooting into a farther basin
    assert differ[~edge].mean() < differ[edge].mean() / 4


def test_lesson_9_gradient_descent_reports_a_saddle_noise_escapes_and_newton_stops() -> None:
    runs = _runs("9")
    assert runs["Gradient descent"].status == "converged"
    assert runs["Gradient descent"].stationary == "saddle"
    assert abs(runs["Noisy gradient descent"].points[-1, 1]) > 1.3  # in a minimum, y = ±1.41
    assert runs["Newton"].status == "indefinite_hessian"


def test_lesson_3_sgd_gets_further_per_example_seen_than_batch_descent() -> None:
    runs = _runs("3")
    batch, sgd = runs["Batch GD (all 200)"], runs["SGD (batch 1)"]
    assert batch.status == sgd.status == "max_steps"
    # after one epoch (200 examples): batch descent has taken one step, SGD 200
    assert sgd.values[200] < batch.values[1]


def test_lesson_4_the_decaying_rate_settles_where_the_constant_one_hovers() -> None:
    runs = _runs("4")
    constant, decaying = runs["SGD, constant rate"], runs["SGD, decaying rate"]
    late = slice(200, None)
    spread = {name: np.std(run.points[late], axis=0).max() for name, run in runs.items()}
    assert spread["SGD, decaying rate"] < spread["SGD, constant rate"] / 3
    assert decaying.values[-1] < constant.values[-1]


def test_lesson_4_s_fan_shows_single_examples_pulling_hard_where_the_full_gradient_vanishes() -> (
    None
):
    session = load_lesson(find_lesson("4"))
    assert session.view.show_gradient_fan
    scene = build_scene(session, resolution=8, with_surface=False)
    fan = scene.landscape.fan
    runs = dict(zip((e.name for e in session.optimizers), scene.runs, strict=True))

    def ratio(point) -> float:  # how hard single examples pull, against the full gradient
        at = fan.at(*point, 1, session.seed)
        return at.spread / float(np.linalg.norm(at.full))

    # near the minimum the full gradient has all but vanished, while single examples
    # still pull as hard as the noise in the data makes them
    assert ratio(session.start) < 2
    assert ratio(runs["SGD, decaying rate"].points[-1]) > 10
    assert ratio(runs["SGD, constant rate"].points[-1]) > 2


def test_lesson_7_unscaled_gradient_descent_barely_moves_b() -> None:
    runs = _runs("7")
    gd = runs["Batch GD"]
    assert abs(gd.points[-1, 1] - gd.points[0, 1]) < 1e-3  # b: stuck
    assert abs(runs["Adam"].points[-1, 1] - gd.points[0, 1]) > 0.1


def test_lesson_10_gradient_descent_stays_on_the_plateau_adam_leaves_it() -> None:
    runs = _runs("10")
    gd, adam = runs["Gradient descent"], runs["Adam"]
    assert gd.grad_norms[: len(gd.grad_norms) // 3].max() < 0.05  # a plateau: all but flat
    assert adam.values[-1] < gd.values[-1] / 5


def test_lesson_11_the_cliff_throws_plain_descent_out_and_clipping_walks_down() -> None:
    runs = _runs("11")
    session = load_lesson(find_lesson("11"))
    xmin, xmax, _, _ = session.domain
    thrown = runs["Gradient descent"].points[:, 0]
    clipped = runs["Clipped (clip_norm 1)"]
    assert thrown.min() < xmin  # out of the window after one step
    assert (clipped.points[:, 0] >= xmin).all() and (clipped.points[:, 0] <= xmax).all()
    assert np.all(np.hypot(*np.diff(clipped.points, axis=0).T) <= 0.3 + 1e-9)  # lr x 1


def test_lesson_12_only_newton_converges_within_the_budget() -> None:
    runs = _runs("12")
    assert runs["Newton"].status == "converged" and runs["Newton"].stationary == "minimum"
    assert runs["Gradient descent"].status == "max_steps"


def test_lesson_13_the_numeric_gradient_is_visibly_off() -> None:
    session = load_lesson(find_lesson("13"))
    assert session.gradient == "numeric" and session.h == 0.5
    objective = compile_function(session.function, "numeric", session.h)
    exact = compile_function(session.function)
    x, y = np.array([session.start[0]]), np.array([session.start[1]])
    off = np.hypot(*(np.array(objective.gradient(x, y)) - np.array(exact.gradient(x, y)))[:, 0])
    assert off > 0.1


def test_lesson_files_are_plain_session_json() -> None:
    for path in builtin_folder().iterdir():
        if path.name.endswith(".gdp.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data["format"] == "gdplayground-session" and "lesson" in data
