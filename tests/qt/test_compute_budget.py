"""The window never starts work over budget: a session asking too much is refused at once."""

from __future__ import annotations

from dataclasses import replace

from gdplayground.model.session import default_session, entry_for
from gdplayground.qt.compute import SceneComputer


def test_a_session_over_budget_is_refused_without_computing(qtbot) -> None:
    computer = SceneComputer()
    try:
        newtons = tuple(entry_for("newton", {"lr": 0.5 - i / 1000}) for i in range(64))
        heavy = replace(default_session(), optimizers=newtons, steps=100_000, tol=0.0)
        with qtbot.waitSignal(computer.failed, timeout=5000) as failed:
            computer.request(heavy)
        assert failed.args[0].startswith("not computed: 64 runs x 100,000 steps is too much")
        assert "use at most" in failed.args[0]
        assert computer.scene is None and not computer.busy
        with qtbot.waitSignal(computer.scene_ready, timeout=60000) as ready:
            computer.request(replace(heavy, steps=20))  # a fine session computes as before
        assert ready.args[0].session.steps == 20
    finally:
        computer.shutdown()
