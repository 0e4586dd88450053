"""A small computed scene for the export tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

import gdplayground.qt._qt  # noqa: F401 - before the QApplication, so GL contexts share
from gdplayground.core.scene import Scene, build_scene
from gdplayground.core.session import default_session, entry_for


@pytest.fixture(scope="session")
def scene() -> Scene:
    """Rosenbrock, three optimizers racing for 40 steps, on a coarse grid (fast to draw)."""
    entries = (
        entry_for("adam", 0, {"lr": 0.05}),
        entry_for("momentum", 1, {"lr": 1e-3}),
        entry_for("newton", 2, {"lr": 0.5}),
    )
    session = replace(default_session(), optimizers=entries, steps=40, start=(-1.5, 2.0))
    return build_scene(session, resolution=80)
