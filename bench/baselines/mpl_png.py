"""Baseline: the contour picture of the race, as a user would draw it with matplotlib.

Usage: python mpl_png.py OUT.png SIZE_PX
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import race  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402


def draw(size_px: int) -> tuple[plt.Figure, plt.Axes, list]:
    """The figure: filled contours, isolines, every path with its end point, a legend."""
    x, y, z = race.grid()
    levels = race.levels(z)
    fig, ax = plt.subplots(figsize=(size_px / 100, size_px / 100), dpi=100)
    ax.contourf(x, y, z, levels=levels, norm=LogNorm(), cmap="viridis", alpha=0.6, extend="both")
    ax.contour(x, y, z, levels=levels, colors="k", linewidths=0.5, alpha=0.3)
    paths = []
    for name, (method, lr) in race.OPTIMIZERS.items():
        points = race.path(method, lr)
        (line,) = ax.plot(points[:, 0], points[:, 1], lw=1.5, label=name)
        (marker,) = ax.plot(points[-1:, 0], points[-1:, 1], "o", color=line.get_color(), mec="k")
        paths.append((points, line, marker))
    ax.plot(*race.START, "o", mfc="white", mec="k", ms=9)
    ax.set_xlim(race.DOMAIN[0], race.DOMAIN[1])
    ax.set_ylim(race.DOMAIN[2], race.DOMAIN[3])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig, ax, paths


if __name__ == "__main__":
    figure, _, _ = draw(int(sys.argv[2]))
    figure.savefig(sys.argv[1], dpi=100)
