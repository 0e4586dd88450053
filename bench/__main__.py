"""``python -m bench [--quick] [--only NAME]... [--json FILE]``: measure, print, write JSON."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import compute, datafit, explore, exports
from bench.display import child_environment, x_display
from bench.results import Metric, metric_from_dict, table, write_json
from bench.startup import startup
from bench.targets import METRICS, TARGETS

ROOT = Path(__file__).resolve().parent.parent


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _safely(name: str, measure: Callable[[], Metric]) -> Metric:
    """Run one measurement; a failure becomes a row with the reason, never a crash."""
    _progress(f"measuring {name} ...")
    start = time.perf_counter()
    try:
        metric = measure()
    except Exception as exc:  # a benchmark must not stop the others
        unit, target = TARGETS[name]
        metric = Metric(name, unit, target, note=f"failed: {type(exc).__name__}: {exc}")
    _progress(f"  done in {time.perf_counter() - start:.0f} s")
    return metric


def gui_metrics(names: list[str], env: dict[str, str], quick: bool) -> list[Metric]:
    """Measure the GUI metrics in a child process that has the display (``env``)."""
    command = [sys.executable, "-m", "bench.gui", *(["--quick"] if quick else []), *names]
    _progress(f"measuring {', '.join(names)} (in a child process) ...")
    try:
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800
        )
    except subprocess.TimeoutExpired:
        return [Metric(n, *TARGETS[n], note="failed: no result within 30 min") for n in names]
    lines = done.stdout.strip().splitlines()
    try:
        return [metric_from_dict(d) for d in json.loads(lines[-1])]
    except (IndexError, ValueError, KeyError):
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        note = f"failed: exit status {done.returncode}: {error}"
        return [Metric(n, *TARGETS[n], note=note) for n in names]


def measure(selected: list[str], quick: bool) -> tuple[list[Metric], str]:
    """Every selected metric, in table order, and how the display was provided."""
    results: dict[str, Metric] = {}
    if "grid_eval_1000" in selected:
        results["grid_eval_1000"] = _safely(
            "grid_eval_1000",
            lambda: compute.grid_eval(size=60 if quick else 1000, repeat=1 if quick else 7),
        )
    if "batch_adam_100k" in selected:
        results["batch_adam_100k"] = _safely(
            "batch_adam_100k",
            lambda: compute.batch_adam(
                points=2000 if quick else 100_000,
                steps=20 if quick else 200,
                loop_points=10 if quick else 500,
                repeat=1 if quick else 3,
            ),
        )
    if "basins_250k" in selected:
        results["basins_250k"] = _safely(
            "basins_250k",
            lambda: explore.basins_250k(size=40 if quick else 500, steps=20 if quick else 500),
        )
    if "sweep" in selected:
        results["sweep"] = _safely(
            "sweep",
            lambda: explore.sweep(
                points=4 if quick else 40, steps=20 if quick else 500, repeat=1 if quick else 3
            ),
        )
    if "datafit_race" in selected:
        results["datafit_race"] = _safely(
            "datafit_race",
            lambda: datafit.race(steps=50 if quick else 1000, repeat=1 if quick else 3),
        )
    if "datafit_surface" in selected:
        results["datafit_surface"] = _safely(
            "datafit_surface",
            lambda: datafit.surface(
                n=500 if quick else 10_000,
                resolution=40 if quick else 300,
                repeat=1 if quick else 3,
            ),
        )
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory() as config_home, x_display() as (display, how):
        env = child_environment(display, config_home)
        gui = [n for n in ("edit_to_redraw", "frame_time") if n in selected]
        if gui and display is None:
            results.update((n, Metric(n, *TARGETS[n], note=f"skipped: {how}")) for n in gui)
        elif gui:
            results.update((m.name, m) for m in gui_metrics(gui, env, quick))
        if "startup" in selected and display is None:
            results["startup"] = Metric("startup", *TARGETS["startup"], note=f"skipped: {how}")
        elif "startup" in selected:
            results["startup"] = _safely("startup", lambda: startup(env, runs=1 if quick else 5))
        if "export_png_vs_matplotlib" in selected:
            results["export_png_vs_matplotlib"] = _safely(
                "export_png_vs_matplotlib",
                lambda: exports.export_png(env, size=200 if quick else 800, runs=runs),
            )
        if "export_gif_vs_matplotlib" in selected:
            results["export_gif_vs_matplotlib"] = _safely(
                "export_gif_vs_matplotlib",
                lambda: exports.export_gif(
                    env, size=120 if quick else 400, frames=8 if quick else 100, runs=runs
                ),
            )
    return [results[name] for name in METRICS if name in results], how


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON file; exit status 0 whatever the timings."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument(
        "--only", action="append", choices=METRICS, metavar="NAME", help="measure only NAME"
    )
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench-results.json", help="where to write results"
    )
    args = parser.parse_args(argv)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    metrics, how = measure(args.only or list(METRICS), args.quick)
    print()
    print(table(metrics))
    print(f"\ndisplay for the GUI metrics: {how}")
    if args.quick:
        print("--quick: tiny sizes, the numbers mean nothing")
    if load is not None and load[0] > 0.5:
        print(f"load average at the start: {load[0]:.2f}: other work was running; timings suffer")
    write_json(args.json, metrics, args.quick, load)
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
