"""Smoke test of what `make dist` built; run by `make dist-check` and by CI.

Both ways a teacher gets the program are checked from a scratch folder outside
the repository, with a scratch HOME:

- the Linux archive, unpacked and installed with its install.sh (into a scratch
  prefix), started through the installed command and its menu entry's Exec line;
- the wheel, installed into a fresh virtual environment.

For each: --version and --help; ``run rosenbrock`` prints valid JSON; ``export``
writes a PNG, a GIF and an MP4 (with the bundled ffmpeg); the window opens on a
virtual X display, shows colour in the contour and 3-D views, plays for a
second after Space and quits with status 0 on Ctrl+Q. The desktop entry and
AppStream metadata pass desktop-file-validate and appstreamcli validate where
those tools are installed. Screenshots are left in build/smoke/.

    python packaging/smoke_test.py [--only bundle|wheel] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke_window import (  # noqa: E402
    VirtualDisplay,
    WindowCheck,
    WindowCheckError,
    coloured_fraction,
    missing_tools,
)

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
SHOTS = ROOT / "build" / "smoke"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
METAINFO = "gdplayground.metainfo.xml"
#: a saved session in format version 1, which every later version must read
LESSON = {
    "format": "gdplayground-session",
    "version": 1,
    "function": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "domain": [-5.0, 5.0, -5.0, 5.0],
    "start": [0.0, 0.0],
    "steps": 150,
    "optimizers": [
        {"method": "adam", "params": {"lr": 0.1}},
        {"method": "momentum", "params": {"lr": 0.002}},
    ],
}


class CheckError(Exception):
    """What a user would see go wrong."""


class Results:
    """Runs checks, prints one line each, and counts them."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def check(self, what: str, step: Callable[[], str | None]) -> bool:
        try:
            detail = step()
        except Exception as exc:  # a failed check; the next one still runs
            expected = isinstance(exc, (CheckError, WindowCheckError))
            print(f"FAIL {what}: {exc if expected else repr(exc)}", flush=True)
            self.failed.append(what)
            return False
        print(f"ok   {what}" + (f": {detail}" if detail else ""), flush=True)
        self.passed += 1
        return True


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE).group(1)


def user_env(home: Path) -> dict[str, str]:
    """A user's environment with a fresh HOME: no settings of a previous run, no
    Python or Qt variables from the caller."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "QT_", "VIRTUAL_ENV", "XDG_", "DISPLAY", "WAYLAND"))
    }
    runtime = home / "runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    return env


def run(command: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> str:
    """Run a command; its stdout, or CheckError with its stderr's last line."""
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        typed = shlex.join([Path(command[0]).name, *command[1:]])
        raise CheckError(f"{typed} exited with status {done.returncode}: {last}")
    return done.stdout


# ---------------------------------------------------------------- the command line
def check_command_line(results: Results, program: list[str], env: dict, work: Path) -> None:
    """--version, --help, run and export, as a user types them."""
    version = project_version()

    def version_line() -> str:
        out = run([*program, "--version"], env, work).strip()
        if out != f"gdplayground {version}":
            raise CheckError(f"--version printed {out!r}, expected 'gdplayground {version}'")
        return out

    def help_text() -> str:
        out = run([*program, "--help"], env, work)
        if "run" not in out or "export" not in out:
            raise CheckError("--help does not mention run and export")
        return f"{len(out.splitlines())} lines"

    def run_json() -> str:
        data = json.loads(run([*program, "run", "rosenbrock", "--steps", "50"], env, work))
        runs = data["runs"]
        if not runs or any(len(r["points"]) != 51 or r["points"][0] != [-1.5, 2.0] for r in runs):
            raise CheckError("run rosenbrock: runs missing, or not 51 points from (-1.5, 2)")
        return f"{len(runs)} runs of 50 steps"

    results.check("--version", version_line)
    results.check("--help", help_text)
    results.check("run rosenbrock prints JSON", run_json)
    results.check("export PNG", lambda: export_png(program, env, work))
    results.check("export GIF", lambda: export_gif(program, env, work))
    results.check("export MP4 (ffmpeg)", lambda: export_mp4(program, env, work))


def export_png(program: list[str], env: dict, work: Path) -> str:
    out = work / "rosenbrock.png"
    run([*program, "export", "rosenbrock", "-o", str(out), "--size", "480x360"], env, work)
    with Image.open(out) as image:
        if image.format != "PNG" or image.size != (480, 360):
            raise CheckError(f"{out.name} is {image.format} {image.size}, expected PNG 480x360")
        share = coloured_fraction(image.convert("RGB"))
    if share < 0.2:
        raise CheckError(f"{out.name} is nearly blank ({share:.0%} coloured)")
    return f"480x360, {share:.0%} coloured"


def export_gif(program: list[str], env: dict, work: Path) -> str:
    out = work / "himmelblau.gif"
    command = [*program, "export", "himmelblau", "--start=0,0", "--steps", "40"]
    run([*command, "-o", str(out), "--size", "240x180", "--frames", "12"], env, work)
    with Image.open(out) as image:
        frames = getattr(image, "n_frames", 1)
        if image.format != "GIF" or frames < 2:
            raise CheckError(f"{out.name} is {image.format} with {frames} frame(s)")
    return f"{frames} frames"


def export_mp4(program: list[str], env: dict, work: Path) -> str:
    out = work / "himmelblau.mp4"
    command = [*program, "export", "himmelblau", "--start=0,0", "--steps", "40"]
    run([*command, "-o", str(out), "--size", "240x180", "--frames", "12"], env, work)
    head = out.read_bytes()[:12]
    if head[4:8] != b"ftyp":
        raise CheckError(f"{out.name} is not an MP4 file")
    return f"{out.stat().st_size} bytes"


# ---------------------------------------------------------------- desktop files
def validate_desktop_files(results: Results, share: Path) -> None:
    """desktop-file-validate and appstreamcli validate, where installed."""
    tools = (
        ("desktop-file-validate", [], share / "applications" / "gdplayground.desktop"),
        ("appstreamcli", ["validate", "--no-net"], share / "metainfo" / METAINFO),
    )
    for tool, args, path in tools:
        if shutil.which(tool) is None:
            print(f"skip {tool} {path.name}: {tool} is not installed", flush=True)
            continue

        def validate(tool: str = tool, args: list = args, path: Path = path) -> str:
            done = subprocess.run([tool, *args, str(path)], capture_output=True, text=True)
            if done.returncode != 0:
                raise CheckError((done.stdout + done.stderr).strip().replace("\n", " | "))
            return "valid"

        results.check(f"{tool} {path.relative_to(share.parent)}", validate)


# ---------------------------------------------------------------- the archive
def check_bundle(
    results: Results, archive: Path, work: Path, display: VirtualDisplay | None
) -> None:
    """Unpack the archive, install it with install.sh, use it, uninstall it."""
    home = work / "home-bundle"
    env = user_env(home)
    unpacked = work / "unpacked"
    with tarfile.open(archive) as tar:
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(unpacked, **extra)
    top = unpacked / archive.name.removesuffix(".tar.gz")
    validate_desktop_files(results, top / "share")
    prefix = work / "prefix"
    installed = results.check(
        "install.sh --prefix",
        lambda: install(top, prefix, env, work),
    )
    if not installed:
        return
    results.check("bundled libraries resolve", lambda: bundled_libraries(prefix))
    validate_desktop_files(results, prefix / "share")
    check_command_line(results, [str(prefix / "bin" / "gdplayground")], env, work)
    lesson = work / "lesson.gdp.json"
    lesson.write_text(json.dumps(LESSON), "utf-8")
    exec_line = desktop_exec(prefix / "share" / "applications" / "gdplayground.desktop", lesson)
    check_window(results, display, env, work, exec_line, "lesson.gdp.json", "bundle")
    results.check("install.sh --uninstall", lambda: uninstall(top, prefix, env, work))


def install(top: Path, prefix: Path, env: dict, work: Path) -> str:
    run(["sh", str(top / "install.sh"), "--prefix", str(prefix)], env, work, timeout=300)
    share = prefix / "share"
    desktop = (share / "applications" / "gdplayground.desktop").read_text("utf-8")
    if f'Exec="{prefix}/bin/gdplayground" %f' not in desktop:
        raise CheckError("the installed desktop entry's Exec does not name the launcher")
    for size in ICON_SIZES:
        path = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "gdplayground.png"
        with Image.open(path) as icon:
            if icon.size != (size, size) or coloured_fraction(icon.convert("RGB")) < 0.2:
                raise CheckError(f"icon {path.name} at {size}px is {icon.size} or blank")
    mime = "application/x-gdplayground-session"
    globs = share / "mime" / "globs2"
    note = "MIME database not built (no update-mime-database)"
    if shutil.which("update-mime-database"):
        if f"{mime}:*.gdp.json" not in globs.read_text("utf-8"):
            raise CheckError(f"{globs} does not map *.gdp.json to {mime}")
        note = f"*.gdp.json is {mime}"
    return f"launcher, menu entry, {len(ICON_SIZES)} icon sizes + SVG; {note}"


def bundled_libraries(prefix: Path) -> str:
    """Every library in the bundle finds what it links against (the host's
    Wayland client libraries aside: PyInstaller leaves those to the system)."""
    internal = prefix / "lib" / "gdplayground" / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": str(internal)}
    missing = set()
    libraries = [p for p in internal.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    for path in libraries:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        missing |= {
            line.split()[0]
            for line in out.splitlines()
            if "not found" in line and not line.strip().startswith("libwayland-")
        }
    if missing:
        raise CheckError(f"not found: {', '.join(sorted(missing))}")
    dangling = [p.name for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    if dangling:
        raise CheckError(f"links to nothing: {', '.join(sorted(dangling))}")
    return f"{len(libraries)} libraries"


def desktop_exec(desktop: Path, file: Path) -> list[str]:
    """The desktop entry's Exec line with %f replaced by ``file``, as a menu runs it."""
    line = next(x for x in desktop.read_text("utf-8").splitlines() if x.startswith("Exec="))
    return [str(file) if arg == "%f" else arg for arg in shlex.split(line[len("Exec=") :])]


def uninstall(top: Path, prefix: Path, env: dict, work: Path) -> str:
    run(["sh", str(top / "install.sh"), "--uninstall", "--prefix", str(prefix)], env, work)
    left = [
        p
        for p in (
            prefix / "bin" / "gdplayground",
            prefix / "lib" / "gdplayground",
            prefix / "share" / "applications" / "gdplayground.desktop",
        )
        if p.exists()
    ]
    if left:
        raise CheckError(f"still there: {', '.join(map(str, left))}")
    return "program, launcher and menu entry removed"


# ---------------------------------------------------------------- the wheel
def check_wheel(results: Results, wheel: Path, work: Path, display: VirtualDisplay | None) -> None:
    """Install the wheel into a fresh venv and use it from outside the repository."""
    env = user_env(work / "home-wheel")
    venv = work / "venv"
    installed = results.check(
        "pip install the wheel into a fresh venv", lambda: pip_install(wheel, venv, work)
    )
    if not installed:
        return
    results.check("package data from the venv", lambda: package_data(venv, env, work))
    check_command_line(results, [str(venv / "bin" / "gdplayground")], env, work)
    program = [str(venv / "bin" / "gdplayground")]
    check_window(results, display, env, work, program, "untitled", "wheel")


def pip_install(wheel: Path, venv: Path, work: Path) -> str:
    start = time.monotonic()
    run([sys.executable, "-m", "venv", str(venv)], dict(os.environ), work)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    run([*pip, str(wheel)], dict(os.environ), work, timeout=900)
    return f"{time.monotonic() - start:.0f} s"


def package_data(venv: Path, env: dict, work: Path) -> str:
    """The package and its resources load from the venv, not from the source tree."""
    code = (
        "import importlib.resources as r, gdplayground; "
        "print(gdplayground.__file__); "
        "print(r.files('gdplayground.resources').joinpath('presets.toml'))"
    )
    lines = run([str(venv / "bin" / "python"), "-c", code], env, work).split()
    outside = [path for path in lines if not path.startswith(str(venv))]
    if outside:
        raise CheckError(f"loaded from outside the venv: {', '.join(outside)}")
    if not Path(lines[1]).is_file():
        raise CheckError("presets.toml is not installed")
    return "gdplayground and gdplayground.resources are in the venv"


# ---------------------------------------------------------------- the window
def check_window(
    results: Results,
    display: VirtualDisplay | None,
    env: dict,
    work: Path,
    command: list[str],
    title: str,
    name: str,
) -> None:
    """Start ``command`` on the virtual display and check its window titled ``title``."""

    def window() -> str:
        if display is None:
            raise CheckError(f"install {' '.join(missing_tools())} (apt-get) to check the window")
        return "; ".join(WindowCheck(display, env, SHOTS).run(command, title, work, name))

    results.check(f"window ({name}: {shlex.join(Path(c).name for c in command)})", window)


def find_artefacts() -> tuple[Path | None, Path | None]:
    version = project_version()
    wheel = DIST / f"gdplayground-{version}-py3-none-any.whl"
    archive = DIST / f"gdplayground-{version}-linux-{platform.machine()}.tar.gz"
    return (wheel if wheel.is_file() else None, archive if archive.is_file() else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("bundle", "wheel"), help="check one of the two")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    wheel, archive = find_artefacts()
    wanted = {"bundle", "wheel"} if args.only is None else {args.only}
    if ("wheel" in wanted and wheel is None) or ("bundle" in wanted and archive is None):
        print("smoke_test: dist/ lacks the wheel or the archive of this version: run make dist")
        return 2
    results = Results()
    work = Path(tempfile.mkdtemp(prefix="gdp-smoke-"))
    start = time.monotonic()
    try:
        with contextlib.ExitStack() as stack:
            SHOTS.mkdir(parents=True, exist_ok=True)
            display = None
            if not missing_tools():
                display = stack.enter_context(VirtualDisplay(SHOTS / "xvfb.log"))
            if "bundle" in wanted:
                print(f"== {archive.relative_to(ROOT)}", flush=True)
                check_bundle(results, archive, work, display)
            if "wheel" in wanted:
                print(f"== {wheel.relative_to(ROOT)}", flush=True)
                check_wheel(results, wheel, work, display)
    finally:
        if args.keep:
            print(f"scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"smoke test took {time.monotonic() - start:.0f} s; screenshots in build/smoke/")
    print(f"{results.passed} passed, {len(results.failed)} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
