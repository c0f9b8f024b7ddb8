"""Coupling and co-citation edges from (row, column) name pairs, for tests.

The build makes these edges in SQL-numbered batches (``graph.stages``) through
:func:`graph.coupling.salton_edge_columns`; the tests state their cases as name pairs, and
these functions number them and call the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import numpy as np
from scipy import sparse

from graph.coupling import MIN_COUPLING, binary_matrix, salton_edge_columns
from graph.linkgraph import EdgeRow


def _numbered(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], list[str], sparse.csr_matrix]:
    """Row names, column names and the binary matrix of (row, column) name pairs."""
    rows: dict[str, int] = {}
    columns: dict[str, int] = {}
    a: list[int] = []
    b: list[int] = []
    for row, column in pairs:
        a.append(rows.setdefault(row, len(rows)))
        b.append(columns.setdefault(column, len(columns)))
    matrix = binary_matrix(
        np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), (len(rows), len(columns))
    )
    return list(rows), list(columns), matrix


def _edges(
    kind: str,
    what: str,
    pairs: Iterable[tuple[str, str]],
    label: dict[str, str],
    k: int = 10,
    min_cosine: float = MIN_COUPLING,
) -> list[EdgeRow]:
    """Edges between the rows of (row, column) pairs by the columns they share, named by ``label``."""
    names, columns, matrix = _numbered(pairs)
    if not names:
        return []
    labels = [label.get(c, c) for c in columns]
    e = salton_edge_columns(kind, what, matrix, names, labels, k, min_cosine)
    weights, evidence = e["weight"].tolist(), e["evidence"].to_pylist()
    return [
        EdgeRow(*values)
        for values in zip(e["src"], e["dst"], e["kind"], weights, evidence, strict=True)
    ]


#: ``coupling`` edges from (citing paper, work key) pairs; evidence names the shared works
coupling_edges = partial(_edges, "coupling", "shared references")


def cocited_edges(
    cites: Iterable[tuple[str, str]], label: dict[str, str], **knobs: Any
) -> list[EdgeRow]:
    """``cocited`` edges from (citing, cited) corpus pairs; evidence names the co-citing papers."""
    pairs = ((cited, citing) for citing, cited in cites if citing != cited)
    return _edges("cocited", "papers citing both", pairs, label, **knobs)
