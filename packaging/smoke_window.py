"""The window part of the smoke test: start the app on a virtual X display, wait
until the contour and 3-D views show colour, play for a second, quit with Ctrl+Q.

Needs Xvfb, xdotool and xwininfo (Debian packages xvfb, xdotool, x11-utils), and
Pillow, which grabs the screenshots (a runtime dependency: the build venv has it).
"""

from __future__ import annotations

import os
import random
import re
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageGrab

SCREEN = (1600, 1000)
#: a pixel is "coloured" when its channels differ by more than this: the colour
#: maps of the contour and 3-D views are; white, grey, black and text are not
COLOURED = 30


#: a window in `xwininfo -root -tree`: id "title": (class)  WxH+x+y  +absx+absy
_XWININFO_LINE = re.compile(
    r'^\s*(0x[0-9a-f]+) (?:"(.*)"|\(has no name\)):.*?'
    r"\s(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$",
    re.MULTILINE,
)


class WindowCheckError(Exception):
    """The window did not do what a user would see it do."""


@dataclass(frozen=True)
class Box:
    """A rectangle on the screen, in pixels."""

    x: int
    y: int
    width: int
    height: int

    def crop(self, image: Image.Image) -> Image.Image:
        return image.crop((self.x, self.y, self.x + self.width, self.y + self.height))


class VirtualDisplay:
    """A private Xvfb server for the duration of a ``with`` block; its messages go
    to ``log``."""

    def __init__(self, log: Path) -> None:
        self.name = ""
        self.log = log
        log.write_text("")
        self._process: subprocess.Popen | None = None
        self._announcements: int | None = None

    def __enter__(self) -> VirtualDisplay:
        for _ in range(5):
            if self._start(_free_display_number()):
                return self
            self.__exit__()
        raise WindowCheckError(f"Xvfb did not start (5 tries; see {self.log})")

    def _start(self, number: int) -> bool:
        """Start Xvfb on display ``number``; whether a client can draw on it."""
        read_end, write_end = os.pipe()
        with self.log.open("a") as log:
            self._process = subprocess.Popen(
                # -noreset: the server would otherwise reset (and refuse connections
                # for a moment) each time its last client, e.g. a screenshot, leaves
                ["Xvfb", f":{number}", "-displayfd", str(write_end), "-nolisten", "tcp"]
                + ["-noreset", "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24"],
                pass_fds=(write_end,),
                stdout=log,
                stderr=log,
            )
        os.close(write_end)
        self._announcements = read_end  # open while the server runs: it may write again
        ready, _, _ = select.select([read_end], [], [], 30)
        announced = os.read(read_end, 64).decode().split()[:1] if ready else []
        self.name = f":{number}"
        try:
            return announced == [str(number)] and self.grab().width > 0
        except OSError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(10)
        if self._announcements is not None:
            os.close(self._announcements)
            self._announcements = None

    def grab(self) -> Image.Image:
        return ImageGrab.grab(xdisplay=self.name).convert("RGB")


def _free_display_number() -> int:
    """A display number no X server uses, in this machine's network namespace too.

    Xvfb's own choice (-displayfd alone) looks only at lock files in /tmp, and
    misses servers that other sandboxes on the machine run with their own /tmp:
    their abstract socket would then take our clients. /proc/net/unix lists them.
    """
    try:
        sockets = set(Path("/proc/net/unix").read_text().split())
    except OSError:
        sockets = set()
    candidates = random.sample(range(200, 1000), 800)
    for number in candidates:
        names = (f"@/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}")
        if not sockets & set(names) and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise WindowCheckError("no free X display number between 200 and 999")


def missing_tools() -> list[str]:
    """The Debian packages the window check needs and this machine lacks."""
    tools = (("Xvfb", "xvfb"), ("xdotool", "xdotool"), ("xwininfo", "x11-utils"))
    return [package for tool, package in tools if not shutil.which(tool)]


def coloured_fraction(image: Image.Image) -> float:
    """The share of pixels whose channels differ by more than COLOURED."""
    r, g, b = image.split()
    spread = ImageChops.subtract(
        ImageChops.lighter(ImageChops.lighter(r, g), b),
        ImageChops.darker(ImageChops.darker(r, g), b),
    )
    histogram = spread.histogram()
    return sum(histogram[COLOURED + 1 :]) / max(1, image.width * image.height)


def changed_fraction(before: Image.Image, after: Image.Image) -> float:
    """The share of pixels that differ between two pictures of the same box."""
    histogram = ImageChops.difference(before, after).convert("L").histogram()
    return sum(histogram[8:]) / max(1, before.width * before.height)


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise WindowCheckError(f"{what}: not seen within {timeout:.0f} s")
        time.sleep(0.25)


class WindowCheck:
    """Drive one start of the app on ``display``; the steps raise WindowCheckError."""

    def __init__(self, display: VirtualDisplay, env: dict[str, str], shots: Path) -> None:
        self.display = display
        self.env = {**env, "DISPLAY": display.name}
        self.env.pop("QT_QPA_PLATFORM", None)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.shots = shots

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else ""

    def windows(self) -> list[tuple[str, str, Box]]:
        """Every window on the display, (id, title, box on the screen), largest first.
        (xwininfo, because xdotool misplaces child windows such as the 3-D view.)"""
        done = subprocess.run(
            ["xwininfo", "-root", "-tree"], env=self.env, capture_output=True, text=True
        )
        found = [
            (wid, title or "", Box(int(x), int(y), int(width), int(height)))
            for wid, title, width, height, x, y in _XWININFO_LINE.findall(done.stdout)
        ]
        return sorted(found, key=lambda item: item[2].width * item[2].height, reverse=True)

    def run(self, command: Sequence[str], title: str, cwd: Path, name: str) -> list[str]:
        """Start ``command``; check the window titled ``title``; a line per step passed."""
        log_path = self.shots / f"{name}-window.log"
        with log_path.open("w") as log:
            app = subprocess.Popen(command, cwd=cwd, env=self.env, stdout=log, stderr=log)
            try:
                passed = self._steps(app, title, name)
            except WindowCheckError as exc:
                raise WindowCheckError(f"{exc} (log: {_last_line(log_path)})") from None
            finally:
                if app.poll() is None:
                    app.kill()
                    app.wait()
        text = log_path.read_text("utf-8", errors="replace")
        if "Traceback" in text or "error" in text.lower():
            raise WindowCheckError(f"the app printed an error: {_last_line(log_path)}")
        return passed

    def _steps(self, app: subprocess.Popen, title: str, name: str) -> list[str]:
        start = time.monotonic()
        top_id, top = wait_for(
            lambda: self._alive(app) and self._main_window(title), 90, f"a window '{title}'"
        )
        passed = [f"window '{title}' opened after {time.monotonic() - start:.1f} s"]
        shown, views, line = self._drawn_views(app, top, name)
        passed.append(line)
        passed.append(self._play(app, top_id, shown, views, name))
        passed.append(self._quit(app))
        return passed

    def _drawn_views(self, app: subprocess.Popen, top: Box, name: str) -> tuple:
        """Wait for colour in the 3-D view (a native child window) and in the contour
        view (a band left of it); the screenshot, the box of the views, and what
        was seen."""
        surface = wait_for(lambda: self._alive(app) and self._surface(top), 60, "the 3-D view")
        contour = Box(  # clear of the plot's margins, its axes and its key
            surface.x - surface.width * 9 // 20,
            surface.y + surface.height // 6,
            surface.width * 3 // 10,
            surface.height * 2 // 3,
        )
        wait_for(
            lambda: self._alive(app) and self._drawn(contour, surface),
            60,
            "colour in the contour and 3-D views",
        )
        shown = self.display.grab()
        shown.save(self.shots / f"{name}-shown.png")
        views = Box(contour.x, top.y, top.x + top.width - contour.x, top.height)
        seen = (
            f"contour view {coloured_fraction(contour.crop(shown)):.0%} coloured, "
            f"3-D view {coloured_fraction(surface.crop(shown)):.0%} coloured"
        )
        return shown, views, seen

    def _play(
        self, app: subprocess.Popen, top_id: str, shown: Image.Image, views: Box, name: str
    ) -> str:
        """Press Space, wait for the views to move, and watch them for a second."""
        self.xdotool("windowfocus", "--sync", top_id)
        self.xdotool("key", "space")
        wait_for(
            lambda: (
                self._alive(app)
                and changed_fraction(views.crop(shown), views.crop(self.display.grab())) > 0.001
            ),
            10,
            "the views moving after Space",
        )
        time.sleep(1.0)  # let it play for a second, as a user would watch it
        playing = self.display.grab()
        playing.save(self.shots / f"{name}-playing.png")
        changed = changed_fraction(views.crop(shown), views.crop(playing))
        return f"Space plays: {changed:.1%} of the views changed"

    def _quit(self, app: subprocess.Popen) -> str:
        """Ctrl+Q: exit status 0, and the helper processes gone."""
        children = self._children(app.pid)
        self.xdotool("key", "ctrl+q")
        try:
            status = app.wait(20)
        except subprocess.TimeoutExpired:
            raise WindowCheckError("Ctrl+Q did not close the app within 20 s") from None
        if status != 0:
            raise WindowCheckError(f"the app exited with status {status} after Ctrl+Q")
        wait_for(lambda: not any(_exists(pid) for pid in children), 10, "helper processes ending")
        return f"Ctrl+Q quit with status 0 ({len(children)} helper processes ended)"

    def _alive(self, app: subprocess.Popen) -> bool:
        if app.poll() is not None:
            raise WindowCheckError(f"the app exited early with status {app.returncode}")
        return True

    def _main_window(self, title: str) -> tuple[str, Box] | None:
        """The largest window whose title contains ``title``."""
        for wid, name, box in self.windows():
            if title in name:
                return wid, box
        return None

    def _surface(self, top: Box) -> Box | None:
        """The 3-D view: the largest native window inside the main one."""
        for _, _, box in self.windows():
            inside = top.x <= box.x and box.x + box.width <= top.x + top.width
            if box != top and inside and box.width > 100 and box.height > 100:
                return box
        return None

    def _drawn(self, contour: Box, surface: Box) -> bool:
        screen = self.display.grab()
        return (
            coloured_fraction(contour.crop(screen)) > 0.5
            and coloured_fraction(surface.crop(screen)) > 0.05
        )

    @staticmethod
    def _children(pid: int) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie exists until reaped by its (re)parent: count it as ended
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _last_line(path: Path) -> str:
    lines = path.read_text("utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else "empty"
