"""What the commands do over a built database, shared by ``build`` and the re-rendering
commands (top layer: it joins ``graph/`` and ``viz/``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graph.layout import DEFAULT_MAX_PAPERS, DrawnSet
from graph.store import Store
from viz.page import write_graph_page
from viz.page_data import PageData, load_page_inputs, page_data

__all__ = ["DEFAULT_DB", "write_page"]

#: the database every command uses without ``--db`` (or ``$PAPERWEB_DB``)
DEFAULT_DB = Path("out/paperweb.duckdb")


def write_page(
    store: Store,
    path: Path,
    max_nodes: int = DEFAULT_MAX_PAPERS,
    kinds: Sequence[str] | None = None,
    drawn: DrawnSet | None = None,
) -> tuple[Path, PageData]:
    """Draw the database's HTML page (what ``build`` writes and ``view`` re-renders);
    ``drawn`` is the set of nodes to draw when already chosen for these caps."""
    data = page_data(load_page_inputs(store, max_nodes, kinds, drawn=drawn))
    return write_graph_page(data, path), data
