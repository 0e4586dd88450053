"""The selected optimizer's batch size in a fit to data: "full", 1 (SGD) or k examples.

Shown under the hyperparameter form while the session fits data.  Checked by
the one set of rules (:func:`gdplayground.model.rules.batch_size_problem`)
against the data's number of examples; a refused text keeps the last
accepted size, with the message underneath.
"""

from __future__ import annotations

from gdplayground.model.rules import batch_size_problem
from gdplayground.qt._qt import QtCore, QtWidgets
from gdplayground.qt.form_widgets import ValidatedLineEdit, error_colour, set_text_colour

FULL = "full"
#: Offered in the field's list; any whole number from 1 to n may be typed.
CHOICES = (FULL, "1", "4", "16", "32", "64")


class BatchSizeField(QtWidgets.QWidget):
    """Edits one batch size; ``batch_size_committed(object)`` carries None (full) or k."""

    batch_size_committed = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._n: int | None = None
        self._value: int | None = None
        self.combo = QtWidgets.QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setLineEdit(ValidatedLineEdit(self.combo))
        self.combo.addItems(CHOICES)
        self.combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.combo.setToolTip(
            "Examples each step uses: full (batch gradient descent), 1 (stochastic) or k "
            "(mini-batch), drawn as torch's DataLoader(shuffle=True) draws them"
        )
        self.combo.lineEdit().editingFinished.connect(self.commit)
        self.combo.activated.connect(lambda _: self.commit())
        self.message_label = QtWidgets.QLabel(self)
        self.message_label.setWordWrap(True)
        set_text_colour(self.message_label, error_colour(self))
        self.message_label.hide()
        label = QtWidgets.QLabel("batch_size", self)
        label.setBuddy(self.combo)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message_label)

    def set_batch_size(self, batch_size: int | None, n: int | None) -> None:
        """Show ``batch_size`` (None: full) for data of ``n`` examples, announcing nothing."""
        self._value, self._n = batch_size, n
        with QtCore.QSignalBlocker(self.combo):
            self.combo.setEditText(FULL if batch_size is None else str(batch_size))
        self._show_message("")

    def value(self) -> int | None:
        """The last accepted batch size (None: full)."""
        return self._value

    def commit(self) -> bool:
        """Check the text; announce a new accepted size, or show why it is refused."""
        text = self.combo.currentText().strip().lower()
        if text == FULL:
            value = None
        else:
            try:
                value = int(text)
            except ValueError:
                self._show_message("write full or a whole number of examples, such as 32")
                return False
            problem = batch_size_problem(value, self._n)
            if problem:
                self._show_message(problem)
                return False
        self._show_message("")
        if value != self._value:
            self._value = value
            self.batch_size_committed.emit(value)
        return True

    def message(self) -> str:
        """The refusal shown, or ""."""
        return self.message_label.text() if self.message_label.isVisible() else ""

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        edit = self.combo.lineEdit()
        if isinstance(edit, ValidatedLineEdit):
            edit.set_invalid(bool(text))
