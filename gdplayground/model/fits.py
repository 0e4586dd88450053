"""The data-fit presets shipped in ``resources/fits.toml`` (the "Fit" menu)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class FitPreset:
    """A model and loss with a built-in data set, its (w, b) window and a start."""

    key: str
    title: str
    model: str
    loss: str
    data: str  # a built-in data set's name
    n: int
    noise: float
    seed: int
    window: tuple[float, float, float, float]  # w min, w max, b min, b max
    start: tuple[float, float]
    output: str | None  # what the data view draws for the model (None: m itself)
    note: str


@lru_cache(maxsize=1)
def load_fits() -> dict[str, FitPreset]:
    """The shipped data-fit presets keyed by their short name, in file order."""
    text = resources.files("gdplayground.resources").joinpath("fits.toml").read_text("utf-8")
    fits: dict[str, FitPreset] = {}
    for key, entry in tomllib.loads(text).items():
        fits[key] = FitPreset(
            key=key,
            title=entry["title"],
            model=entry["model"],
            loss=entry["loss"],
            data=entry["data"],
            n=int(entry["n"]),
            noise=float(entry["noise"]),
            seed=int(entry["seed"]),
            window=tuple(float(v) for v in entry["window"]),  # type: ignore[arg-type]
            start=tuple(float(v) for v in entry["start"]),  # type: ignore[arg-type]
            output=entry.get("output"),
            note=entry.get("note", ""),
        )
    return fits
