"""PyOpenGL is told the platform Qt makes its GL contexts with."""

from __future__ import annotations

import sys

import pytest

from gdplayground.qt._qt import match_opengl_platform


class _App:
    def __init__(self, name: str) -> None:
        self._name = name

    def platformName(self) -> str:  # noqa: N802 - Qt's name
        return self._name


@pytest.mark.parametrize(("platform", "expected"), [("xcb", "glx"), ("wayland", "egl")])
def test_the_opengl_platform_follows_qt_s(monkeypatch, platform, expected) -> None:
    monkeypatch.delenv("PYOPENGL_PLATFORM", raising=False)
    monkeypatch.delitem(sys.modules, "OpenGL", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")  # an X11 window in a Wayland session too
    match_opengl_platform(_App(platform))
    import os

    assert os.environ["PYOPENGL_PLATFORM"] == expected


def test_a_platform_the_user_chose_is_kept(monkeypatch) -> None:
    monkeypatch.setenv("PYOPENGL_PLATFORM", "osmesa")
    monkeypatch.delitem(sys.modules, "OpenGL", raising=False)
    match_opengl_platform(_App("xcb"))
    import os

    assert os.environ["PYOPENGL_PLATFORM"] == "osmesa"
