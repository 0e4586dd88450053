"""Test session set-up: which Qt platform the GUI tests use.

With a display (pytest-xvfb's Xvfb, or a real ``DISPLAY``) Qt uses its default
platform, so the OpenGL tests (marked ``gl``) get a real GL context from Mesa.
Without one (e.g. ``-p no:xvfb`` on a headless machine) the 2-D tests run on
Qt's ``offscreen`` platform and the ``gl`` tests are skipped.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

_NO_DISPLAY_REASON = (
    "needs an OpenGL context: run under Xvfb (pytest-xvfb, installed with the test "
    "extras) or with a DISPLAY"
)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Choose the Qt platform after pytest-xvfb has (or has not) set DISPLAY."""
    if not _has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def gl_available() -> bool:
    """Whether tests marked ``gl`` can get a real OpenGL context."""
    return _has_display() and os.environ.get("QT_QPA_PLATFORM", "") not in ("offscreen", "minimal")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``gl`` tests, with the reason, when there is no display to render into."""
    if gl_available():
        return
    skip = pytest.mark.skip(reason=_NO_DISPLAY_REASON)
    for item in items:
        if item.get_closest_marker("gl"):
            item.add_marker(skip)


try:  # property tests: a fixed seed, so a red run is reproducible, not luck; set
    # GDP_HYPOTHESIS_EXPLORE=1 to search new examples (and keep the ones that fail)
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    if not os.environ.get("GDP_HYPOTHESIS_EXPLORE"):
        _hypothesis_settings.load_profile("ci")
except ImportError:  # pragma: no cover - hypothesis comes with the test extras
    pass


@pytest.fixture
def tiny_disk(tmp_path):
    """A folder on a 64 KB tmpfs: a disk that fills up (skipped where it cannot be mounted)."""
    import shutil
    import subprocess

    folder = tmp_path / "tiny"
    folder.mkdir()
    if getattr(os, "geteuid", lambda: 1)() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tiny tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
