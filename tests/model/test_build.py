"""One builder: the command line, session files and the window agree on every default and rule."""

from __future__ import annotations

import pytest

from gdplayground.model.build import BuildError, SessionOptions, build_session, parse_optimizer_spec
from gdplayground.model.limits import DEFAULT_STEPS, DEFAULT_TOL
from gdplayground.model.palette import PALETTE, colour_for
from gdplayground.model.presets import load_presets
from gdplayground.model.session import default_entries, default_session, preset_start
from gdplayground.model.session_file import save_session


def test_a_preset_on_the_command_line_is_the_window_s_first_launch() -> None:
    built = build_session(SessionOptions(function="rosenbrock"))
    assert built.session == default_session()  # same function, window, start, race, colours
    assert built.starts == (default_session().start,) and not built.fit_domain


def test_a_preset_s_formula_brings_its_window_and_start() -> None:
    preset = load_presets()["himmelblau"]
    built = build_session(SessionOptions(function=" ".join(preset.formula.split())))
    assert built.session.preset == "himmelblau"
    assert built.session.domain == preset.domain
    assert built.session.start == preset_start("himmelblau")


def test_a_typed_function_gets_the_defaults_and_a_window_to_fit() -> None:
    built = build_session(SessionOptions(function="x^2 + 3y^2"))
    s = built.session
    assert (s.steps, s.tol, s.gradient, s.preset) == (DEFAULT_STEPS, DEFAULT_TOL, "symbolic", None)
    assert s.optimizers == default_entries() and built.fit_domain


def test_each_method_has_its_own_colour_and_a_second_one_the_next_free_colour() -> None:
    built = build_session(
        SessionOptions(function="x^2", optimizers=("gd", "adam:lr=0.1", "adam:lr=0.01"))
    )
    gd, fast, slow = built.session.optimizers
    assert gd.color == colour_for("gd") and fast.color == colour_for("adam")
    assert slow.color not in (gd.color, fast.color) and slow.color in PALETTE
    assert (fast.name, slow.name) == ("Adam (lr=0.1)", "Adam (lr=0.01)")
    assert gd.name == "Gradient descent"


def test_a_saved_session_is_the_base_and_options_override_it(tmp_path) -> None:
    path = tmp_path / "lesson.gdp.json"
    base = default_session()
    save_session(base, path)
    built = build_session(SessionOptions(session=str(path), steps="50"))
    assert built.session.steps == 50 and built.session.optimizers == base.optimizers
    assert built.session.start == base.start and built.session.domain == base.domain


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (SessionOptions(), "give a FUNCTION"),
        (SessionOptions(function="x^"), "in the function"),
        (SessionOptions(function="x^2", starts=("1e12,0",)), "keep the start within ±1e+10"),
        (SessionOptions(function="x^2", starts=("1",)), "write 2 numbers"),
        (SessionOptions(function="x^2", domain="1,0,0,1"), "the x range 1 to 0 is empty"),
        (SessionOptions(function="x^2", steps="-1"), "-1 is negative"),
        (SessionOptions(function="x^2", steps="9" * 5000), "5000 digits is far too large"),
        (SessionOptions(function="x^2", steps="200000"), "at most 100000"),
        (SessionOptions(function="x^2", tol="-1"), "tol must be 0 or more"),
        (SessionOptions(function="x^2", h="0.1"), "only applies to --gradient numeric"),
        (SessionOptions(function="x^2", gradient="numeric", h="0"), "greater than 0"),
        (SessionOptions(function="x^2", optimizers=("sgdx",)), "unknown optimizer 'sgdx'"),
        (SessionOptions(function="x^2", optimizers=("adam:lr",)), "key=value"),
        (SessionOptions(function="x^2", optimizers=("adam:lr=-1",)), "out of range"),
        (SessionOptions(function="x^2", session="/nonexistent.gdp.json"), "cannot read"),
    ],
)
def test_mistakes_are_refused_with_one_line_naming_the_option(options, message) -> None:
    with pytest.raises(BuildError, match=None) as caught:
        build_session(options)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_work_is_bounded_before_anything_runs() -> None:
    starts = tuple("1,1" for _ in range(300))
    with pytest.raises(BuildError, match="too much work"):
        build_session(SessionOptions(function="x^2", starts=starts, steps="100000"))
    with pytest.raises(BuildError, match="at most 1 here"):
        build_session(SessionOptions(function="x^2", starts=("1,1", "2,2")), max_starts=1)


def test_optimizer_specs_keep_text_values_for_choices() -> None:
    assert parse_optimizer_spec("Adam:lr=0.1, schedule=cosine") == (
        "adam",
        {"lr": 0.1, "schedule": "cosine"},
    )
