"""``python -m bench --quick`` runs every metric tiny and writes results of the promised shape.

Timings are never checked here: only that the harness runs end to end, prints
its table and writes one well-formed entry per metric.
"""

from __future__ import annotations

import json
import subprocess
import sys
from numbers import Real
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
METRICS = [
    "grid_eval_1000",
    "batch_adam_100k",
    "basins_250k",
    "sweep",
    "edit_to_redraw",
    "frame_time",
    "startup",
    "export_png_vs_matplotlib",
    "export_gif_vs_matplotlib",
    "datafit_race",
    "datafit_surface",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """The JSON results and the printed output of one quick run."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def test_every_metric_has_one_entry_in_table_order(run: tuple[dict, str]) -> None:
    results, _ = run
    assert results["quick"] is True
    assert [m["name"] for m in results["metrics"]] == METRICS


def test_entries_have_value_unit_target_and_baseline_with_ratio(run: tuple[dict, str]) -> None:
    results, _ = run
    for entry in results["metrics"]:
        assert isinstance(entry["unit"], str) and entry["unit"]
        assert isinstance(entry["target"], str) and entry["target"]
        if not entry["available"]:
            assert entry["value"] is None and entry["met"] is None
            assert entry["note"], f"{entry['name']}: unavailable without saying why"
            continue
        assert isinstance(entry["value"], Real), entry
        assert isinstance(entry["met"], bool), entry
        if "baseline" in entry:
            baseline = entry["baseline"]
            assert baseline["name"] and baseline["unit"]
            assert isinstance(baseline["value"], Real)
            assert isinstance(entry["ratio"], Real) and entry["ratio"] > 0
            assert entry["ratio_kind"] in ("speed", "time")


def test_metrics_that_need_no_display_are_always_measured(run: tuple[dict, str]) -> None:
    results, _ = run
    by_name = {m["name"]: m for m in results["metrics"]}
    for name in ("grid_eval_1000", "batch_adam_100k", "basins_250k", "sweep"):
        assert by_name[name]["available"], by_name[name].get("note")
        assert "baseline" in by_name[name]
    functions = by_name["grid_eval_1000"]["details"]["functions"]
    assert set(functions) == {
        "rosenbrock",
        "himmelblau",
        "rastrigin",
        "ackley",
        "goldstein_price",
        "beale",
    }


def test_the_table_shows_every_metric_with_a_verdict(run: tuple[dict, str]) -> None:
    _, printed = run
    rows = {line.split()[0]: line for line in printed.splitlines() if line.split()}
    for name in METRICS:
        assert name in rows
        assert rows[name].rstrip()[-1] in "✓✗–"
