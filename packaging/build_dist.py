"""Build what `make dist` ships: the wheel and, on Linux, the desktop bundle.

Run by the Python of the clean build venv (build/dist-venv: the runtime
dependencies and PyInstaller, nothing else), from the repository root:

1. ``dist/gdplayground-VERSION-py3-none-any.whl`` (pip wheel), installed into the
   build venv so the bundle holds exactly what the wheel holds;
2. the one-folder PyInstaller bundle from ``packaging/gdplayground.spec``;
3. ``dist/gdplayground-VERSION-linux-ARCH.tar.gz``: the bundle, ``install.sh`` and a
   ``share/`` tree (desktop entry, AppStream metadata, MIME type, icons rendered
   from the SVG at the standard hicolor sizes).

No AppImage: building one needs the AppImage runtime and appimagetool, which
come neither from Debian nor from PyPI (the PyPI tools download them).
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
RESOURCES = ROOT / "resources"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def project_version() -> str:
    """The version in pyproject.toml (the one the wheel and --version carry)."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SystemExit('build_dist: no version = "..." in pyproject.toml')
    return match.group(1)


def run(*args: str | Path, cwd: Path = ROOT) -> None:
    """Run a command, echoing it; stop the build if it fails."""
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=cwd)


def build_wheel(version: str) -> Path:
    """Build the wheel into dist/, check its resources, and install it (without
    dependencies) into this venv."""
    for old in DIST.glob("gdplayground-*.whl"):
        old.unlink()
    # setuptools builds in build/lib and build/bdist.*, and files left there by an
    # earlier build (a since-deleted lesson) would go into this wheel too.
    for scratch in (BUILD / "lib", *BUILD.glob("bdist.*")):
        shutil.rmtree(scratch, ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", DIST, ".")
    wheel = DIST / f"gdplayground-{version}-py3-none-any.whl"
    check_wheel_resources(wheel)
    run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel)
    return wheel


def check_wheel_resources(wheel: Path) -> None:
    """The wheel's gdplayground/resources/ holds exactly the files of resources/,
    subfolders included, less the README's screenshots."""
    prefix = "gdplayground/resources/"
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name[len(prefix) :] for name in archive.namelist() if name.startswith(prefix)}
    source = {
        path.relative_to(RESOURCES).as_posix()
        for path in RESOURCES.rglob("*")
        if path.is_file()
        and path.suffix != ".pyc"
        and path.relative_to(RESOURCES).parts[0] not in ("screenshots", "__pycache__")
        and "__pycache__" not in path.parts
    }
    if shipped != source:
        raise SystemExit(
            f"build_dist: the wheel's resources differ from resources/: missing "
            f"{sorted(source - shipped)}, extra {sorted(shipped - source)}"
        )


def build_bundle() -> Path:
    """Run PyInstaller on the spec; the bundle folder it made."""
    out = BUILD / "pyinstaller"
    spec = ROOT / "packaging" / "gdplayground.spec"
    pyinstaller = [sys.executable, "-m", "PyInstaller", spec, "--noconfirm", "--log-level", "WARN"]
    # Not from the repository root: `python -m` puts the working folder first on the
    # module path, and the source tree's gdplayground/ would hide the installed one.
    run(*pyinstaller, "--distpath", out, "--workpath", BUILD / "pyinstaller-work", cwd=BUILD)
    bundle = out / "gdplayground"
    strip_interpreter(bundle)
    return bundle


def strip_interpreter(bundle: Path) -> None:
    """Drop debug symbols from the Python interpreter's own libraries (a pyenv build
    keeps them: ~18 MB). Wheel libraries are left alone: stripping rewrites them,
    and auditwheel-patched ones (numpy's OpenBLAS) then fail to load."""
    strip = shutil.which("strip")
    if strip is None:
        return
    internal = bundle / "_internal"
    targets = [*internal.glob("libpython3*.so*"), *internal.glob("python3*/lib-dynload/*.so")]
    files = [path for path in targets if path.is_file() and not path.is_symlink()]
    if files:
        subprocess.run([strip, "--strip-debug", *map(str, files)], check=True)


def render_icons(share: Path) -> None:
    """The hicolor icon theme: the SVG, and PNGs rendered from it at the standard sizes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui, QtSvg

    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication([sys.argv[0]])
    renderer = QtSvg.QSvgRenderer(str(RESOURCES / "gdplayground.svg"))
    if not renderer.isValid():
        raise SystemExit("build_dist: resources/gdplayground.svg is not a valid SVG")
    hicolor = share / "icons" / "hicolor"
    for size in ICON_SIZES:
        image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
        image.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = hicolor / f"{size}x{size}" / "apps" / "gdplayground.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"build_dist: could not write {target}")
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copy2(RESOURCES / "gdplayground.svg", scalable / "gdplayground.svg")
    del app


def desktop_files(share: Path) -> None:
    """Desktop entry, AppStream metadata and MIME type where a desktop looks for them."""
    for source, folder, name in (
        ("gdplayground.desktop", "applications", "gdplayground.desktop"),
        ("gdplayground.metainfo.xml", "metainfo", "gdplayground.metainfo.xml"),
        ("gdplayground-mime.xml", "mime/packages", "gdplayground.xml"),
    ):
        (share / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(RESOURCES / source, share / folder / name)


def assemble(bundle: Path, version: str) -> Path:
    """dist/gdplayground-VERSION-linux-ARCH/ and its .tar.gz."""
    name = f"gdplayground-{version}-linux-{platform.machine()}"
    top = DIST / name
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir(parents=True)
    shutil.copytree(bundle, top / "gdplayground", symlinks=True)
    render_icons(top / "share")
    desktop_files(top / "share")
    for script in ("install.sh",):
        shutil.copy2(ROOT / "packaging" / script, top / script)
        (top / script).chmod(0o755)
    shutil.copy2(ROOT / "packaging" / "INSTALL.txt", top / "INSTALL.txt")
    archive = DIST / f"{name}.tar.gz"
    print(f"+ writing {archive.relative_to(ROOT)}", flush=True)
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(top, arcname=name)
    return archive


def folder_size(path: Path) -> int:
    """Bytes in the files under ``path`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def glibc_needed(bundle: Path) -> str:
    """The newest GLIBC symbol version any file of the bundle asks for."""
    objdump = shutil.which("objdump")
    if objdump is None:
        return "?"
    newest = (0, 0)
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as file:
            if file.read(4) != b"\x7fELF":
                continue
        out = subprocess.run([objdump, "-T", str(path)], capture_output=True, text=True).stdout
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", out):
            newest = max(newest, (int(major), int(minor)))
    return f"{newest[0]}.{newest[1]}"


@contextlib.contextmanager
def timed(what: str) -> Iterator[None]:
    """Print how long the block took."""
    start = time.monotonic()
    yield
    print(f"{what} took {time.monotonic() - start:.0f} s", flush=True)


def main() -> int:
    version = project_version()
    DIST.mkdir(exist_ok=True)
    with timed("the wheel"):
        wheel = build_wheel(version)
    print(f"wheel: {wheel.relative_to(ROOT)} ({wheel.stat().st_size / 1e6:.1f} MB)")
    with timed("PyInstaller"):
        bundle = build_bundle()
    if not sys.platform.startswith("linux"):  # the bundle alone; the installer is Linux's
        print(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB)")
        return 0
    with timed("the archive"):
        archive = assemble(bundle, version)
    ffmpeg = folder_size(bundle / "_internal" / "imageio_ffmpeg")
    print(
        f"bundle: {folder_size(bundle) / 1e6:.0f} MB unpacked "
        f"({ffmpeg / 1e6:.0f} MB of it ffmpeg), needs glibc >= {glibc_needed(bundle)}\n"
        f"archive: {archive.relative_to(ROOT)} ({archive.stat().st_size / 1e6:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
