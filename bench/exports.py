"""``export_png_vs_matplotlib`` and ``export_gif_vs_matplotlib``: whole process vs whole process."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from bench.baselines import race
from bench.processes import Run, run_timed
from bench.results import Baseline, Metric, fmt
from bench.targets import target

BASELINES = Path(__file__).parent / "baselines"


def export_command(out: Path, size: int, frames: int | None) -> list[str]:
    """``gdplayground export`` for the race in :mod:`bench.baselines.race`."""
    command = [sys.executable, "-m", "gdplayground", "export", "rosenbrock", "--view", "contour"]
    command += ["-o", str(out), "--size", f"{size}x{size}", "--steps", str(race.STEPS)]
    command += [f"--start={race.START[0]},{race.START[1]}"]
    for method, lr in race.OPTIMIZERS.values():
        command += ["--optimizer", f"{method}:lr={lr:g}"]
    if frames is not None:
        command += ["--frames", str(frames)]
    return command


def export_available(env: dict[str, str]) -> str | None:
    """None if ``gdplayground export`` exists with the options used here, else why not."""
    done = subprocess.run(
        [sys.executable, "-m", "gdplayground", "export", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        return "gdplayground export is not available: " + (done.stderr.strip() or "no help")
    missing = [o for o in ("--view", "--size", "--frames", "--steps") if o not in done.stdout]
    if missing:
        return f"gdplayground export has no {', '.join(missing)} option"
    return None


def _check_output(path: Path, size: int, frames: int | None) -> str:
    """'' if ``path`` is the picture asked for, else what is wrong with it."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            got = getattr(image, "n_frames", 1)
            if image.size != (size, size):
                return f"{path.name} is {image.size[0]}x{image.size[1]}, not {size}x{size}"
            if frames is not None and got != frames:
                return f"{path.name} has {got} frames, not {frames}"
    except OSError as exc:
        return f"{path.name} could not be read: {exc}"
    return ""


def _compare(
    name: str,
    limit: float,
    env: dict[str, str],
    size: int,
    frames: int | None,
    runs: int,
) -> Metric:
    """Median wall time of our export and of the matplotlib script, taking turns."""
    unit = "s"
    goal = target(name)
    why = export_available(env)
    if why is not None:
        return Metric(name, unit, goal, note=f"not available: {why}")
    suffix = "gif" if frames is not None else "png"
    script = BASELINES / f"mpl_{suffix}.py"
    ours: list[Run] = []
    theirs: list[Run] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        ours_out, theirs_out = Path(tmp) / f"ours.{suffix}", Path(tmp) / f"mpl.{suffix}"
        mpl = [sys.executable, str(script), str(theirs_out), str(size)]
        if frames is not None:
            mpl.append(str(frames))
        for _ in range(runs):
            ours.append(run_timed(export_command(ours_out, size, frames), env, timeout=600))
            theirs.append(run_timed(mpl, env, timeout=600))
        for label, done, out in (("export", ours, ours_out), ("matplotlib", theirs, theirs_out)):
            failed = [r for r in done if not r.ok]
            if failed:
                problems.append(f"{label} failed: {failed[0].error}")
            elif problem := _check_output(out, size, frames):
                problems.append(problem)
    if any(not r.ok for r in ours + theirs):
        return Metric(name, unit, goal, note="; ".join(problems))
    ours_s = median(r.seconds for r in ours)
    theirs_s = median(r.seconds for r in theirs)
    ratio = ours_s / theirs_s
    return Metric(
        name=name,
        unit=unit,
        target=goal,
        value=ours_s,
        met=ratio <= limit,
        baseline=Baseline(f"matplotlib script ({script.name})", theirs_s, unit),
        ratio=ratio,
        ratio_kind="time",
        ratio_meaning="our time / matplotlib time, whole processes (lower is better)",
        details={
            "timing": f"median of {runs} runs each, taking turns, spawn to exit",
            "size": f"{size}x{size}",
            "frames": frames,
            "scene": f"Rosenbrock, {len(race.OPTIMIZERS)} optimizers, {race.STEPS} steps",
            "export_runs_s": [r.seconds for r in ours],
            "matplotlib_runs_s": [r.seconds for r in theirs],
        },
        rows=[
            (
                "best of each",
                fmt(min(r.seconds for r in ours), "s"),
                fmt(min(r.seconds for r in theirs), "s"),
                "",
            )
        ],
        note="; ".join(problems),
    )


def export_png(env: dict[str, str], size: int = 800, runs: int = 3) -> Metric:
    """An 800x800 contour PNG from the command line vs the matplotlib script."""
    return _compare("export_png_vs_matplotlib", 0.8, env, size, None, runs)


def export_gif(env: dict[str, str], size: int = 400, frames: int = 100, runs: int = 3) -> Metric:
    """A 100-frame 400x400 GIF from the command line vs FuncAnimation + PillowWriter."""
    return _compare("export_gif_vs_matplotlib", 0.25, env, size, frames, runs)
