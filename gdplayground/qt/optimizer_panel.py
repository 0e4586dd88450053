"""The list of racing optimizers and the hyperparameter form of the selected one.

Each row shows whether the optimizer runs, its colour, its name and a status
line the main window fills in ("converged at step 12 · f=1.2e-3").  Every edit
replaces the panel's tuple of :class:`OptimizerEntry` and is announced at once:
``optimizers_changed(entries)`` always, then ``entry_changed(index)`` when a
single entry was added or edited, so only its trajectory needs recomputing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from gdplayground.core.clipping import CLIP_HYPERPARAMETERS
from gdplayground.core.optimizers import (
    OPTIMIZERS,
    Hyperparameter,
    OptimizerError,
    make_config,
)
from gdplayground.core.schedules import CONSTANT, SCHEDULE, SCHEDULE_CHOICE, schedule_fields
from gdplayground.model.limits import MAX_NAME, MAX_OPTIMIZERS
from gdplayground.model.palette import colour_for
from gdplayground.model.session import OptimizerEntry, entry_for
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.form_widgets import (
    NumberField,
    blend,
    error_colour,
    muted_colour,
    set_text_colour,
)

_NUMBERED = re.compile(r"^(.*) \((\d+)\)$")


def unique_name(base: str, entries: tuple[OptimizerEntry, ...]) -> str:
    """``base`` if no entry has that name, else ``"base (2)"``, ``"base (3)"``, ..."""
    names = {e.name for e in entries}
    if base not in names:
        return base
    match = _NUMBERED.match(base)
    stem = match.group(1) if match else base
    n = 2
    while f"{stem} ({n})" in names:
        n += 1
    return f"{stem} ({n})"


def new_entry(method: str, entries: tuple[OptimizerEntry, ...]) -> OptimizerEntry:
    """A fresh entry for ``method``: defaults, its colour by the one rule
    (:func:`colour_for`) and a unique name."""
    entry = entry_for(method, taken=tuple(e.color for e in entries))
    return replace(entry, name=unique_name(entry.name, entries))


def _swatch_icon(colour: str, size: int = 14) -> QtGui.QIcon:
    pixmap = QtGui.QPixmap(size, size)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.setPen(QtGui.QPen(QtGui.QColor(0, 0, 0, 110), 1))
    painter.setBrush(QtGui.QColor(colour))
    painter.drawRoundedRect(QtCore.QRectF(0.5, 0.5, size - 1, size - 1), 3, 3)
    painter.end()
    return QtGui.QIcon(pixmap)


def _hyperparameter_help(hp: Hyperparameter, key: str | None = None) -> str:
    name = key or hp.name
    if hp.kind in ("bool", "choice"):
        return f"{name}: {hp.description}"
    scale = "  (↑/↓ step by quarter decades)" if hp.log_scale else ""
    return (
        f"{name}: {hp.description}\nallowed: {hp.range_text(name)}, "
        f"default {float(hp.default):g}{scale}"
    )


class _StatusLabel(QtWidgets.QLabel):
    """The status line under an entry: the whole text, wrapped when the panel is
    narrow ("stopped at step 3: the Hessian is not positive definite ...")."""

    def __init__(self, text: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def set_full_text(self, text: str) -> None:
        if text != self.text():
            self.setText(text)


class _EntryRow(QtWidgets.QWidget):
    """One list row: run checkbox, colour swatch, name (renamable), status line."""

    enabled_toggled = QtCore.Signal(bool)
    colour_clicked = QtCore.Signal()
    renamed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QtWidgets.QCheckBox(self)
        self.check.setToolTip("Run and show this optimizer")
        self.swatch = QtWidgets.QToolButton(self)
        self.swatch.setAutoRaise(True)
        self.swatch.setIconSize(QtCore.QSize(14, 14))
        self.swatch.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        self.name_label = QtWidgets.QLabel(self)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.method_label = QtWidgets.QLabel(self)
        set_text_colour(self.method_label, muted_colour(self))
        self.name_edit = QtWidgets.QLineEdit(self)
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.hide()
        self.name_edit.installEventFilter(self)
        self.status_label = _StatusLabel("", self)
        small = self.status_label.font()
        small.setPointSizeF(max(small.pointSizeF() * 0.9, 7.0))
        self.status_label.setFont(small)
        self._status_warning = False
        self._status_style: tuple[bool, int] | None = None

        top = QtWidgets.QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.check)
        top.addWidget(self.swatch)
        top.addWidget(self.name_label)
        top.addWidget(self.name_edit, 1)
        top.addWidget(self.method_label, 1)
        bottom = QtWidgets.QHBoxLayout()
        self.status_indent = self.check.sizeHint().width() + 4 + 8
        self.one_line_height = 0
        bottom.setContentsMargins(self.check.sizeHint().width() + 4, 0, 0, 0)
        bottom.addWidget(self.status_label, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 3)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addLayout(bottom)

        self.check.toggled.connect(self.enabled_toggled)
        self.swatch.clicked.connect(self.colour_clicked)
        self.name_edit.editingFinished.connect(self._finish_rename)

    def show_entry(self, entry: OptimizerEntry) -> None:
        """Display ``entry`` without emitting anything."""
        blocker = QtCore.QSignalBlocker(self.check)
        self.check.setChecked(entry.enabled)
        del blocker
        self.swatch.setIcon(_swatch_icon(entry.color))
        self.swatch.setToolTip(f"Colour {entry.color}: click to change")
        self.name_label.setText(entry.name)
        title = OPTIMIZERS[entry.method].title
        self.method_label.setText("" if entry.name.startswith(title) else title)
        self.name_label.setEnabled(entry.enabled)
        self.setToolTip(f"{entry.name}: {OPTIMIZERS[entry.method].summary}")

    def set_status(self, text: str, warning: bool) -> None:
        self.status_label.set_full_text(text)
        self._status_warning = warning
        # a new palette restyles the label: only when the colour really changes
        style = (warning, self.palette().cacheKey())
        if style != self._status_style:
            self._status_style = style
            colour = error_colour(self) if warning else muted_colour(self)
            set_text_colour(self.status_label, colour)

    def start_rename(self) -> None:
        self.name_edit.setText(self.name_label.text())
        self.name_label.hide()
        self.method_label.hide()
        self.name_edit.show()
        self.name_edit.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
        self.name_edit.selectAll()

    def is_renaming(self) -> bool:
        return self.name_edit.isVisible()

    def _end_rename(self) -> None:
        self.name_edit.hide()
        self.name_label.show()
        self.method_label.show()

    def _finish_rename(self) -> None:
        if self.name_edit.isHidden():
            return
        name = self.name_edit.text().strip()
        self._end_rename()
        if name and name != self.name_label.text():
            self.renamed.emit(name)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if (
            watched is self.name_edit
            and event.type() == QtCore.QEvent.Type.KeyPress
            and event.key() == QtCore.Qt.Key.Key_Escape
        ):
            self._end_rename()
            return True
        return super().eventFilter(watched, event)


def form_fields(entry: OptimizerEntry) -> tuple[tuple[str, Hyperparameter], ...]:
    """The (key, hyperparameter) rows of ``entry``'s form: the method's own, its
    learning-rate schedule and that schedule's settings, then gradient clipping."""
    info = OPTIMIZERS[entry.method]
    own = [h.name for h in info.hyperparameters]
    rows = [(h.name, h) for h in info.hyperparameters]
    rows.append((SCHEDULE, SCHEDULE_CHOICE))
    schedule = str(entry.params.get(SCHEDULE, CONSTANT))
    rows += list(schedule_fields(schedule, own, info.cycled_momentum is not None))
    if info.takes_clipping:
        rows += [(h.name, h) for h in CLIP_HYPERPARAMETERS]
    return tuple(rows)


class _HyperparameterForm(QtWidgets.QGroupBox):
    """The hyperparameters of one entry (with its schedule and clipping), each checked
    against its range."""

    param_changed = QtCore.Signal(str, object)
    reset_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout_key: tuple | None = None
        self._fields: dict[str, QtWidgets.QWidget] = {}
        self._hyperparameters: dict[str, Hyperparameter] = {}
        self._title = QtWidgets.QLabel(self)
        self._title.setWordWrap(True)
        set_text_colour(self._title, muted_colour(self))
        self._form = QtWidgets.QFormLayout()
        self._form.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        self._form.setLabelAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        self._form.setHorizontalSpacing(8)
        self._form.setVerticalSpacing(3)
        self.message_label = QtWidgets.QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        set_text_colour(self.message_label, error_colour(self))
        self.reset_button = QtWidgets.QPushButton("Reset to defaults", self)
        self.reset_button.setToolTip("Restore every hyperparameter of this method to its default")
        self.reset_button.clicked.connect(self.reset_requested)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self._title)
        layout.addLayout(self._form)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self.show_entry(None)

    def field(self, name: str) -> QtWidgets.QWidget:
        return self._fields[name]

    def field_names(self) -> list[str]:
        """The keys of the rows on show, in order."""
        return list(self._fields)

    def show_entry(self, entry: OptimizerEntry | None) -> None:
        """Rebuild (for a new method or schedule) or refill the rows, without emitting."""
        self.show_message("")
        if entry is None:
            self._layout_key = None
            self._clear_rows()
            self.setTitle("Hyperparameters")
            self._title.setText("Add an optimizer to race it.")
            self.reset_button.setEnabled(False)
            return
        info = OPTIMIZERS[entry.method]
        self.setTitle(f"{entry.name} \u2014 hyperparameters")
        self._title.setText(info.summary)
        rows = form_fields(entry)
        key = (entry.method, tuple(k for k, _ in rows))
        if key != self._layout_key:
            self._layout_key = key
            self._build_rows(entry.method, rows)
        for name, hp in rows:
            value = entry.params.get(name, hp.default)
            widget = self._fields[name]
            if isinstance(widget, QtWidgets.QCheckBox):
                with QtCore.QSignalBlocker(widget):
                    widget.setChecked(value != 0.0)
            elif isinstance(widget, QtWidgets.QComboBox):
                with QtCore.QSignalBlocker(widget):
                    widget.setCurrentIndex(max(0, widget.findData(value)))
            else:
                widget.set_value(float(value))
        self.reset_button.setEnabled(entry.params != info.defaults())

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _clear_rows(self) -> None:
        # taken out and deleted later, not at once: a choice (the schedule) rebuilds
        # the form from inside its own signal
        while self._form.rowCount():
            row = self._form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()
        self._fields.clear()
        self._hyperparameters.clear()

    def _build_rows(self, method: str, rows: tuple[tuple[str, Hyperparameter], ...]) -> None:
        self._clear_rows()
        info = OPTIMIZERS[method]
        for name, hp in rows:
            help_text = _hyperparameter_help(hp, name)
            if hp.kind == "bool":
                widget: QtWidgets.QWidget = QtWidgets.QCheckBox(self)
                widget.setToolTip(help_text)
                widget.toggled.connect(partial(self._bool_toggled, name))
            elif hp.kind == "choice":
                widget = QtWidgets.QComboBox(self)
                for choice in hp.choices:
                    widget.addItem(choice, choice)
                widget.setToolTip(help_text)
                widget.currentIndexChanged.connect(partial(self._choice_made, name, widget))
            else:
                widget = NumberField(
                    float(hp.default),
                    check=partial(_checked, hp, info.title, name),
                    log_scale=hp.log_scale,
                    step=1.0 if hp.kind == "int" else 0.01 if hp.high <= 1.0 else 0.1,
                    parent=self,
                )
                widget.set_help(help_text)
                widget.value_committed.connect(partial(self._number_committed, name))
                widget.error_changed.connect(self.show_message)
            label = QtWidgets.QLabel(name, self)
            label.setToolTip(help_text)
            label.setBuddy(widget)
            self._form.addRow(label, widget)
            self._fields[name] = widget
            self._hyperparameters[name] = hp

    def _bool_toggled(self, name: str, checked: bool) -> None:
        self.param_changed.emit(name, 1.0 if checked else 0.0)

    def _choice_made(self, name: str, widget: QtWidgets.QComboBox, _index: int) -> None:
        self.param_changed.emit(name, widget.currentData())

    def _number_committed(self, name: str, value: object) -> None:
        self.param_changed.emit(name, float(value))  # type: ignore[arg-type]


def _checked(hp: Hyperparameter, optimizer: str, key: str, value: float) -> float:
    """A form field's check: the hyperparameter's own rule (ValueError for the field)."""
    return float(hp.check(value, optimizer, key))


class OptimizerPanel(QtWidgets.QWidget):
    """Edits the tuple of optimizer entries: which run, their colours, names, settings.

    Signals: ``optimizers_changed(tuple)`` after every edit, then
    ``entry_changed(int)`` when exactly one entry was added or edited (not for
    removals, which shift indices).  ``set_entries`` emits neither.
    """

    optimizers_changed = QtCore.Signal(tuple)
    entry_changed = QtCore.Signal(int)
    #: the row selected (-1: none), e.g. for the narrated step
    selection_changed = QtCore.Signal(int)

    def __init__(
        self,
        entries: tuple[OptimizerEntry, ...] = (),
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._entries: tuple[OptimizerEntry, ...] = ()
        self._statuses: list[tuple[str, bool]] = []

        self._add_button = QtWidgets.QPushButton("Add", self)
        self._add_button.setToolTip("Add an optimizer to the race")
        self._add_button.setMenu(self._build_add_menu())
        self._duplicate_button = QtWidgets.QPushButton("Duplicate", self)
        self._duplicate_button.setToolTip("Copy the selected optimizer (to compare settings)")
        self._duplicate_button.clicked.connect(lambda: self.duplicate_entry(self.current_index()))
        self._remove_button = QtWidgets.QPushButton("Remove", self)
        self._remove_button.setToolTip("Remove the selected optimizer (Delete)")
        self._remove_button.clicked.connect(lambda: self.remove_entry(self.current_index()))
        buttons = QtWidgets.QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self._add_button, self._duplicate_button, self._remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self._list = QtWidgets.QListWidget(self)
        self._list.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self._list.setToolTip("Double-click or F2 to rename · Delete to remove")
        self._list.setMinimumHeight(120)
        self._soften_selection()
        self._list.installEventFilter(self)
        self._list.currentRowChanged.connect(self._current_changed)
        self._list.itemDoubleClicked.connect(lambda item: self.start_rename(self._list.row(item)))

        self._form = _HyperparameterForm(self)
        self._form.param_changed.connect(self._param_changed)
        self._form.reset_requested.connect(lambda: self.reset_entry(self.current_index()))

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(buttons)
        layout.addWidget(self._list, 1)
        layout.addWidget(self._form)
        self.set_entries(entries)

    # ------------------------------------------------------------- reading

    def entries(self) -> tuple[OptimizerEntry, ...]:
        """The current entries, in list order."""
        return self._entries

    def current_index(self) -> int:
        """The selected row, or -1."""
        return self._list.currentRow()

    def status(self, index: int) -> str:
        """The status text shown under entry ``index``."""
        return self._statuses[index][0]

    def form_field(self, name: str) -> QtWidgets.QWidget:
        """The editor of hyperparameter ``name`` of the selected entry (for tests, focus)."""
        return self._form.field(name)

    def form_message(self) -> str:
        """The refusal message shown under the form, or ""."""
        return self._form.message_label.text() if self._form.message_label.isVisible() else ""

    # ------------------------------------------------------------- from outside

    def set_entries(self, entries: tuple[OptimizerEntry, ...]) -> None:
        """Show ``entries`` (e.g. from a loaded session) without emitting anything.

        Statuses are kept for rows whose method and settings did not change.
        """
        old, old_statuses = self._entries, self._statuses
        current = self._list.currentRow()
        self._entries = tuple(entries)
        self._statuses = [
            old_statuses[i]
            if i < len(old) and (old[i].method, old[i].params) == (e.method, e.params)
            else ("", False)
            for i, e in enumerate(self._entries)
        ]
        with QtCore.QSignalBlocker(self._list):
            self._list.clear()
            for i in range(len(self._entries)):
                self._insert_row(i)
        if self._entries:
            self.select(min(max(current, 0), len(self._entries) - 1))
        else:
            self._current_changed(-1)
        self._update_buttons()

    def set_status(self, index: int, text: str, warning: bool = False) -> None:
        """Show ``text`` under entry ``index`` (``warning``: in red, e.g. diverged)."""
        if not 0 <= index < len(self._entries) or self._statuses[index] == (text, warning):
            return  # cheap when called on every animation frame with the same text
        self._statuses[index] = (text, warning)
        self._row(index).set_status(text, warning)
        self._fit_row(index)

    def _fit_row(self, index: int) -> None:
        """The row as tall as its status needs (wrapped onto more lines when long)."""
        row, item = self._row(index), self._list.item(index)
        label = row.status_label
        width = label.width() if label.isVisible() and label.width() > 0 else None
        if width is None:
            width = self._row_width() - row.status_indent
        wrapped = label.heightForWidth(max(width, 40))
        extra = max(0, wrapped - label.fontMetrics().lineSpacing()) if wrapped > 0 else 0
        height = row.one_line_height + extra
        if height != item.sizeHint().height():
            item.setSizeHint(QtCore.QSize(item.sizeHint().width(), height))

    def _row_width(self) -> int:
        return self._list.viewport().width()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        for i in range(self._list.count()):  # statuses wrap anew at the new width
            self._fit_row(i)

    def select(self, index: int) -> None:
        """Select entry ``index`` and show its hyperparameters."""
        self._list.setCurrentRow(index)
        self._current_changed(self._list.currentRow())

    # ------------------------------------------------------------- user actions

    def add_entry(self, method: str) -> None:
        """Append a ``method`` entry with defaults, an unused colour and a unique name."""
        if len(self._entries) >= MAX_OPTIMIZERS:
            return
        self._append(new_entry(method, self._entries))

    def duplicate_entry(self, index: int) -> None:
        """Append a copy of entry ``index`` named "Name (2)" in the next unused colour."""
        if not 0 <= index < len(self._entries) or len(self._entries) >= MAX_OPTIMIZERS:
            return
        source = self._entries[index]
        copy = replace(
            source,
            name=unique_name(source.name, self._entries),
            params=dict(source.params),
            color=colour_for(source.method, tuple(e.color for e in self._entries)),
        )
        self._append(copy)

    def remove_entry(self, index: int) -> None:
        """Remove entry ``index``."""
        if not 0 <= index < len(self._entries):
            return
        entries = self._entries[:index] + self._entries[index + 1 :]
        self._statuses.pop(index)
        self._entries = entries
        with QtCore.QSignalBlocker(self._list):
            self._list.takeItem(index)
        if entries:
            self.select(min(index, len(entries) - 1))
        else:
            self._current_changed(-1)
        self._update_buttons()
        self.optimizers_changed.emit(self._entries)

    def rename_entry(self, index: int, name: str) -> None:
        """Rename entry ``index`` (blank names are ignored)."""
        name = name.strip()[:MAX_NAME]
        if name and 0 <= index < len(self._entries):
            self._edit(index, name=name)

    def set_enabled(self, index: int, enabled: bool) -> None:
        """Switch entry ``index`` on or off."""
        if 0 <= index < len(self._entries):
            self._edit(index, enabled=enabled)

    def set_colour(self, index: int, colour: str) -> None:
        """Give entry ``index`` the colour ``colour`` (``#RRGGBB``)."""
        if 0 <= index < len(self._entries):
            self._edit(index, color=QtGui.QColor(colour).name().upper())

    def set_param(self, index: int, name: str, value: float | str) -> None:
        """Set one hyperparameter; raises OptimizerError if the value is not allowed.

        A new ``schedule`` starts from its own defaults (the settings of the one
        before do not carry over)."""
        entry = self._entries[index]
        params = dict(entry.params)
        if name == SCHEDULE:
            own = {h.name for h in OPTIMIZERS[entry.method].hyperparameters}
            clips = {h.name for h in CLIP_HYPERPARAMETERS}
            params = {k: v for k, v in params.items() if k in own or k in clips}
        params[name] = value
        config = make_config(entry.method, params)
        self._edit(index, params=config.params)

    def form_field_names(self) -> list[str]:
        """The hyperparameter rows of the selected entry's form, in order."""
        return self._form.field_names()

    def reset_entry(self, index: int) -> None:
        """Restore every hyperparameter of entry ``index`` to its method's defaults."""
        if 0 <= index < len(self._entries):
            self._edit(index, params=OPTIMIZERS[self._entries[index].method].defaults())

    def start_rename(self, index: int) -> None:
        """Open the in-place name editor of entry ``index`` (double-click, F2)."""
        if 0 <= index < len(self._entries):
            self._row(index).start_rename()

    def choose_colour(self, index: int) -> None:
        """Ask for a new colour for entry ``index`` with the colour dialog."""
        if not 0 <= index < len(self._entries):
            return
        entry = self._entries[index]
        colour = QtWidgets.QColorDialog.getColor(
            QtGui.QColor(entry.color), self, f"Colour of {entry.name}"
        )
        if colour.isValid():
            self.set_colour(index, colour.name())

    # ------------------------------------------------------------- internals

    def _build_add_menu(self) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self)
        menu.setToolTipsVisible(True)
        for key, info in OPTIMIZERS.items():
            action = menu.addAction(info.title)
            action.setToolTip(info.summary)
            action.setData(key)
            action.triggered.connect(lambda _=False, key=key: self.add_entry(key))
        return menu

    def _soften_selection(self) -> None:
        """A light selection tint, so row texts (and red statuses) stay readable."""
        palette = self._list.palette()
        for group in (QtGui.QPalette.ColorGroup.Active, QtGui.QPalette.ColorGroup.Inactive):
            highlight = palette.color(
                QtGui.QPalette.ColorGroup.Active, QtGui.QPalette.ColorRole.Highlight
            )
            base = palette.color(group, QtGui.QPalette.ColorRole.Base)
            palette.setColor(group, QtGui.QPalette.ColorRole.Highlight, blend(highlight, base, 0.6))
            palette.setColor(
                group,
                QtGui.QPalette.ColorRole.HighlightedText,
                palette.color(group, QtGui.QPalette.ColorRole.Text),
            )
        self._list.setPalette(palette)

    def _row(self, index: int) -> _EntryRow:
        return self._list.itemWidget(self._list.item(index))  # type: ignore[return-value]

    def _index_of(self, row: _EntryRow) -> int:
        for i in range(self._list.count()):
            if self._list.itemWidget(self._list.item(i)) is row:
                return i
        return -1

    def _insert_row(self, index: int) -> None:
        item = QtWidgets.QListWidgetItem()
        row = _EntryRow()
        row.show_entry(self._entries[index])
        row.set_status(*self._statuses[index])
        row.enabled_toggled.connect(lambda on, r=row: self.set_enabled(self._index_of(r), on))
        row.colour_clicked.connect(lambda r=row: self._swatch_clicked(r))
        row.renamed.connect(lambda name, r=row: self.rename_entry(self._index_of(r), name))
        row.one_line_height = row.sizeHint().height()
        item.setSizeHint(row.sizeHint())
        self._list.insertItem(index, item)
        self._list.setItemWidget(item, row)

    def _swatch_clicked(self, row: _EntryRow) -> None:
        index = self._index_of(row)
        self.select(index)
        self.choose_colour(index)

    def _append(self, entry: OptimizerEntry) -> None:
        self._entries = self._entries + (entry,)
        self._statuses.append(("", False))
        index = len(self._entries) - 1
        with QtCore.QSignalBlocker(self._list):
            self._insert_row(index)
        self.select(index)
        self._update_buttons()
        self.optimizers_changed.emit(self._entries)
        self.entry_changed.emit(index)

    def _edit(self, index: int, **changes: object) -> None:
        old = self._entries[index]
        entry = replace(old, **changes)  # type: ignore[arg-type]
        if entry == old:
            return
        self._entries = self._entries[:index] + (entry,) + self._entries[index + 1 :]
        self._row(index).show_entry(entry)
        if index == self.current_index():
            self._form.show_entry(entry)
        self.optimizers_changed.emit(self._entries)
        self.entry_changed.emit(index)

    def _param_changed(self, name: str, value: float | str) -> None:
        index = self.current_index()
        if index < 0:
            return
        try:
            self.set_param(index, name, value)
        except OptimizerError as exc:  # the field checks first; this is a safety net
            self._form.show_message(str(exc))

    def _current_changed(self, index: int) -> None:
        self.selection_changed.emit(index)
        valid = 0 <= index < len(self._entries)
        self._form.show_entry(self._entries[index] if valid else None)
        self._update_buttons()

    def add_below_form(self, widget: QtWidgets.QWidget) -> None:
        """Show ``widget`` under the hyperparameter form (a fit's batch size)."""
        self.layout().addWidget(widget)

    def _update_buttons(self) -> None:
        selected = 0 <= self.current_index() < len(self._entries)
        room = len(self._entries) < MAX_OPTIMIZERS
        self._add_button.setEnabled(room)
        self._duplicate_button.setEnabled(selected and room)
        self._remove_button.setEnabled(selected)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self._list and event.type() == QtCore.QEvent.Type.KeyPress:
            index = self.current_index()
            renaming = index >= 0 and self._row(index).is_renaming()
            if event.key() == QtCore.Qt.Key.Key_Delete and index >= 0 and not renaming:
                self.remove_entry(index)
                return True
            if event.key() == QtCore.Qt.Key.Key_F2 and index >= 0:
                self.start_rename(index)
                return True
        return super().eventFilter(watched, event)
