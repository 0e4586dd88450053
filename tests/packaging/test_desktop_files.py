"""The desktop files agree with each other, so a menu shows the app with its
icon and a double-click on a saved session opens it in the playground."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest

RESOURCES = resources.files("gdplayground.resources")
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(RESOURCES.joinpath("gdplayground.desktop").read_text("utf-8"))
    return parser["Desktop Entry"]


def mime_type() -> ET.Element:
    root = ET.fromstring(RESOURCES.joinpath("gdplayground-mime.xml").read_text("utf-8"))
    (element,) = root.findall("m:mime-type", MIME_NS)
    return element


def test_sessions_have_a_type_the_desktop_entry_opens() -> None:
    element = mime_type()
    globs = [glob.get("pattern") for glob in element.findall("m:glob", MIME_NS)]
    assert globs == ["*.gdp.json"]
    assert desktop_entry()["MimeType"].split(";")[:-1] == [element.get("type")]
    # %f: the file manager passes the double-clicked file
    assert desktop_entry()["Exec"].split() == ["gdplayground", "%f"]


def test_appstream_metadata_names_the_desktop_entry_and_the_type() -> None:
    root = ET.fromstring(RESOURCES.joinpath("gdplayground.metainfo.xml").read_text("utf-8"))
    assert root.findtext("launchable[@type='desktop-id']") == "gdplayground.desktop"
    assert root.findtext("provides/mediatype") == mime_type().get("type")
    assert root.findtext("provides/binary") == "gdplayground"


def test_the_icon_named_by_the_entry_is_shipped() -> None:
    icon = desktop_entry()["Icon"]
    assert RESOURCES.joinpath(f"{icon}.svg").is_file()


@pytest.mark.parametrize(
    ("tool", "args", "name"),
    [
        ("desktop-file-validate", [], "gdplayground.desktop"),
        ("appstreamcli", ["validate", "--no-net"], "gdplayground.metainfo.xml"),
    ],
)
def test_validators_accept_the_files(tool: str, args: list[str], name: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install desktop-file-utils appstream)")
    with resources.as_file(RESOURCES.joinpath(name)) as path:
        done = subprocess.run([tool, *args, str(Path(path))], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
