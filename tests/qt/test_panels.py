"""Input panels: type, click and pick like a user; check what they see and what is announced."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from gdplayground.core.optimizers import OPTIMIZERS
from gdplayground.model.palette import colour_for
from gdplayground.model.presets import load_presets
from gdplayground.model.session import Session, default_session, entry_for
from gdplayground.qt.form_widgets import NumberField, format_number, parse_number, step_value
from gdplayground.qt.function_editor import FunctionEditor
from gdplayground.qt.optimizer_panel import OptimizerPanel, unique_name
from gdplayground.qt.settings_panel import SettingsPanel

Key = QtCore.Qt.Key


class Recorder:
    """Collects every emission of a signal."""

    def __init__(self, signal: QtCore.SignalInstance) -> None:
        self.calls: list[tuple] = []
        signal.connect(lambda *args: self.calls.append(args))


def _type(qtbot, widget: QtWidgets.QLineEdit, text: str, enter: bool = True) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Key.Key_Delete)
    qtbot.keyClicks(widget, text)
    if enter:
        qtbot.keyClick(widget, Key.Key_Return)


# ===================================================================== FunctionEditor


@pytest.fixture
def editor(qtbot) -> FunctionEditor:
    widget = FunctionEditor("x^2 + y^2")
    qtbot.addWidget(widget)
    widget.resize(420, widget.sizeHint().height())
    widget.show()
    return widget


def test_valid_function_is_announced_once_with_its_gradient(qtbot, editor) -> None:
    changed = Recorder(editor.function_changed)
    _type(qtbot, editor.line_edit, "(1 - x)^2 + 100(y - x^2)^2", enter=False)
    assert changed.calls == []  # still within the debounce
    assert editor.validate_now()
    assert changed.calls == [("(1 - x)^2 + 100(y - x^2)^2",)]
    editor.validate_now()
    assert len(changed.calls) == 1
    editor.show_gradient("(1 - x)^2 + 100(y - x^2)^2", ("2*x - 2", "200*y"))
    assert editor.gradient_display() == "\u2207f = (2*x - 2, 200*y)"
    assert "200*y" in editor.message()
    assert not editor.line_edit.is_invalid()
    editor.show_gradient("an older function", ("1", "2"))  # stale answers are ignored
    assert editor.gradient_display() == "\u2207f = (2*x - 2, 200*y)"


def test_typing_is_validated_after_a_pause(qtbot, editor) -> None:
    with qtbot.waitSignal(editor.function_changed, timeout=2000) as blocker:
        _type(qtbot, editor.line_edit, "sin(x) * y", enter=False)
    assert blocker.args == ["sin(x) * y"]


def test_misspelt_function_shows_hint_and_column_and_is_not_announced(qtbot, editor) -> None:
    changed = Recorder(editor.function_changed)
    _type(qtbot, editor.line_edit, "sinn(x)", enter=False)
    assert not editor.validate_now()
    assert "did you mean sin" in editor.message()
    assert editor.message().startswith("column 1:")
    assert editor.error_column() == 1
    assert editor.line_edit.is_invalid()
    assert editor.gradient_display() == ""
    assert changed.calls == []
    assert editor.last_valid_text() == "x^2 + y^2"


def test_column_marker_sits_under_the_offending_character(qtbot, editor) -> None:
    marker = editor._marker
    _type(qtbot, editor.line_edit, "x + foo", enter=False)
    editor.validate_now()
    assert editor.error_column() == 5
    at_foo = marker.marker_x()
    _type(qtbot, editor.line_edit, "foo + x", enter=False)
    editor.validate_now()
    at_start = marker.marker_x()
    assert at_start is not None and at_foo is not None
    advance = QtGui.QFontMetricsF(editor.line_edit.font()).horizontalAdvance("x + ")
    assert at_foo - at_start == pytest.approx(advance, abs=1.5)


def test_fixing_the_error_clears_it(qtbot, editor) -> None:
    _type(qtbot, editor.line_edit, "x +", enter=False)
    editor.validate_now()
    assert editor.error() is not None
    _type(qtbot, editor.line_edit, "x + 1", enter=True)  # Enter validates at once
    assert editor.error() is None and editor.error_column() is None
    assert not editor.line_edit.is_invalid()


def test_escape_restores_the_last_valid_function(qtbot, editor) -> None:
    changed = Recorder(editor.function_changed)
    _type(qtbot, editor.line_edit, "x^2 + ", enter=False)
    qtbot.keyClick(editor.line_edit, Key.Key_Escape)
    assert editor.text() == "x^2 + y^2"
    assert editor.error() is None
    assert changed.calls == []


def test_choosing_a_preset_sets_the_text_and_announces_the_key(qtbot, editor) -> None:
    chosen = Recorder(editor.preset_chosen)
    changed = Recorder(editor.function_changed)
    menu = editor.presets_menu()
    titles = [a.text() for a in menu.actions()]
    assert titles == [p.title for p in load_presets().values()]
    himmelblau = next(a for a in menu.actions() if a.data() == "himmelblau")
    assert himmelblau.toolTip().startswith(load_presets()["himmelblau"].formula)
    himmelblau.trigger()
    assert chosen.calls == [("himmelblau",)]
    assert editor.text() == load_presets()["himmelblau"].formula
    assert editor.error() is None
    assert changed.calls == []  # the preset brings its own window: the lead applies both


def test_set_function_from_outside_does_not_echo(qtbot, editor) -> None:
    changed = Recorder(editor.function_changed)
    editor.set_function("x*y")
    editor.validate_now()
    # whatever the machine's load, until the editor's debounce can no longer fire
    qtbot.waitUntil(lambda: not editor._timer.isActive())
    QtCore.QCoreApplication.processEvents()
    assert changed.calls == []
    assert editor.last_valid_text() == "x*y"


def test_long_gradient_is_elided_with_the_whole_text_in_a_tooltip(qtbot, editor) -> None:
    editor.choose_preset("goldstein_price")
    editor.show_gradient(editor.text(), ("x*" * 200 + "1", "y"))
    label = editor._info
    assert label.text().endswith("\u2026")
    assert label.toolTip() == editor.gradient_display()


def test_focus_editor_selects_the_text(qtbot, editor) -> None:
    editor.focus_editor()
    assert editor.line_edit.selectedText() == "x^2 + y^2"


# ===================================================================== OptimizerPanel


@pytest.fixture
def panel(qtbot) -> OptimizerPanel:
    widget = OptimizerPanel(default_session().optimizers)
    qtbot.addWidget(widget)
    widget.resize(320, 640)
    widget.show()
    return widget


def _names(panel: OptimizerPanel) -> list[str]:
    return [e.name for e in panel.entries()]


def test_rows_show_each_entry(panel) -> None:
    entries = default_session().optimizers
    assert panel.entries() == entries
    for i, entry in enumerate(entries):
        row = panel._row(i)
        assert row.name_label.text() == entry.name
        assert row.check.isChecked() == entry.enabled


def test_add_from_menu_picks_an_unused_colour(qtbot, panel) -> None:
    changed, edited = Recorder(panel.optimizers_changed), Recorder(panel.entry_changed)
    before = panel.entries()
    adam = next(a for a in panel._add_button.menu().actions() if a.data() == "adam")
    adam.trigger()
    after = panel.entries()
    assert len(after) == len(before) + 1
    new = after[-1]
    assert new.method == "adam" and new.name == "Adam (2)"  # "Adam" is taken
    assert new.color not in {e.color for e in before}
    # the one colour rule of the window and the command line
    assert new.color == colour_for("adam", tuple(e.color for e in before))
    assert new.params == OPTIMIZERS["adam"].defaults()
    assert changed.calls == [(after,)] and edited.calls == [(len(after) - 1,)]
    assert panel.current_index() == len(after) - 1


def test_remove_with_delete_key(qtbot, panel) -> None:
    changed = Recorder(panel.optimizers_changed)
    panel.select(1)
    qtbot.keyClick(panel._list, Key.Key_Delete)
    assert _names(panel) == ["Gradient descent", "RMSProp", "Adam", "Newton"]
    assert changed.calls == [(panel.entries(),)]
    assert panel.current_index() == 1


def test_remove_everything_leaves_an_empty_form(qtbot, panel) -> None:
    for _ in range(len(panel.entries())):
        panel.remove_entry(0)
    assert panel.entries() == ()
    assert not panel._remove_button.isEnabled()
    assert "Add an optimizer" in panel._form._title.text()


def test_duplicate_copies_settings_with_a_numbered_name(qtbot, panel) -> None:
    panel.select(3)  # Adam
    edited = Recorder(panel.entry_changed)
    qtbot.mouseClick(panel._duplicate_button, QtCore.Qt.MouseButton.LeftButton)
    source, copy = panel.entries()[3], panel.entries()[-1]
    assert copy.name == "Adam (2)"
    assert copy.params == source.params and copy.params is not source.params
    assert copy.color not in {e.color for e in panel.entries()[:-1]}
    assert edited.calls == [(5,)]
    panel.duplicate_entry(5)
    assert panel.entries()[-1].name == "Adam (3)"


def test_unique_name() -> None:
    entries = (entry_for("adam"),)
    assert unique_name("Adam", entries) == "Adam (2)"
    assert unique_name("GD", entries) == "GD"


def test_rename_with_f2(qtbot, panel) -> None:
    edited = Recorder(panel.entry_changed)
    panel.select(0)
    qtbot.keyClick(panel._list, Key.Key_F2)
    row = panel._row(0)
    assert row.is_renaming()
    _type(qtbot, row.name_edit, "plain GD")
    assert panel.entries()[0].name == "plain GD"
    assert row.name_label.text() == "plain GD" and not row.is_renaming()
    assert row.method_label.text() == "Gradient descent"  # the method stays visible
    assert edited.calls == [(0,)]


def test_rename_escape_and_blank_keep_the_name(qtbot, panel) -> None:
    changed = Recorder(panel.optimizers_changed)
    panel.start_rename(2)
    row = panel._row(2)
    qtbot.keyClicks(row.name_edit, "zzz")
    qtbot.keyClick(row.name_edit, Key.Key_Escape)
    panel.start_rename(2)
    _type(qtbot, row.name_edit, "   ")
    assert panel.entries()[2].name == "RMSProp"
    assert changed.calls == []


def test_checkbox_disables_an_entry(qtbot, panel) -> None:
    changed = Recorder(panel.optimizers_changed)
    panel._row(4).check.click()
    assert panel.entries()[4].enabled is False
    assert changed.calls and changed.calls[-1][0][4].enabled is False


def test_swatch_opens_the_colour_dialog(qtbot, panel, monkeypatch) -> None:
    monkeypatch.setattr(
        QtWidgets.QColorDialog, "getColor", staticmethod(lambda *a, **k: QtGui.QColor("#123456"))
    )
    edited = Recorder(panel.entry_changed)
    panel._row(2).swatch.click()
    assert panel.entries()[2].color == "#123456"
    assert edited.calls == [(2,)]


def test_editing_lr_announces_the_entry(qtbot, panel) -> None:
    panel.select(3)
    edited = Recorder(panel.entry_changed)
    lr = panel.form_field("lr")
    _type(qtbot, lr, "2e-2")
    assert edited.calls == [(3,)]
    assert panel.entries()[3].params["lr"] == pytest.approx(0.02)
    assert lr.text() == "0.02"


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1e9"])
def test_out_of_range_lr_is_refused_with_a_message(qtbot, panel, bad) -> None:
    panel.select(3)
    changed = Recorder(panel.optimizers_changed)
    before = panel.entries()
    lr = panel.form_field("lr")
    _type(qtbot, lr, bad)
    assert panel.entries() == before
    assert changed.calls == []
    assert lr.is_invalid()
    message = panel.form_message()
    assert message and panel._form.message_label.isVisible()
    if bad in ("0", "-1"):
        assert "out of range" in message and "0 < lr <= 1000" in message
    qtbot.keyClick(lr, Key.Key_Escape)
    assert lr.text() == "0.1" and not lr.is_invalid() and panel.form_message() == ""


def test_arrow_keys_step_log_scale_values_by_quarter_decades(qtbot, panel) -> None:
    panel.select(3)  # Adam, lr = 0.1
    lr = panel.form_field("lr")
    qtbot.keyClick(lr, Key.Key_Up)
    assert panel.entries()[3].params["lr"] == pytest.approx(0.178)
    qtbot.keyClick(lr, Key.Key_Down)
    qtbot.keyClick(lr, Key.Key_Down)
    assert panel.entries()[3].params["lr"] == pytest.approx(0.0562)
    qtbot.keyClick(lr, Key.Key_PageUp)  # ten quarter decades
    assert panel.entries()[3].params["lr"] == pytest.approx(17.8)
    beta1 = panel.form_field("beta1")
    qtbot.keyClick(beta1, Key.Key_Up)
    assert panel.entries()[3].params["beta1"] == pytest.approx(0.91)


def test_bool_hyperparameter_is_a_checkbox(qtbot, panel) -> None:
    panel.select(3)
    amsgrad = panel.form_field("amsgrad")
    assert isinstance(amsgrad, QtWidgets.QCheckBox)
    amsgrad.click()
    assert panel.entries()[3].params["amsgrad"] == 1.0


def test_tooltips_explain_range(panel) -> None:
    panel.select(1)  # Momentum
    tip = panel.form_field("momentum").toolTip()
    assert "momentum factor" in tip and "0 <= momentum < 1" in tip


def test_reset_restores_defaults(qtbot, panel) -> None:
    panel.select(2)
    assert panel._form.reset_button.isEnabled()  # RMSProp's lr differs from the default
    panel.set_param(2, "weight_decay", 0.5)
    qtbot.mouseClick(panel._form.reset_button, QtCore.Qt.MouseButton.LeftButton)
    assert panel.entries()[2].params == OPTIMIZERS["rmsprop"].defaults()
    assert panel.form_field("weight_decay").text() == "0"
    assert not panel._form.reset_button.isEnabled()


def test_selecting_another_method_rebuilds_the_form(panel) -> None:
    panel.select(4)  # Newton has only lr (and a schedule for it; no clipping)
    assert panel.form_field_names() == ["lr", "schedule"]
    panel.select(3)
    own = [h.name for h in OPTIMIZERS["adam"].hyperparameters]
    assert panel.form_field_names() == [*own, "schedule", "clip_norm", "clip_value"]


def test_a_schedule_brings_its_own_settings_and_a_new_one_starts_afresh(qtbot, panel) -> None:
    panel.select(3)  # Adam
    changed = Recorder(panel.optimizers_changed)
    schedule = panel.form_field("schedule")
    schedule.setCurrentIndex(schedule.findData("cosine"))
    entry = panel.entries()[3]
    assert entry.params["schedule"] == "cosine" and "T_max" in entry.params
    assert "T_max" in panel.form_field_names() and len(changed.calls) == 1
    _type(qtbot, panel.form_field("T_max"), "50")
    assert panel.entries()[3].params["T_max"] == 50
    schedule = panel.form_field("schedule")  # the form was rebuilt for cosine's settings
    schedule.setCurrentIndex(schedule.findData("step"))
    params = panel.entries()[3].params
    assert params["schedule"] == "step" and "T_max" not in params and "step_size" in params
    schedule = panel.form_field("schedule")
    schedule.setCurrentIndex(schedule.findData("constant"))
    assert "schedule" not in panel.entries()[3].params
    assert panel.form_field_names()[-3:] == ["schedule", "clip_norm", "clip_value"]


def test_set_entries_and_status_do_not_emit(qtbot, panel) -> None:
    changed = Recorder(panel.optimizers_changed)
    panel.set_status(0, "converged at step 12 · f=1.2e-3", warning=False)
    entries = (entry_for("nesterov"), *panel.entries()[:2])
    panel.set_entries(entries)
    assert panel.entries() == entries
    assert changed.calls == []
    assert panel.status(0) == ""  # a different entry now sits in row 0
    panel.set_status(2, "diverged at step 37", warning=True)
    assert panel._row(2).status_label.text() == "diverged at step 37"


def test_a_long_status_is_shown_whole_on_more_lines(qtbot, panel) -> None:
    panel.resize(220, 500)
    panel.show()
    qtbot.waitExposed(panel)
    one_line = panel._list.item(0).sizeHint().height()
    long = "stopped at step 3: the Hessian is not positive definite · f=1.234e-05"
    panel.set_status(0, long)
    label = panel._row(0).status_label
    assert label.text() == long  # all of it: nothing cut off
    assert panel._list.item(0).sizeHint().height() > one_line  # the row grew to show it
    panel.set_status(0, "ran")
    assert panel._list.item(0).sizeHint().height() == one_line


# ===================================================================== SettingsPanel


@pytest.fixture
def session() -> Session:
    return default_session()


@pytest.fixture
def settings(qtbot, session) -> SettingsPanel:
    widget = SettingsPanel(session)
    qtbot.addWidget(widget)
    widget.resize(320, widget.sizeHint().height())
    widget.show()
    return widget


def _all_signals(panel: SettingsPanel) -> list[Recorder]:
    return [
        Recorder(getattr(panel, name))
        for name in (
            "domain_changed",
            "color_scale_changed",
            "gradient_changed",
            "start_changed",
            "steps_changed",
            "tol_changed",
            "reset_domain_requested",
        )
    ]


def test_set_session_fills_every_field_silently(settings, session) -> None:
    recorders = _all_signals(settings)
    other = Session(
        function="x^2",
        domain=(-5.0, 5.0, -4.0, 4.0),
        start=(1.5, -2.0),
        optimizers=(),
        color_scale="log",
        gradient="numeric",
        h=1e-5,
        steps=1234,
        tol=1e-6,
    )
    settings.set_session(other)
    assert settings.domain() == (-5.0, 5.0, -4.0, 4.0)
    assert settings.field("xmin").text() == "-5"
    assert settings.start() == (1.5, -2.0)
    assert settings.color_scale() == "log"
    assert settings.gradient() == ("numeric", 1e-5)
    assert settings.field("h").isEnabled()
    assert settings.steps() == 1234 and settings.tol() == 1e-6
    assert not settings.field("reset_domain").isEnabled()  # no preset
    assert all(r.calls == [] for r in recorders)


def test_xmin_not_below_xmax_is_refused(qtbot, settings, session) -> None:
    domain = Recorder(settings.domain_changed)
    xmin = settings.field("xmin")
    _type(qtbot, xmin, "5")
    assert domain.calls == []
    assert settings.domain() == session.domain
    assert xmin.is_invalid()
    assert any("the x range 5 to 2 is empty" in m for m in settings.messages())
    _type(qtbot, xmin, "-3")
    assert domain.calls == [((-3.0, 2.0, -1.0, 3.0),)]
    assert settings.messages() == []


def test_ymax_equal_to_ymin_is_refused(qtbot, settings) -> None:
    _type(qtbot, settings.field("ymax"), "-1")
    assert settings.domain()[3] == 3.0
    assert any("the y range -1 to -1 is empty" in m for m in settings.messages())


def test_a_start_the_session_file_would_refuse_is_refused_as_typed(qtbot, settings) -> None:
    start = Recorder(settings.start_changed)
    _type(qtbot, settings.field("start_x"), "1e12")
    assert start.calls == []
    # the very message the session-file reader gives for such a start
    assert settings.messages() == ["keep the start within ±1e+10"]


def test_typed_start_point_is_announced(qtbot, settings) -> None:
    start = Recorder(settings.start_changed)
    _type(qtbot, settings.field("start_x"), "0.25")
    _type(qtbot, settings.field("start_y"), "-1e-1")
    assert start.calls == [(0.25, 2.0), (0.25, -0.1)]


def test_gradient_mode_and_step(qtbot, settings) -> None:
    gradient = Recorder(settings.gradient_changed)
    h = settings.field("h")
    assert not h.isEnabled()
    settings.field("gradient").setCurrentIndex(1)
    assert h.isEnabled()
    _type(qtbot, h, "1e-4")
    _type(qtbot, h, "")
    _type(qtbot, h, "0")  # refused
    assert gradient.calls == [("numeric", None), ("numeric", 1e-4), ("numeric", None)]
    assert any("h must be a number greater than 0" in m for m in settings.messages())
    settings.set_gradient_error("max |numeric − exact| = 3.2e-9 at the current points")
    assert settings._gradient_error.isVisible()


def test_colour_scale_steps_and_tol(qtbot, settings) -> None:
    scale, steps, tol = (
        Recorder(settings.color_scale_changed),
        Recorder(settings.steps_changed),
        Recorder(settings.tol_changed),
    )
    settings.field("color_scale").setCurrentIndex(2)
    spin = settings.field("steps")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "500")
    qtbot.keyClick(spin, Key.Key_Return)
    _type(qtbot, settings.field("tol"), "1e-8")
    _type(qtbot, settings.field("tol"), "-1")
    assert scale.calls == [("log",)]
    assert steps.calls == [(500,)]  # not 5, 50, 500
    assert tol.calls == [(1e-8,)]


def test_reset_to_preset_window(qtbot, settings) -> None:
    requested = Recorder(settings.reset_domain_requested)
    button = settings.field("reset_domain")
    assert button.isEnabled()
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)
    assert requested.calls == [()]
    settings.set_preset_active(False)
    assert not button.isEnabled()


# ===================================================================== number helpers


def test_format_and_parse_numbers() -> None:
    assert [format_number(v) for v in (0.001, 1e-8, 1000.0, 2.5, -3.0, 1e20)] == [
        "0.001",
        "1e-8",
        "1000",
        "2.5",
        "-3",
        "1e20",
    ]
    assert parse_number(" 0,5 ") == 0.5 and parse_number("\u22122") == -2.0
    with pytest.raises(ValueError, match="not a number"):
        parse_number("1e")
    with pytest.raises(ValueError, match="finite"):
        parse_number("inf")


def test_step_value_grids() -> None:
    assert step_value(1e-3, 1, log_scale=True, step=0.1) == 0.00178
    assert step_value(1e-3, 4, log_scale=True, step=0.1) == 0.01
    assert step_value(0.002, 1, log_scale=True, step=0.1) == 0.00316  # snaps onto the grid
    assert step_value(0.002, -1, log_scale=True, step=0.1) == 0.00178
    assert step_value(0.0, 1, log_scale=True, step=0.1) == 1e-12
    assert step_value(0.3, 1, log_scale=False, step=0.1) == 0.4
    assert step_value(0.35, -1, log_scale=False, step=0.1) == 0.3


def test_number_field_out_of_range_step_does_nothing(qtbot) -> None:
    def below_one(v: float) -> float:
        if v >= 1:
            raise ValueError("must be below 1")
        return v

    field = NumberField(0.99, check=below_one, step=0.01)
    qtbot.addWidget(field)
    committed = Recorder(field.value_committed)
    field.step_by(1)
    assert field.value() == 0.99 and committed.calls == [] and not field.is_invalid()


def test_a_session_with_zero_steps_shows_zero(qtbot) -> None:
    from dataclasses import replace as _replace

    from gdplayground.model.session import default_session
    from gdplayground.qt.settings_panel import SettingsPanel

    panel = SettingsPanel(_replace(default_session(), steps=0))
    qtbot.addWidget(panel)
    assert panel.steps() == 0


def test_lesson_text_wraps_between_words_never_inside_a_number(qtbot) -> None:
    """ "any lr above 2/20 = 0.1" must not read "0." on one line and "1" on the next;
    a long dotted name may still wrap at its dots."""
    from PySide6 import QtGui

    from gdplayground.model.session import Lesson
    from gdplayground.qt.lesson_panel import LessonPanel

    panel = LessonPanel()
    qtbot.addWidget(panel)
    text = (
        "Along y the curvature is 20, so any lr above 2/20 = 0.1 overshoots, with h = 0.5 "
        "and 1.25e-3 too; clipping is torch.nn.utils.clip_grad_norm_ before the step."
    )
    panel.set_lesson(Lesson("Numbers", text))
    for width in range(90, 400, 7):
        document = QtGui.QTextDocument()
        document.setDefaultFont(panel._text.font())
        document.setHtml(panel._text.text())
        document.setTextWidth(width)
        document.size()  # laid out
        lines = []
        block = document.begin()
        while block.isValid():
            layout = block.layout()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                lines.append(block.text()[line.textStart() : line.textStart() + line.textLength()])
            block = block.next()
        for upper, lower in zip(lines, lines[1:], strict=False):
            upper, lower = (t.replace("\u200b", "").strip() for t in (upper, lower))
            assert not (upper[-1:] in "./" and upper[-2:-1].isdigit() and lower[:1].isdigit()), (
                width,
                upper,
                lower,
            )
