"""The default colours stay apart for every viewer, on white and on the colour fill."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gdplayground.model.palette import METHOD_COLOURS, PALETTE, colour_for

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
SIMULATIONS = {
    "normal": np.eye(3),
    "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
               [-0.003882, -0.048116, 1.051998]],
    "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
               [-0.011820, 0.042940, 0.968881]],
    "tritan": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
               [0.004733, 0.691367, 0.303900]],
}  # fmt: skip
#: viridis at ten stops, washed as the contour view draws it (60 % over white)
VIRIDIS = ["#440154", "#482878", "#3E4A89", "#31688E", "#26828E",
           "#1F9E89", "#35B779", "#6DCD59", "#B4DE2C", "#FDE725"]  # fmt: skip


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def _lab(rgb: np.ndarray, simulation: str) -> np.ndarray:
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(linear @ np.asarray(SIMULATIONS[simulation], dtype=float).T, 0, 1)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                             [0.0193, 0.1192, 0.9505]]).T  # fmt: skip
    xyz = xyz / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_the_first_eight_colours_are_told_apart_under_each_colour_vision(simulation) -> None:
    labs = [_lab(_rgb(c), simulation) for c in PALETTE[:8]]
    closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
    assert closest >= 25


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_each_colour_stands_out_from_white_and_from_the_colour_fill(simulation) -> None:
    backgrounds = [np.ones(3)] + [0.6 * _rgb(c) + 0.4 for c in VIRIDIS]
    for colour in PALETTE[:8]:
        lab = _lab(_rgb(colour), simulation)
        nearest = min(np.linalg.norm(lab - _lab(bg, simulation)) for bg in backgrounds)
        assert nearest >= 10, colour


def test_orange_and_vermillion_are_not_both_there() -> None:
    # seen on a projector: they looked alike in the loss plot
    assert not {"#E69F00", "#D55E00"} <= {c.upper() for c in PALETTE}


def test_every_method_of_the_default_race_has_its_own_colour_of_the_first_eight() -> None:
    colours = [colour_for(m) for m in ("gd", "momentum", "rmsprop", "adam", "newton")]
    assert len(set(colours)) == 5 and all(c in PALETTE[:8] for c in colours)
    assert len(set(METHOD_COLOURS.values())) == len(METHOD_COLOURS)


def test_a_taken_colour_gives_the_next_free_one() -> None:
    first = colour_for("adam")
    second = colour_for("adam", (first,))
    assert second != first and second in PALETTE
