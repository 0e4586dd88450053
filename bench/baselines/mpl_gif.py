"""Baseline: the race as an animated GIF with matplotlib's FuncAnimation and PillowWriter.

Usage: python mpl_gif.py OUT.gif SIZE_PX FRAMES
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import race  # noqa: E402
from matplotlib.animation import FuncAnimation, PillowWriter  # noqa: E402
from mpl_png import draw  # noqa: E402


def animate(out: str, size_px: int, frames: int) -> None:
    """Draw the paths growing step by step over ``frames`` frames and save them."""
    fig, _, paths = draw(size_px)

    def update(i: int) -> list:
        k = round(i * race.STEPS / max(frames - 1, 1))
        artists = []
        for points, line, marker in paths:
            line.set_data(points[: k + 1, 0], points[: k + 1, 1])
            marker.set_data(points[k : k + 1, 0], points[k : k + 1, 1])
            artists += [line, marker]
        return artists

    animation = FuncAnimation(fig, update, frames=frames)
    animation.save(out, writer=PillowWriter(fps=20), dpi=100)


if __name__ == "__main__":
    animate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
