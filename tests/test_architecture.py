"""The core stays free of Qt, and user text never reaches eval and friends."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gdplayground"


def test_core_does_not_load_qt_or_pyqtgraph() -> None:
    code = (
        "import sys, pkgutil, importlib, gdplayground.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'gdplayground.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import gdplayground.cli, gdplayground.commands, gdplayground.export.data\n"
        "import gdplayground.export.explore_data\n"
        "qt = ('PySide6', 'pyqtgraph', 'OpenGL')\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_no_eval_exec_sympify_or_parse_expr_in_the_package() -> None:
    pattern = re.compile(r"\b(eval|exec|sympify|parse_expr)\(")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
