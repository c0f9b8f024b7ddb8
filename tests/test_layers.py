"""The layers import downwards only, and only the store talks to DuckDB (read from the source)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: lowest first: a module may import its own layer and those below it
LAYERS = ("collectors", "graph", "viz", "paperweb")
#: modules of the top package every layer may use: the error tree and the version
SHARED = {"paperweb", "paperweb.errors"}
#: the only package that may import duckdb or hold SQL statements
STORE = "graph.store"


def _modules() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_layers_import_only_downwards(path: Path) -> None:
    """collectors/ -> graph/ -> viz/ -> paperweb/: no module imports a layer above its own."""
    own = LAYERS.index(_name(path).split(".")[0])
    upward = sorted(
        name
        for name in _imports(path)
        if name.split(".")[0] in LAYERS
        and name not in SHARED
        and LAYERS.index(name.split(".")[0]) > own
    )
    assert upward == []


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_only_the_store_imports_duckdb(path: Path) -> None:
    """duckdb is imported in graph/store/ and nowhere else in the packages."""
    name = _name(path)
    if name == STORE or name.startswith(STORE + "."):
        return
    assert not any(imp.split(".")[0] == "duckdb" for imp in _imports(path))


_SQL_START = (
    "SELECT ",
    "WITH ",
    "INSERT ",
    "CREATE ",
    "DELETE ",
    "UPDATE ",
    "COPY ",
    "DROP ",
    "ALTER ",
)


def _sql_strings(path: Path) -> list[str]:
    """String constants that read as SQL statements (docstrings and help texts aside)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.split())
            if text.upper().startswith(_SQL_START) and any(
                word in text.upper() for word in (" FROM ", " TABLE ", " INTO ", " SET ")
            ):
                found.append(text[:60])
    return found


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_only_the_store_holds_sql(path: Path) -> None:
    """SQL statements live in graph/store/; other modules call its functions."""
    name = _name(path)
    if name == STORE or name.startswith(STORE + "."):
        return
    assert _sql_strings(path) == []


def test_sql_check_sees_the_store_sql() -> None:
    """The SQL detector finds the statements of the store itself (so it can fail)."""
    store = ROOT / "graph" / "store"
    assert sum(len(_sql_strings(p)) for p in store.rglob("*.py")) > 50


def test_the_build_loads_matplotlib_only_to_draw() -> None:
    # Half a second of every build's start-up: only the process drawing pictures pays it.
    code = (
        "import sys, paperweb.cli, paperweb.pipeline, graph.metrics, graph.layout\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib loaded'\n"
        "from graph.ig import ig\n"
        "import matplotlib.pyplot\n"
        "print(ig.Graph.Famous('Zachary').vcount())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "34"
