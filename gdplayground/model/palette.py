"""Default colours of optimizers: one palette and one rule, for the window and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Okabe & Ito's colour-blind-safe palette (black left out: it is the marker colour).
PALETTE = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)
#: Each method's own colour (an index into PALETTE), so Adam looks the same in
#: every race, whatever else runs beside it.
METHOD_COLOURS = {
    "gd": 0,
    "momentum": 1,
    "nesterov": 2,
    "adagrad": 3,
    "rmsprop": 4,
    "adam": 5,
    "adamw": 6,
    "newton": 7,
}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def is_colour(text: str) -> bool:
    """Whether ``text`` is a colour as sessions store them (``#RRGGBB``)."""
    return bool(_HEX.match(text))


def colour_for(method: str, taken: Iterable[str] = ()) -> str:
    """The default colour of a new ``method`` beside optimizers coloured ``taken``.

    A method gets its own colour; if that is taken (the same method twice),
    the first palette colour not yet taken; if all are, its own again.
    """
    used = {c.upper() for c in taken}
    own = PALETTE[METHOD_COLOURS.get(method, sum(map(ord, method))) % len(PALETTE)]
    if own.upper() not in used:
        return own
    return next((c for c in PALETTE if c.upper() not in used), own)
