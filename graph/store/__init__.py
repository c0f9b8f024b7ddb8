"""The one door to the database: the only package that imports duckdb or holds SQL.

``connection`` opens the file and loads records; ``schema`` holds the tables; every other
module holds the SQL of one table family and the functions that run it:

- ``papers``: papers, sources, links and keywords as the build stages read them
- ``analysis``: the numbered graph and community keywords the metrics read
- ``enrichment``: repos, renamed repositories, cited-by counts
- ``citations``: the ``references`` and ``works`` tables (the most cited outside works)
- ``layout``, ``report``, ``page``, ``explore``, ``export``: what each of those reads
- ``cache``: the ``http_cache`` table of online answers
- ``check``: the sandboxed connection settings and the check that a file holds paperweb's tables
- ``rebuild``: a build into a new file renamed over the old one (the only commit point)
- ``memory``: the build's memory budget (sizes, the machine's memory; no SQL)
"""

from __future__ import annotations

from graph.store.connection import Store, open_store, release_memory, tune_allocator
from graph.store.memory import default_memory_limit, parse_size
from graph.store.rebuild import rebuilding
from graph.store.schema import GRAPH_TABLES, SCHEMA

__all__ = [
    "GRAPH_TABLES",
    "SCHEMA",
    "Store",
    "default_memory_limit",
    "open_store",
    "parse_size",
    "rebuilding",
    "release_memory",
    "tune_allocator",
]
