"""The side panel of a fit to data: the data, the model, the loss and the seed.

Built-in data sets are chosen by name with their n, noise and seed; a CSV
file is opened (or the data saved as one) with the buttons.  The model and
the loss are checked as they are typed by the same rules as the command line
and session files (:mod:`gdplayground.model.rules`), with the same messages;
a refused text keeps the last accepted one in force.  ``set_session`` fills
every field without announcing anything; each accepted edit is announced with
the new :class:`FitSetup` (``fit_changed``) or seed (``seed_changed``).
"""

from __future__ import annotations

from dataclasses import replace

from gdplayground.model.limits import MAX_SEED
from gdplayground.model.rules import data_problem, data_shape, loss_problem, model_problem
from gdplayground.model.session import BuiltinData, CsvData, CsvFile, FitSetup, Session
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.form_widgets import (
    NumberField,
    ValidatedLineEdit,
    error_colour,
    muted_colour,
    set_text_colour,
)

#: Typing pauses this long before the model or loss is checked and applied.
DEBOUNCE_MS = 400
CSV_ITEM = "CSV file"


def _generators() -> dict[str, str]:
    from gdplayground.core.data.generators import GENERATORS

    return {name: g.summary for name, g in GENERATORS.items()}


class DataPanel(QtWidgets.QGroupBox):
    """Edits a session's fit: data (built-in or CSV), model, loss; and the seed.

    Signals: ``fit_changed(FitSetup)`` after an accepted edit; ``seed_changed(int)``;
    ``open_csv_requested()`` and ``save_csv_requested()`` for the buttons (the
    window owns the file dialogs); ``leave_requested()`` to go back to f(x, y).
    """

    fit_changed = QtCore.Signal(object)
    seed_changed = QtCore.Signal(int)
    open_csv_requested = QtCore.Signal()
    save_csv_requested = QtCore.Signal()
    leave_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Fit to data", parent)
        self._fit: FitSetup | None = None
        self._columns: tuple[str, ...] = ("x", "y")
        self._builtin = BuiltinData("line")

        self._source = QtWidgets.QComboBox(self)
        for name, summary in _generators().items():
            self._source.addItem(name, name)
            self._source.setItemData(
                self._source.count() - 1, summary, QtCore.Qt.ItemDataRole.ToolTipRole
            )
        self._source.addItem(CSV_ITEM, None)
        self._source.setToolTip("A built-in data set, or the CSV file opened")
        self._source.activated.connect(self._source_chosen)
        self._n = QtWidgets.QSpinBox(self)
        self._n.setRange(1, 1_000_000)
        self._n.setToolTip("How many examples the built-in set has")
        self._n.setKeyboardTracking(False)
        self._n.valueChanged.connect(self._builtin_edited)
        self._noise = NumberField(1.0, check=self._check_noise, step=0.1, parent=self)
        self._noise.set_help("How far the examples scatter around the set's rule (0 to 1e6)")
        self._noise.value_committed.connect(self._builtin_edited)
        self._data_seed = QtWidgets.QSpinBox(self)
        self._data_seed.setRange(0, 2**31 - 1)
        self._data_seed.setToolTip("The seed the built-in set is drawn from")
        self._data_seed.setKeyboardTracking(False)
        self._data_seed.valueChanged.connect(self._builtin_edited)
        self._description = QtWidgets.QLabel(self)
        self._description.setWordWrap(True)
        set_text_colour(self._description, muted_colour(self))

        open_button = QtWidgets.QPushButton("Open CSV…", self)
        open_button.setToolTip("Fit your own data: a header row of names, then numbers")
        open_button.clicked.connect(self.open_csv_requested)
        save_button = QtWidgets.QPushButton("Save data as CSV…", self)
        save_button.setToolTip("Write the examples of this fit to a CSV file")
        save_button.clicked.connect(self.save_csv_requested)
        self.save_button = save_button

        self._model = ValidatedLineEdit(self)
        self._loss = ValidatedLineEdit(self)
        fixed = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        for edit, tip in (
            (self._model, "The model m(x; w, b): w and b are the views' axes, e.g. w*x + b"),
            (self._loss, "The loss of one example: m is the model's output, e.g. (m - y)^2"),
        ):
            edit.setFont(fixed)
            edit.setToolTip(tip + "\nEscape restores the last accepted text.")
            edit.installEventFilter(self)
            timer = QtCore.QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(DEBOUNCE_MS)
            timer.timeout.connect(self._texts_edited)
            edit.textEdited.connect(timer.start)
            edit.returnPressed.connect(self._texts_edited)
            edit.setProperty("timer", timer)

        self._seed = QtWidgets.QSpinBox(self)
        self._seed.setRange(0, min(MAX_SEED, 2**31 - 1))
        self._seed.setToolTip(
            "Fixes the batches (as torch's DataLoader draws them) and any gradient noise"
        )
        self._seed.setKeyboardTracking(False)
        self._seed.valueChanged.connect(self.seed_changed)

        self.message_label = QtWidgets.QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        set_text_colour(self.message_label, error_colour(self))
        self.message_label.hide()
        leave = QtWidgets.QPushButton("Back to f(x, y)", self)
        leave.setToolTip("Leave the fit and race on a typed function again")
        leave.clicked.connect(self.leave_requested)

        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(3)
        form.addRow("Data", self._source)
        self._n_label = QtWidgets.QLabel("n", self)
        form.addRow(self._n_label, self._n)
        self._noise_label = QtWidgets.QLabel("noise", self)
        form.addRow(self._noise_label, self._noise)
        self._data_seed_label = QtWidgets.QLabel("data seed", self)
        form.addRow(self._data_seed_label, self._data_seed)
        form.addRow(self._description)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(open_button)
        buttons.addWidget(save_button)
        form.addRow(buttons)
        form.addRow("Model m", self._model)
        form.addRow("Loss ℓ", self._loss)
        form.addRow("Batch seed", self._seed)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(leave)
        layout.addLayout(row)

    # ------------------------------------------------------------------ public
    def set_session(self, session: Session) -> None:
        """Show ``session``'s fit and seed (nothing is announced)."""
        fit = session.fit
        self._fit = fit
        with QtCore.QSignalBlocker(self._seed):
            self._seed.setValue(min(session.seed, self._seed.maximum()))
        if fit is None:
            return
        shape = data_shape(fit.data)
        if shape is not None:
            self._columns = shape[0]
        builtin = isinstance(fit.data, BuiltinData)
        if builtin:
            self._builtin = fit.data  # type: ignore[assignment]
        with QtCore.QSignalBlocker(self._source):
            index = self._source.findData(fit.data.name) if builtin else self._source.count() - 1
            self._source.setCurrentIndex(index)
        for widget, value in (
            (self._n, self._builtin.n),
            (self._data_seed, min(self._builtin.seed, self._data_seed.maximum())),
        ):
            with QtCore.QSignalBlocker(widget):
                widget.setValue(value)
        self._noise.set_value(self._builtin.noise)
        for widget in (self._n, self._noise, self._data_seed, self._n_label):
            widget.setEnabled(builtin)
        self._noise_label.setEnabled(builtin)
        self._data_seed_label.setEnabled(builtin)
        self._description.setText(_describe(fit, shape))
        for edit, text in ((self._model, fit.model), (self._loss, fit.loss)):
            if edit.text() != text or edit.is_invalid():
                edit.setText(text)
                edit.set_invalid(False)
        self._show_message("")

    def field(self, name: str) -> QtWidgets.QWidget:
        """One of the fields: "source", "n", "noise", "data_seed", "model", "loss", "seed"."""
        return {
            "source": self._source,
            "n": self._n,
            "noise": self._noise,
            "data_seed": self._data_seed,
            "model": self._model,
            "loss": self._loss,
            "seed": self._seed,
        }[name]

    def message(self) -> str:
        """The error shown under the fields ("" when there is none)."""
        return self.message_label.text() if self.message_label.isVisible() else ""

    def check_texts(self) -> None:
        """Check the model and loss now (as a pause in typing does)."""
        self._texts_edited()

    # --------------------------------------------------------------- editing
    def _check_noise(self, value: float) -> float:
        problem = data_problem(replace(self._builtin, noise=value))
        if problem:
            raise ValueError(problem)
        return value

    def _source_chosen(self, index: int) -> None:
        name = self._source.itemData(index)
        if self._fit is None:
            return
        if name is None:  # "CSV file": opening one is what changes the data
            if not isinstance(self._fit.data, (CsvData, CsvFile)):
                self.open_csv_requested.emit()
                self.set_session_fit_again()
            return
        self._emit(replace(self._fit, data=replace(self._builtin, name=name)))

    def set_session_fit_again(self) -> None:
        """Show the current fit's source again (a cancelled Open CSV)."""
        if self._fit is None:
            return
        builtin = isinstance(self._fit.data, BuiltinData)
        with QtCore.QSignalBlocker(self._source):
            index = (
                self._source.findData(self._fit.data.name)  # type: ignore[union-attr]
                if builtin
                else self._source.count() - 1
            )
            self._source.setCurrentIndex(index)

    def _builtin_edited(self, *_: object) -> None:
        if self._fit is None or not isinstance(self._fit.data, BuiltinData):
            return
        data = replace(
            self._fit.data,
            n=self._n.value(),
            noise=float(self._noise.value() or 0.0),
            seed=self._data_seed.value(),
        )
        problem = data_problem(data)
        if problem:
            self._show_message(f"data: {problem}")
            return
        self._emit(replace(self._fit, data=data))

    def _texts_edited(self) -> None:
        for edit in (self._model, self._loss):
            edit.property("timer").stop()
        if self._fit is None:
            return
        model, loss = self._model.text().strip(), self._loss.text().strip()
        problems = [
            (self._model, "model", model_problem(model, self._columns)),
            (self._loss, "loss", loss_problem(loss, self._columns)),
        ]
        messages = []
        for edit, what, problem in problems:
            edit.set_invalid(bool(problem))
            if problem:
                messages.append(f"{what}: {problem}")
        self._show_message("\n".join(messages))
        if messages:
            return
        if (model, loss) != (self._fit.model, self._fit.loss):
            self._emit(replace(self._fit, model=model, loss=loss))

    def _emit(self, fit: FitSetup) -> None:
        if fit != self._fit:
            self._fit = fit
            self._show_message("")
            self.fit_changed.emit(fit)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if (
            isinstance(event, QtGui.QKeyEvent)
            and event.type() == QtCore.QEvent.Type.KeyPress
            and event.key() == QtCore.Qt.Key.Key_Escape
            and self._fit is not None
            and watched in (self._model, self._loss)
        ):
            edit = watched
            edit.setText(self._fit.model if edit is self._model else self._fit.loss)  # type: ignore[union-attr]
            edit.set_invalid(False)  # type: ignore[union-attr]
            self._texts_edited()
            return True
        return super().eventFilter(watched, event)


def _describe(fit: FitSetup, shape: tuple[tuple[str, ...], int] | None) -> str:
    """A line about the data: where it is from, its examples and columns."""
    if shape is None:
        return ""
    columns, n = shape
    if isinstance(fit.data, BuiltinData):
        where = _generators().get(fit.data.name, fit.data.name)
    elif isinstance(fit.data, CsvData):
        where = fit.data.name or "CSV data (kept in the session)"
    else:
        where = f"{fit.data.path} (by path)"
    return f"{where}: {n:,} examples, columns {', '.join(columns)}"
