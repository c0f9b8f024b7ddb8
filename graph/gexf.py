"""GEXF 1.2 written straight from the store's Arrow batches (issue 17).

The file is what ``nx.write_gexf`` writes for :func:`graph.export.graph_from_store`'s graph
(the same attributes, types, edge ids and ``networkx_key``, so ``nx.read_gexf`` gives the
same graph back), without building that graph or an ElementTree of the whole file: at 100k
papers those took 41 s of CPU and 2.5 GB (bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO, Any
from xml.sax.saxutils import escape

import pyarrow as pa

from graph.store import Store
from graph.store import export as export_sql
from graph.store.export import INTEGER_METRICS

__all__ = ["write_gexf"]

#: the node table's columns that are not attributes: the id, and the label GEXF holds itself
_OWN = ("node_id", "label")
_EDGE_ATTRIBUTES = ("kind", "evidence", "networkx_key")
# Parsers turn a raw tab or line break inside an attribute into a space: keep them as
# character references, as ElementTree writes them.
_QUOTE = {'"': "&quot;", "\t": "&#09;", "\n": "&#10;", "\r": "&#13;"}


def _attr(value: object) -> str:
    return escape(str(value), _QUOTE)


def _type(name: str, arrow: pa.DataType) -> str:
    if name in INTEGER_METRICS or pa.types.is_integer(arrow):
        return "long"
    return "double" if pa.types.is_floating(arrow) else "string"


def _declare(klass: str, attributes: list[tuple[int, str, str]]) -> str:
    lines = [f'    <attributes mode="static" class="{klass}">\n']
    lines += [
        f'      <attribute id="{i}" title="{_attr(title)}" type="{kind}" />\n'
        for i, title, kind in attributes
    ]
    return "".join(lines) + "    </attributes>\n"


def _value(kind: str, value: Any) -> str:
    if kind == "long":
        return str(int(value))
    return str(float(value)) if kind == "double" else _attr(value)


def _attvalues(values: list[tuple[int, str, Any]]) -> str:
    if not values:
        return ""
    parts = [f'          <attvalue for="{i}" value="{v}" />\n' for i, _, v in values]
    return "        <attvalues>\n" + "".join(parts) + "        </attvalues>\n"


def _nodes(
    batches: Iterator[pa.RecordBatch], names: list[str], kinds: dict[str, str]
) -> Iterator[str]:
    ids = {name: i for i, name in enumerate(names)}
    for batch in batches:
        columns = {name: batch.column(name).to_pylist() for name in batch.schema.names}
        out = []
        for row in range(batch.num_rows):
            label = columns["label"][row]
            head = f'      <node id="{_attr(columns["node_id"][row])}"'
            head += f' label="{_attr(label)}">\n' if label is not None else ">\n"
            values = [
                (ids[name], kinds[name], _value(kinds[name], columns[name][row]))
                for name in names
                if columns[name][row] is not None
            ]
            out.append(head + _attvalues(values) + "      </node>\n")
        yield "".join(out)


def _edges(batches: Iterator[pa.RecordBatch], first: int) -> Iterator[str]:
    number = 0
    for batch in batches:
        src, dst, kind, weight, evidence = (
            batch.column(name).to_pylist() for name in ("src", "dst", "kind", "weight", "evidence")
        )
        out = []
        for row in range(batch.num_rows):
            values = [(first, "", _attr(kind[row]))]
            if evidence[row] is not None:
                values.append((first + 1, "", _attr(evidence[row])))
            values.append((first + 2, "", f"e{number}"))
            out.append(
                f'      <edge source="{_attr(src[row])}" target="{_attr(dst[row])}" '
                f'id="{number}" weight="{float(weight[row])}">\n'
                + _attvalues(values)
                + "      </edge>\n"
            )
            number += 1
        yield "".join(out)


def write_gexf(store: Store, handle: IO[bytes]) -> None:
    """Write the whole typed graph as GEXF to a binary ``handle``, a batch of rows at a time."""
    batches = export_sql.node_batches(store)
    first = next(batches, None)
    schema = first.schema if first is not None else pa.schema([])
    names = [name for name in schema.names if name not in _OWN]
    kinds = {name: _type(name, schema.field(name).type) for name in names}
    node_attributes = [(i, name, kinds[name]) for i, name in enumerate(names)]
    edge_first = len(names)
    edge_attributes = [(edge_first + i, name, "string") for i, name in enumerate(_EDGE_ATTRIBUTES)]
    handle.write(
        (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            '<gexf xmlns="http://www.gexf.net/1.2draft" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
            'version="1.2">\n'
            f'  <meta lastmodifieddate="{date.today().isoformat()}">\n'
            "    <creator>paperweb</creator>\n  </meta>\n"
            '  <graph defaultedgetype="directed" mode="static" name="">\n'
            + _declare("edge", edge_attributes)
            + _declare("node", node_attributes)
            + "    <nodes>\n"
        ).encode("utf-8")
    )
    if first is not None:
        for text in _nodes(_chain(first, batches), names, kinds):
            handle.write(text.encode("utf-8"))
    handle.write(b"    </nodes>\n    <edges>\n")
    for text in _edges(export_sql.edge_batches(store), edge_first):
        handle.write(text.encode("utf-8"))
    handle.write(b"    </edges>\n  </graph>\n</gexf>\n")


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest
