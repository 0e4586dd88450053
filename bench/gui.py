"""GUI metrics, measured on the real MainWindow: ``edit_to_redraw`` and ``frame_time``.

Run in a child process (``python -m bench.gui [--quick]``) with a display;
it prints the metrics as JSON on its last line of output.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from statistics import median

from bench.results import Metric, fmt
from bench.targets import target, unit
from bench.timing import percentile
from gdplayground.core.scene import GRID_RESOLUTION
from gdplayground.model.presets import load_presets
from gdplayground.model.session import Session, default_session, entry_for
from gdplayground.qt._qt import QtCore, QtWidgets
from gdplayground.qt.main_window import MainWindow

WINDOW_SIZE = (1280, 800)
#: Functions typed into the editor, each once (first time in the process, as for a user).
EDITED = ("himmelblau", "rastrigin", "ackley", "beale", "goldstein_price", "booth", "levi13",
          "six_hump_camel", "mccormick")  # fmt: skip
#: Twelve racers with learning rates small enough that every path lasts all its steps.
RACERS = (
    ("gd", 1e-4), ("gd", 4e-4), ("momentum", 1e-4), ("momentum", 3e-4),
    ("nesterov", 1e-4), ("nesterov", 3e-4), ("adagrad", 0.05), ("adagrad", 0.2),
    ("rmsprop", 1e-3), ("rmsprop", 4e-3), ("adam", 5e-3), ("adamw", 1e-2),
)  # fmt: skip


def wait_for(signal: QtCore.SignalInstance, timeout_s: float) -> bool:
    """Run the event loop until ``signal`` is emitted; False on timeout."""
    loop = QtCore.QEventLoop()
    fired: list[bool] = []

    def done(*_: object) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(done)
    QtCore.QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(done)
    return bool(fired)


def paint_2d(window: MainWindow) -> None:
    """Paint the contour and loss views now (into pixmaps: ``repaint`` may be deferred)."""
    window.contour.grab()
    window.loss.grab()


def paint_3d(window: MainWindow) -> None:
    """Render the 3-D view now (``paintGL`` into its framebuffer, read back)."""
    window.surface.grabFramebuffer()


class ScreenWatch(QtCore.QObject):
    """Tells when every view of the window has put a new picture on the screen.

    The 2-D views are widgets: each is on screen once it has been painted and
    the event loop runs again (Qt flushes the painted pixels to the screen
    right after painting, in the same pass).  The 3-D view is a native OpenGL
    window: it is on screen when its frame has been swapped.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._viewports = {window.contour.viewport(): "contour", window.loss.viewport(): "loss"}
        for viewport in self._viewports:
            viewport.installEventFilter(self)
        window.surface.frameSwapped.connect(self._swapped)
        self._pending: set[str] = set()
        self._loop: QtCore.QEventLoop | None = None

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Paint and watched in self._viewports:
            self._done(self._viewports[watched])
        return False

    def _swapped(self) -> None:
        self._done("surface")

    def _done(self, view: str) -> None:
        self._pending.discard(view)
        if not self._pending and self._loop is not None:
            # quit once control is back in the event loop: after the paint and flush
            QtCore.QTimer.singleShot(0, self._loop.quit)

    def expect(self) -> None:
        """From now on, wait for a new picture from every view."""
        self._pending = {"contour", "loss", "surface"}

    def wait(self, timeout_s: float) -> bool:
        """Run the event loop until every view expected has been put on screen."""
        if self._pending:
            self._loop = QtCore.QEventLoop()
            QtCore.QTimer.singleShot(int(timeout_s * 1000), self._loop.quit)
            self._loop.exec()
            self._loop = None
        return not self._pending


def run_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` holds; False on timeout."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        QtWidgets.QApplication.processEvents(
            QtCore.QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50
        )
    return True


def open_window(session: Session, settings_dir: Path) -> MainWindow:
    """The real MainWindow with throw-away settings, shown at the benchmark size."""
    settings = QtCore.QSettings(
        str(settings_dir / "settings.ini"), QtCore.QSettings.Format.IniFormat
    )
    window = MainWindow(session=session, settings=settings, parallel_runs=True)  # as the app
    window.resize(*WINDOW_SIZE)
    window.show()
    if not wait_for(window.scene_shown, 120):
        raise RuntimeError("the first scene was not shown within 120 s")
    # built after the window shows: the 3-D view, then the run worker (a user
    # takes a moment before typing: it is ready by then)
    if not run_until(lambda: window.surface is not None, 30):
        raise RuntimeError("the 3-D view was not built within 30 s")
    worker_started = run_until(lambda: window.computer.worker is not None, 30)
    if not worker_started or not window.computer.worker.wait_ready(30):
        raise RuntimeError("the run worker did not start within 30 s")
    watch = ScreenWatch(window)
    watch.expect()
    watch.wait(5.0)
    return window


def edit_to_redraw(settings_dir: Path, count: int) -> Metric:
    """Type each function into the editor; time until all three views are on screen."""
    window = open_window(default_session(), settings_dir)
    presets = load_presets()
    watch = ScreenWatch(window)
    # from the new scene on, every view must put a new picture on the screen
    window.scene_shown.connect(watch.expect)
    times: dict[str, float] = {}
    for key in EDITED[:count]:
        editor = window.function_editor
        start = time.perf_counter()
        editor.line_edit.setText(presets[key].formula)
        editor.validate_now()
        if not wait_for(window.scene_shown, 60):
            raise RuntimeError(f"no scene within 60 s after typing {key}")
        if not watch.wait(5.0):
            raise RuntimeError(f"the window was not repainted after typing {key}")
        times[key] = 1e3 * (time.perf_counter() - start)
    window.close()
    value = median(times.values())
    return Metric(
        name="edit_to_redraw",
        unit=unit("edit_to_redraw"),
        target=target("edit_to_redraw"),
        value=value,
        met=value <= 100,
        details={
            "grid": f"{GRID_RESOLUTION}x{GRID_RESOLUTION}",
            "window": "x".join(map(str, WINDOW_SIZE)),
            "session": "default: Rosenbrock window, 5 optimizers (incl. Newton), 300 steps",
            "timing": "median over functions, each typed once",
            "functions_ms": times,
        },
        rows=[(key, fmt(ms, "ms"), "", "") for key, ms in times.items()],
    )


def racing_session(steps: int) -> Session:
    """Rosenbrock with twelve optimizers and paths of ``steps`` steps (no early stop)."""
    entries = tuple(entry_for(method, {"lr": lr}) for method, lr in RACERS)
    return replace(default_session(), optimizers=entries, steps=steps, tol=0.0)


def frame_time(settings_dir: Path, steps: int, stride: int) -> Metric:
    """Per animation frame: move every view to the frame and repaint them synchronously."""
    window = open_window(racing_session(steps), settings_dir)
    lengths = [len(path.points) - 1 for path in window.paths]
    surface_set_frame = window.surface.set_frame
    spent_3d = [0.0]

    def timed_set_frame(frame: int) -> None:  # the 3-D view's share of window.set_frame
        start = time.perf_counter()
        surface_set_frame(frame)
        spent_3d[0] = time.perf_counter() - start

    window.surface.set_frame = timed_set_frame
    two_d: list[float] = []
    three_d: list[float] = []
    whole: list[float] = []
    missed = 0
    watch = ScreenWatch(window)
    for frame in range(1, window.clock.length, stride):
        start = time.perf_counter()
        window.set_frame(frame)
        moved = time.perf_counter()
        paint_2d(window)
        painted_2d = time.perf_counter()
        paint_3d(window)
        painted_3d = time.perf_counter()
        watch.expect()
        missed += not watch.wait(1.0)
        shown = time.perf_counter()
        two_d.append(1e3 * (painted_2d - start - spent_3d[0]))
        three_d.append(1e3 * (painted_3d - painted_2d + spent_3d[0]))
        whole.append(1e3 * (moved - start + shown - painted_3d))
    window.close()
    p99 = percentile(two_d, 99)
    stats = {
        "2d_views": {"median_ms": median(two_d), "p99_ms": p99},
        "3d_view": {"median_ms": median(three_d), "p99_ms": percentile(three_d, 99)},
        "whole_window": {"median_ms": median(whole), "p99_ms": percentile(whole, 99)},
    }
    return Metric(
        name="frame_time",
        unit=unit("frame_time"),
        target=target("frame_time"),
        value=p99,
        met=p99 <= 16,
        details={
            **stats,
            "optimizers": len(lengths),
            "path_steps": lengths,
            "frames_timed": f"{len(two_d)} (every {stride} of {window.clock.length})",
            "frames_not_on_screen_within_1s": missed,
            "window": "x".join(map(str, WINDOW_SIZE)),
            "2d_views_are": "window.set_frame less the 3-D view's part, "
            "plus painting the contour and loss views (grab)",
            "3d_view_is": "surface.set_frame plus rendering it (grabFramebuffer)",
            "whole_window_is": "window.set_frame, then the event loop paints every view "
            "and puts it on screen (2-D views flushed, the 3-D view's frame swapped)",
        },
        rows=[
            (
                label,
                f"median {fmt(s['median_ms'], 'ms')}",
                f"p99 {fmt(s['p99_ms'], 'ms')}",
                "",
            )
            for label, s in (
                ("2-D views (contour + loss)", stats["2d_views"]),
                ("3-D view (reported apart)", stats["3d_view"]),
                ("whole window on screen", stats["whole_window"]),
            )
        ],
    )


def main(argv: list[str] | None = None) -> int:
    """Measure the GUI metrics and print them as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.gui")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("metrics", nargs="*", default=["edit_to_redraw", "frame_time"])
    args = parser.parse_args(argv)
    from gdplayground.qt.app import make_application

    make_application()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.metrics:
            try:
                if name == "edit_to_redraw":
                    metric = edit_to_redraw(Path(tmp), count=2 if args.quick else len(EDITED))
                else:
                    metric = frame_time(
                        Path(tmp), steps=30 if args.quick else 2000, stride=10 if args.quick else 4
                    )
            except Exception as exc:  # report, never crash the whole run
                note = f"failed: {type(exc).__name__}: {exc}"
                metric = Metric(name, unit(name), target(name), note=note)
            out.append(metric_to_json(metric))
    print(json.dumps(out), flush=True)
    return 0


def metric_to_json(metric: Metric) -> dict:
    """The metric with its table rows, for the parent process."""
    data = metric.to_dict()
    data["rows"] = metric.rows
    return data


if __name__ == "__main__":
    sys.exit(main())
