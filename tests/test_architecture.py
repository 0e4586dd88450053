"""Layers point one way, the core stays free of Qt, user text never reaches eval and friends.

The import graph is read from the source (every import, also those inside
functions, but not those under ``if TYPE_CHECKING:``), so a lazy import
cannot hide a dependency that runs the wrong way.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gdplayground"

#: (importer prefix, imported prefix): modules under the first may not import the second.
FORBIDDEN = [
    ("gdplayground.io", "gdplayground.core"),
    ("gdplayground.io", "gdplayground.model"),
    ("gdplayground.io", "gdplayground.qt"),
    ("gdplayground.io", "gdplayground.export"),
    ("gdplayground.io", "gdplayground.cli"),
    ("gdplayground.core", "gdplayground.qt"),
    ("gdplayground.core", "gdplayground.export"),
    ("gdplayground.core", "gdplayground.cli"),
    ("gdplayground.model", "gdplayground.qt"),
    ("gdplayground.model", "gdplayground.export"),
    ("gdplayground.model", "gdplayground.cli"),
    ("gdplayground.export", "gdplayground.cli"),
    ("gdplayground.qt", "gdplayground.cli"),
]
#: The model uses the core's language and optimizer catalogue only (to check what
#: is typed): for a fit to data that is the fit's language (model and loss over the
#: data's names) and what names the data (built-in sets' columns, a CSV's header);
#: everything that computes from a session lives in the core, above it.
MODEL_MAY_USE = (
    "gdplayground.core.expression",
    "gdplayground.core.optimizers",
    "gdplayground.core.data.fit",
    "gdplayground.core.data.dataset",
    "gdplayground.core.data.generators",
    "gdplayground.core.data.csv_files",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the package modules it imports at run time."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = _runtime_imports(tree, name, path.name == "__init__.py")
        graph[name] = {m for m in imported if m in files and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def _is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_no_import_cycle_inside_the_package() -> None:
    assert _cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_layers_point_one_way() -> None:
    wrong = [
        f"{importer} imports {imported}"
        for importer, imports in import_graph().items()
        for imported in imports
        for low, high in FORBIDDEN
        if _is_under(importer, low) and _is_under(imported, high)
    ]
    assert wrong == []


def test_the_model_uses_only_the_language_and_the_optimizer_catalogue_of_the_core() -> None:
    wrong = [
        f"{importer} imports {imported}"
        for importer, imports in import_graph().items()
        if _is_under(importer, "gdplayground.model")
        for imported in imports
        if _is_under(imported, "gdplayground.core")
        and not any(_is_under(imported, allowed) for allowed in MODEL_MAY_USE)
    ]
    assert wrong == []


def test_nothing_below_the_command_line_imports_it() -> None:
    wrong = [
        importer
        for importer, imports in import_graph().items()
        if not _is_under(importer, "gdplayground.cli") and importer != "gdplayground.__main__"
        if any(_is_under(m, "gdplayground.cli") for m in imports)
    ]
    assert wrong == []


def test_core_does_not_load_qt_or_pyqtgraph() -> None:
    code = (
        "import sys, pkgutil, importlib, gdplayground.core as core, gdplayground.model as model\n"
        "for package in (core, model):\n"
        "    for m in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "import gdplayground.cli, gdplayground.cli.run, gdplayground.export.data\n"
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
