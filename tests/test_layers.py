"""The layers import downwards only (read from the source with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: lowest first: a module may import its own layer and those below it
LAYERS = ("collectors", "graph", "viz", "paperweb")
#: modules of the top package every layer may use: the error tree and the version
SHARED = {"paperweb", "paperweb.errors"}


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
