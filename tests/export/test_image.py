"""Still images: PNG/SVG/PDF of the contour and loss views, PNG of the 3-D view."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from export_checks import COLOURS, count_near, distinct_colours, leftovers, pixels
from PIL import Image

from gdplayground.core.picture import picture_from_scene
from gdplayground.export.image import ExportError, export_image, render_image
from gdplayground.export.render import camera_of, offscreen_view

pytestmark = pytest.mark.usefixtures("qapp")


def test_contour_png_has_the_size_and_shows_every_path(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.png"
    export_image(scene, "contour", target, size=(320, 240))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(target)
    assert image.size == (320, 240)
    assert distinct_colours(image) > 500  # colour fill, isolines, paths: not a blank image
    for colour in COLOURS:
        assert count_near(image, colour) > 10, colour
    assert leftovers(tmp_path) == []


def test_a_wide_picture_has_the_legend_with_every_optimizer(scene, tmp_path: Path) -> None:
    target = tmp_path / "wide.png"
    export_image(scene, "contour", target, size=(900, 400))
    image = Image.open(target)
    legend = image.crop((900 - 240, 0, 900, 200))  # the legend column on the right
    for colour in COLOURS:
        assert count_near(legend, colour, tolerance=4) > 20, colour


def test_frame_zero_shows_only_the_start(scene, tmp_path: Path) -> None:
    export_image(scene, "contour", tmp_path / "start.png", size=(320, 240), frame=0)
    export_image(scene, "contour", tmp_path / "end.png", size=(320, 240))
    start, end = Image.open(tmp_path / "start.png"), Image.open(tmp_path / "end.png")
    # the left part, away from the key in the top right corner of the plot
    start, end = start.crop((0, 0, 180, 240)), end.crop((0, 0, 180, 240))
    assert count_near(end, COLOURS[0]) > 3 * max(count_near(start, COLOURS[0]), 1)
    with pytest.raises(ExportError, match="frames 0 to 40"):
        export_image(scene, "contour", tmp_path / "late.png", size=(320, 240), frame=41)


def test_svg_is_xml_with_vector_paths_in_their_colours(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.svg"
    export_image(scene, "contour", target, size=(500, 400))
    root = ET.parse(target).getroot()
    assert root.tag.endswith("svg")
    text = target.read_text(encoding="utf-8").lower()
    assert "<svg" in text and "<path" in text
    for colour in COLOURS:
        assert f'stroke="{colour.lower()}"' in text, colour
    assert re.search(r'viewbox="0 0 500 400"', text)


def test_pdf_is_a_pdf_page_of_the_requested_size(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.pdf"
    export_image(scene, "contour", target, size=(800, 600))
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box is not None
    assert float(box.group(1)) == pytest.approx(600, abs=1)  # 800 px at 96 dpi = 600 pt
    assert float(box.group(2)) == pytest.approx(450, abs=1)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_loss_view_saves_in_every_still_format(scene, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"loss{suffix}"
    export_image(scene, "loss", target, size=(480, 300))
    assert target.stat().st_size > 1000
    if suffix == ".png":
        image = Image.open(target)
        assert image.size == (480, 300)
        for colour in COLOURS:
            assert count_near(image, colour) > 5, colour


def test_render_image_gives_a_qimage_for_the_clipboard(scene) -> None:
    image = render_image(scene, "contour", (300, 200), frame=10)
    assert (image.width(), image.height()) == (300, 200)
    assert not image.isNull()


@pytest.mark.parametrize(
    ("view", "name", "fragment"),
    [
        ("surface", "x.svg", "PNG only"),
        ("surface", "x.pdf", "PNG only"),
        ("contour", "x.jpg", ".png, .svg or .pdf"),
        ("contour", "picture", "no suffix"),
        ("loss", "x.gif", ".png, .svg or .pdf"),
        ("sideways", "x.png", "unknown view"),
    ],
)
def test_unsupported_combinations_say_what_to_write(
    scene, tmp_path: Path, view: str, name: str, fragment: str
) -> None:
    with pytest.raises(ExportError, match=re.escape(fragment)):
        export_image(scene, view, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", [(10, 200), (200, 100_000), ("wide", 3)])
def test_bad_sizes_are_refused(scene, tmp_path: Path, size: tuple) -> None:
    with pytest.raises(ExportError, match="size"):
        export_image(scene, "contour", tmp_path / "x.png", size=size)


def test_unwritable_path_is_an_export_error(scene, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export_image(scene, "contour", tmp_path / "missing" / "x.png", size=(200, 150))
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write"):
        export_image(scene, "contour", tmp_path / "file" / "x.png", size=(200, 150))


def test_overwriting_replaces_the_file_whole(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.png"
    target.write_bytes(b"old")
    export_image(scene, "contour", target, size=(200, 150))
    assert Image.open(target).size == (200, 150)
    assert leftovers(tmp_path) == []


def test_picture_keeps_only_enabled_optimizers(scene) -> None:
    from dataclasses import replace

    from gdplayground.core.scene import build_scene

    entries = list(scene.session.optimizers)
    entries[1] = replace(entries[1], enabled=False)
    smaller = build_scene(replace(scene.session, optimizers=tuple(entries)), previous=scene)
    picture = picture_from_scene(smaller)
    assert [p.colour for p in picture.paths] == [COLOURS[0], COLOURS[2]]
    assert picture.minima == ((1.0, 1.0),)  # Rosenbrock's minimum is marked


# ------------------------------------------------------------------ 3-D view
@pytest.mark.gl
def test_surface_png_from_a_camera(scene, tmp_path: Path) -> None:
    front, side = tmp_path / "front.png", tmp_path / "side.png"
    export_image(scene, "surface", front, size=(320, 240))
    export_image(scene, "surface", side, size=(320, 240), camera={"azimuth": 30, "elevation": 60})
    a, b = Image.open(front), Image.open(side)
    assert a.size == b.size == (320, 240)
    assert distinct_colours(a) > 500
    assert abs(pixels(a) - pixels(b)).mean() > 5  # another camera, another picture


@pytest.mark.gl
def test_camera_of_round_trips(scene) -> None:
    picture = picture_from_scene(scene)
    wanted = {"azimuth": 12.0, "elevation": 40.0, "distance": 5.0}
    with offscreen_view(picture, "surface", (200, 150), camera=wanted) as view:
        camera = camera_of(view)
    assert {k: camera[k] for k in wanted} == pytest.approx(wanted)
    assert set(camera) == {"azimuth", "elevation", "distance", "fov", "center"}


def test_camera_is_refused_for_2d_views(scene, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="surface"):
        export_image(scene, "contour", tmp_path / "x.png", camera={"azimuth": 10})


def test_a_picture_from_another_process_draws_the_isolines_it_carries(scene) -> None:
    import pickle

    import numpy as np

    from gdplayground.core.sampling import isolines

    picture = pickle.loads(pickle.dumps(picture_from_scene(scene)))  # as the worker sends it
    assert len(picture.isolines) > 0
    np.testing.assert_array_equal(picture.isolines, isolines(scene.grid, scene.levels))
    with offscreen_view(picture, "contour", (320, 240)) as view:
        xs, ys = view.isoline_item.getData()  # what was traced in the worker, drawn as is
        np.testing.assert_array_equal(np.column_stack([xs, ys]), picture.isolines)
        assert view.isoline_item.isVisible()
