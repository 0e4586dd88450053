"""A small computed scene for the export tests."""

from __future__ import annotations

from dataclasses import replace

import pytest
from export_checks import COLOURS

import gdplayground.qt._qt  # noqa: F401 - before the QApplication, so GL contexts share
from gdplayground.core.scene import Scene, build_scene
from gdplayground.model.session import default_session, entry_for


@pytest.fixture(scope="session")
def scene() -> Scene:
    """Rosenbrock, three optimizers racing for 40 steps, on a coarse grid (fast to draw)."""
    methods = (("adam", {"lr": 0.05}), ("momentum", {"lr": 1e-3}), ("newton", {"lr": 0.5}))
    # colours the checks look for (export_checks.COLOURS)
    entries = tuple(
        replace(entry_for(method, params), color=colour)
        for (method, params), colour in zip(methods, COLOURS, strict=True)
    )
    session = replace(default_session(), optimizers=entries, steps=40, start=(-1.5, 2.0))
    return build_scene(session, resolution=80)
