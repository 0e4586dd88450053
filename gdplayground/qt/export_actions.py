"""File ▸ Export: images, animations and trajectories of what the window shows.

The dialogs only collect choices; the writing is done by ``gdplayground.export``,
the same code the command line uses, so an export looks like ``gdplayground
export`` would make it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from gdplayground.core.picture import Picture
from gdplayground.model.session import Session
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, run_modal

IMAGE_VIEWS = {"contour": "Contour view", "surface": "3-D surface", "loss": "Loss plots"}
ANIMATION_VIEWS = {"contour": "Contour view", "surface": "3-D surface"}
#: A fit to data has one view more.
DATA_VIEW = {"data": "Data view"}
SWEEP_VIEW = {"sweep": "Learning-rate sweep"}
IMAGE_FILTERS = {
    "contour": "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)",
    "surface": "PNG image (*.png)",
    "loss": "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)",
    "data": "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)",
    "sweep": "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)",
}
ANIMATION_FILTER = "GIF animation (*.gif);;MP4 video (*.mp4)"
DATA_FILTER = "CSV table (*.csv);;JSON (*.json)"
SCRIPT_FILTER = "Python script (*.py)"


@dataclass(frozen=True)
class ImageChoice:
    """What the image dialog asks for."""

    view: str
    size: tuple[int, int]
    current_frame: bool


@dataclass(frozen=True)
class AnimationChoice:
    """What the animation dialog asks for."""

    view: str
    size: tuple[int, int]
    fps: int
    turn_camera: bool


def _size_row(
    width: int, height: int
) -> tuple[QtWidgets.QSpinBox, QtWidgets.QSpinBox, QtWidgets.QWidget]:
    w, h = QtWidgets.QSpinBox(), QtWidgets.QSpinBox()
    for box, value in ((w, width), (h, height)):
        box.setRange(64, 8000)
        box.setValue(value)
        box.setSuffix(" px")
    row = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(w)
    layout.addWidget(QtWidgets.QLabel("×"))
    layout.addWidget(h)
    return w, h, row


class ImageDialog(QtWidgets.QDialog):
    """Choose the view, the size and whether to draw the current step or the whole run."""

    def __init__(self, parent: QtWidgets.QWidget, views: dict[str, str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.view = QtWidgets.QComboBox()
        for key, title in views.items():
            self.view.addItem(title, key)
        self.width_box, self.height_box, size_row = _size_row(1200, 900)
        self.current = QtWidgets.QCheckBox("Paths up to the current step (else the whole run)")
        self.current.setChecked(True)
        form = QtWidgets.QFormLayout(self)
        form.addRow("View", self.view)
        form.addRow("Size", size_row)
        form.addRow(self.current)
        form.addRow(_buttons(self))

    def choice(self) -> ImageChoice:
        """The options as chosen."""
        return ImageChoice(
            self.view.currentData(),
            (self.width_box.value(), self.height_box.value()),
            self.current.isChecked(),
        )


class AnimationDialog(QtWidgets.QDialog):
    """Choose the view, size, frame rate and (3-D) a turning camera."""

    def __init__(self, parent: QtWidgets.QWidget, views: dict[str, str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.view = QtWidgets.QComboBox()
        for key, title in views.items():
            self.view.addItem(title, key)
        self.width_box, self.height_box, size_row = _size_row(800, 600)
        self.fps = QtWidgets.QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(20)
        self.fps.setSuffix(" frames/s")
        self.turn = QtWidgets.QCheckBox("Turn the camera slowly (3-D)")
        self.view.currentIndexChanged.connect(self._update)
        form = QtWidgets.QFormLayout(self)
        form.addRow("View", self.view)
        form.addRow("Size", size_row)
        form.addRow("Frame rate", self.fps)
        form.addRow(self.turn)
        form.addRow(_buttons(self))
        self._update()

    def _update(self) -> None:
        self.turn.setEnabled(self.view.currentData() == "surface")

    def choice(self) -> AnimationChoice:
        """The options as chosen."""
        return AnimationChoice(
            self.view.currentData(),
            (self.width_box.value(), self.height_box.value()),
            self.fps.value(),
            self.turn.isEnabled() and self.turn.isChecked(),
        )


def _buttons(dialog: QtWidgets.QDialog) -> QtWidgets.QDialogButtonBox:
    box = QtWidgets.QDialogButtonBox(
        QtWidgets.QDialogButtonBox.StandardButton.Ok
        | QtWidgets.QDialogButtonBox.StandardButton.Cancel
    )
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ExportActions(QtCore.QObject):
    """The Export items of the File menu, working on the window's current picture
    (what its views show, fed to the exporter's views the same way).

    The ``*_to`` methods do the work without dialogs (tests call them); the
    menu actions ask for the choices and a file name first.
    """

    def __init__(
        self,
        window: QtWidgets.QMainWindow,
        picture: Callable[[], Picture | None],
        frame: Callable[[], int],
        camera: Callable[[], dict | None],
        session: Callable[[], Session],
    ) -> None:
        super().__init__(window)
        self._session = session
        self.window = window
        self._picture = picture
        self._frame = frame
        self._camera = camera
        self.last_folder = Path.home()

    def add_actions(self, menu: QtWidgets.QMenu) -> None:
        """Export image (Ctrl+E), Copy image, Export animation, Export trajectories."""
        self._add(menu, "&Export image…", self.export_image_dialog, "Ctrl+E")
        self._add(menu, "&Copy image", self.copy_image, "Ctrl+Shift+C")
        self._add(menu, "Export &animation…", self.export_animation_dialog, "Ctrl+Shift+E")
        self._add(menu, "Export &trajectories…", self.export_data_dialog, None)
        self._add(menu, "Export as &PyTorch script…", self.export_script_dialog, None)

    def _add(self, menu: QtWidgets.QMenu, text: str, slot, key: str | None) -> None:
        action = QtGui.QAction(text, self.window)
        if key:
            action.setShortcut(QtGui.QKeySequence(key))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)

    # ------------------------------------------------------------------ helpers
    def _ready_picture(self) -> Picture | None:
        picture = self._picture()
        if picture is None:
            self._warn("Nothing to export yet: wait until the views show a function.")
        return picture

    def _with_data(self, views: dict[str, str], still: bool = False) -> dict[str, str]:
        """``views``, the data view when the picture is a fit to data, and the
        sweep, for a ``still`` image, when one was made (Explore ▸ Learning-rate sweep)."""
        picture = self._picture()
        if picture is None:
            return views
        extra = DATA_VIEW if picture.is_fit else {}
        if still and picture.sweep is not None:
            extra = {**extra, **SWEEP_VIEW}
        return {**views, **extra}

    def _warn(self, text: str) -> None:
        QtWidgets.QMessageBox.warning(self.window, "Export", text)

    def _ask_path(self, title: str, filters: str, default: str) -> Path | None:
        name, chosen = QtWidgets.QFileDialog.getSaveFileName(
            self.window, title, str(self.last_folder / default), filters
        )
        if not name:
            return None
        path = Path(name)
        if not path.suffix and "(*." in chosen:
            path = path.with_suffix(chosen.split("(*", 1)[1].split(")", 1)[0])
        self.last_folder = path.parent
        return path

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    # ------------------------------------------------------------------ images
    def export_image_dialog(self) -> None:
        """Ask for view, size and file; then write the image."""
        if self._ready_picture() is None:
            return
        dialog = ImageDialog(self.window, self._with_data(IMAGE_VIEWS, still=True))
        if not run_modal(dialog):
            return
        choice = dialog.choice()
        path = self._ask_path("Export image", IMAGE_FILTERS[choice.view], f"{choice.view}.png")
        if path is not None:
            self.export_image_to(path, choice)

    def export_image_to(self, path: str | Path, choice: ImageChoice) -> bool:
        """Write one image of the current picture; say what went wrong if it fails."""
        from gdplayground.export.image import export_image
        from gdplayground.export.render import ExportError

        picture = self._ready_picture()
        if picture is None:
            return False
        frame = self._frame() if choice.current_frame else None
        camera = self._camera() if choice.view == "surface" else None
        with _Busy():
            try:
                export_image(picture, choice.view, path, choice.size, frame, camera)
            except ExportError as exc:
                self._warn(str(exc))
                return False
        self._status(f"Saved {path}")
        return True

    def copy_image(self) -> bool:
        """Put the contour view, as shown at the current step, on the clipboard."""
        from gdplayground.export.image import render_image

        picture = self._ready_picture()
        if picture is None:
            return False
        with _Busy():
            image = render_image(picture, "contour", (1200, 900), self._frame())
        QtWidgets.QApplication.clipboard().setImage(image)
        self._status("Copied the contour view to the clipboard")
        return True

    # ------------------------------------------------------------------ animation
    def export_animation_dialog(self) -> None:
        """Ask for view, size, frame rate and file; then write with a progress dialog."""
        if self._ready_picture() is None:
            return
        dialog = AnimationDialog(self.window, self._with_data(ANIMATION_VIEWS))
        if not run_modal(dialog):
            return
        choice = dialog.choice()
        path = self._ask_path("Export animation", ANIMATION_FILTER, f"{choice.view}.gif")
        if path is not None:
            self.export_animation_to(path, choice)

    def export_animation_to(
        self, path: str | Path, choice: AnimationChoice, cancel_after: int | None = None
    ) -> bool:
        """Write the animation with a cancellable progress dialog; True when complete.

        ``cancel_after`` (tests) presses Cancel once that many frames are done.
        """
        from gdplayground.export.animation import export_animation
        from gdplayground.export.render import ExportError

        picture = self._ready_picture()
        if picture is None:
            return False
        progress = QtWidgets.QProgressDialog(
            f"Writing {Path(path).name}…", "Cancel", 0, 100, self.window
        )
        progress.setWindowTitle("Export animation")
        progress.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def report(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            QtWidgets.QApplication.processEvents()
            if cancel_after is not None and done >= cancel_after:
                progress.cancel()
            return not progress.wasCanceled()

        camera = self._camera() if choice.view == "surface" else None
        try:
            done = export_animation(
                picture,
                choice.view,
                path,
                choice.size,
                choice.fps,
                turn_camera=choice.turn_camera,
                progress=report,
                camera=camera,
            )
        except ExportError as exc:
            self._warn(str(exc))
            return False
        finally:
            progress.close()
        self._status(f"Saved {path}" if done else "Export cancelled: nothing was written")
        return done

    # ------------------------------------------------------------------ data
    def export_data_dialog(self) -> None:
        """Ask for a .csv or .json file and write every trajectory to it."""
        if self._ready_picture() is None:
            return
        path = self._ask_path("Export trajectories", DATA_FILTER, "trajectories.csv")
        if path is not None:
            self.export_data_to(path)

    def export_data_to(self, path: str | Path) -> bool:
        """The same CSV / JSON as ``gdplayground run``, for the current picture."""
        from gdplayground.core.trajectory import NamedRun
        from gdplayground.export.data import (
            fit_head,
            write_document,
            write_runs_csv,
            write_runs_json,
        )
        from gdplayground.io.files import OutputError, atomic_output

        picture = self._ready_picture()
        if picture is None:
            return False
        runs = [NamedRun(p.name, p.source, _fit_of(p)) for p in picture.paths]
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".csv"):
            self._warn(f"{path.name}: end the file name in .csv or .json")
            return False
        session = self._session()
        try:
            with _Busy(), atomic_output(path, text=True) as out:  # streamed, never one string
                if suffix == ".json" and picture.data is not None:
                    write_document(out, fit_head(session, picture.data), runs)
                elif suffix == ".json":
                    write_runs_json(out, session.function, session.gradient, runs)
                else:
                    write_runs_csv(out, runs)
        except OutputError as exc:
            self._warn(str(exc))
            return False
        self._status(f"Saved {path}")
        return True

    # ------------------------------------------------------------------ script
    def export_script_dialog(self) -> None:
        """Ask for a .py file and write the race as a standalone PyTorch script."""
        path = self._ask_path("Export PyTorch script", SCRIPT_FILTER, "race.py")
        if path is not None:
            self.export_script_to(path)

    def export_script_to(self, path: str | Path) -> bool:
        """The race as ``gdplayground export -o race.py`` writes it; True when written."""
        from gdplayground.core.expression import ExpressionError
        from gdplayground.core.optimizers import OptimizerError
        from gdplayground.export.torch_script import write_session_script
        from gdplayground.io.files import OutputError

        try:
            write_session_script(self._session(), Path(path))
        except (ExpressionError, OptimizerError, OutputError) as exc:
            self._warn(str(exc))
            return False
        self._status(f"Saved {path}: run it with a Python that has PyTorch")
        return True


def _fit_of(path) -> SimpleNamespace | None:
    """What the data writers need of a fit's path (its batches are not listed)."""
    if path.batch_values is None:
        return None
    return SimpleNamespace(
        batch_size=path.batch_size,
        examples=path.examples,
        batch_values=path.batch_values,
        batches=None,
    )


class _Busy:
    """Show a wait cursor while an export renders."""

    def __enter__(self) -> None:
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QtWidgets.QApplication.restoreOverrideCursor()
