"""Looking at exported pictures: colours, pixels, leftovers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

#: The optimizers of the test scene (conftest.py) and their colours (Okabe–Ito).
COLOURS = ("#E69F00", "#56B4E9", "#009E73")


def rgb(colour: str) -> tuple[int, int, int]:
    """'#E69F00' -> (230, 159, 0)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def pixels(image: Image.Image) -> np.ndarray:
    """(h, w, 3) int array of an image's RGB values."""
    return np.asarray(image.convert("RGB"), dtype=np.int32)


def count_near(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    """How many pixels are within ``tolerance`` (per channel) of ``colour``."""
    diff = np.abs(pixels(image) - np.array(rgb(colour)))
    return int((diff.max(axis=-1) <= tolerance).sum())


def distinct_colours(image: Image.Image) -> int:
    """Number of different RGB values in the image."""
    flat = pixels(image).reshape(-1, 3)
    return len(np.unique(flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2]))


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted write would leave (hidden ``.*.tmp``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))
