"""Default colours of optimizers: one palette and one rule, for the window and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Eight colours chosen (from Okabe-Ito, Tol, Tableau, IBM and ColorBrewer sets)
#: to stay apart from each other under normal vision and each simulated colour
#: vision deficiency (CIELAB distance at least 25 under protan, deutan and tritan
#: simulations: tests/model/test_palette.py), and from white and from the washed
#: viridis fill they are drawn on; then four more for long races.
PALETTE = (
    "#000000",  # black
    "#D62728",  # red
    "#66CCEE",  # cyan
    "#BCBD22",  # olive
    "#785EF0",  # violet
    "#EE6677",  # rose
    "#332288",  # indigo
    "#882255",  # wine
    "#FFB000",  # amber
    "#009988",  # teal
    "#A65628",  # brown
    "#999999",  # grey
)
#: Each method's own colour (an index into PALETTE), so Adam looks the same in
#: every race, whatever else runs beside it; the default race (GD, momentum,
#: RMSProp, Adam, Newton) gets five of the first eight.
METHOD_COLOURS = {
    "gd": 0,
    "momentum": 1,
    "nesterov": 5,
    "adagrad": 3,
    "rmsprop": 2,
    "adam": 4,
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
