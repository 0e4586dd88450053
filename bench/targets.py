"""Every metric's name, unit and target, in the order of the table."""

from __future__ import annotations

#: name -> (unit, target as printed)
TARGETS: dict[str, tuple[str, str]] = {
    "grid_eval_1000": ("ms", "≥ 1.5× lambdify (median fn), never slower"),
    "batch_adam_100k": ("M point-steps/s", "≥ 100× per-point loop; ≤ 1.5× hand-written time"),
    "basins_250k": ("s", "≤ 1.5× hand-written numpy Adam; first picture ≤ 100 ms"),
    "sweep": ("s", "< 1 s"),
    "edit_to_redraw": ("ms", "≤ 100 ms"),
    "frame_time": ("ms (p99, 2-D)", "p99 ≤ 16 ms (2-D views)"),
    "startup": ("s", "≤ 1.5 s"),
    "export_png_vs_matplotlib": ("s", "ratio ≤ 0.8"),
    "export_gif_vs_matplotlib": ("s", "ratio ≤ 0.25"),
    "datafit_race": ("ms", "≤ 1.5× hand-written numpy loop"),
    "datafit_surface": ("ms (first picture)", "first ≤ 150 ms, exact ≤ 1 s (n = 10,000)"),
}
METRICS: tuple[str, ...] = tuple(TARGETS)


def unit(name: str) -> str:
    """The unit of metric ``name``."""
    return TARGETS[name][0]


def target(name: str) -> str:
    """The target of metric ``name``, as printed."""
    return TARGETS[name][1]
