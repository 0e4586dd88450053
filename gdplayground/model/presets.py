"""The standard test functions shipped in ``resources/presets.toml``."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


_TITLES = {
    "goldstein_price": "Goldstein–Price",
    "levi13": "Lévi N.13",
    "styblinski_tang": "Styblinski–Tang",
}


@dataclass(frozen=True)
class Preset:
    """A named test function with its plotting window and known minima."""

    key: str
    title: str
    formula: str
    domain: tuple[float, float, float, float]
    minima: tuple[tuple[float, float], ...]
    fmin: float | None
    note: str
    #: where a race on it starts by default (None: the default start, if in view)
    start: tuple[float, float] | None = None


@lru_cache(maxsize=1)
def load_presets() -> dict[str, Preset]:
    """Return the shipped presets keyed by their short name, in file order."""
    text = resources.files("gdplayground.resources").joinpath("presets.toml").read_text("utf-8")
    data = tomllib.loads(text)
    presets: dict[str, Preset] = {}
    for key, entry in data.items():
        presets[key] = Preset(
            key=key,
            title=_TITLES.get(key, key.replace("_", " ").title()),
            formula=entry["f"],
            domain=tuple(float(v) for v in entry["domain"]),
            minima=tuple((float(a), float(b)) for a, b in entry.get("minima", [])),
            fmin=float(entry["fmin"]) if "fmin" in entry else None,
            note=entry.get("note", ""),
            start=tuple(float(v) for v in entry["start"]) if "start" in entry else None,
        )
    return presets


def find_preset(formula: str) -> Preset | None:
    """Return the preset whose formula or name matches ``formula``, if any."""
    wanted = "".join(formula.split()).lower()
    for preset in load_presets().values():
        if wanted in (preset.key, "".join(preset.formula.split()).lower()):
            return preset
    return None
