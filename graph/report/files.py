"""Write the report's files: report.md with its pictures, report.json and the CSV tables."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from graph.figures import FIGURE_FILES, DrawnFigure, FigureInputs
from graph.outputs import atomic_write_text
from graph.parallel import SharedClaims, background
from graph.report.data import PAPER_COLUMNS, report_data
from graph.report.maps import figure_inputs
from graph.report.markdown import render_markdown
from graph.store import Store
from graph.store import report as q
from paperweb.errors import UsageError

__all__ = ["REPORT_FORMATS", "PictureHelper", "picture_helper", "write_report", "writing_report"]

REPORT_FORMATS = ("md", "json", "csv")
#: lists longer than this are written one item per line in report.json
LONG_LIST = 100
#: most items report.json holds of each list that grows with the corpus (papers, linked
#: nodes, communities): 372 MB of JSON at 1M papers is a file nobody opens. The whole
#: lists are in the CSVs and the database; ``lists`` in the file says what was kept.
JSON_CAP = 1000
#: list -> (its order, where the whole list is)
CAPPED_LISTS = {
    "papers": ("PageRank, highest first", "report_papers.csv; the papers and metrics tables"),
    "linked": (
        "papers linking the node, most first; the cap applies to each kind",
        "report_linked.csv; the nodes and edges tables",
    ),
    "communities": (
        "community number (largest first, the gathered group last)",
        "report_communities.csv; the communities table",
    ),
}


COMMUNITY_COLUMNS = [
    "community",
    "label",
    "size",
    "size_rank",
    "coverage",
    "internal_weight",
    "external_weight",
    "is_other",
]
BRIDGE_COLUMNS = ["paper_id", "title", "community", "label", "own", "edges", "weight", "share"]
LINKED_COLUMNS = [
    "node_id",
    "kind",
    "papers",
    "rank",
    "of",
    "paper_pagerank",
    "top_paper",
    "stars",
    "archived",
]


def _capped(data: dict[str, Any], cap: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report's data with the lists of :data:`CAPPED_LISTS` cut to ``cap`` items (the
    linked nodes to ``cap`` of each kind), and what each list holds against its total."""
    kept = dict(data)
    linked = data["linked"]
    seen: dict[str, int] = {}
    kept["linked"] = []
    for row in linked:  # most papers first
        seen[row["kind"]] = seen.get(row["kind"], 0) + 1
        if seen[row["kind"]] <= cap:
            kept["linked"].append(row)
    kept["communities"] = data["communities"][:cap]
    totals = {"papers": len(data["papers"]), "linked": len(linked)}
    totals["communities"] = len(data["communities"])
    lists = {
        name: {
            "total": totals[name],
            "included": min(totals[name], cap) if name == "papers" else len(kept[name]),
            "cap": cap,
            "order": order,
            "complete_in": where,
        }
        for name, (order, where) in CAPPED_LISTS.items()
    }
    return kept, lists


def _json(data: dict[str, Any], paper_lines: Sequence[str], cap: int) -> str:
    """report.json: indented, except that long lists (the papers, ``paper_lines`` already
    encoded, and the linked nodes) take a line per item. An indented dump runs in json's
    pure-Python encoder, many times slower than the C one a compact dump uses. Lists
    that grow with the corpus are capped (see :data:`JSON_CAP`), and ``lists`` says so."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    data, lists = _capped(data, cap)
    parts = [f'"lists": {json.dumps(lists, ensure_ascii=False, indent=1)}']
    for key, value in data.items():
        if key == "papers":
            body = "[\n" + ",\n".join(paper_lines) + "\n]"
        elif isinstance(value, list) and len(value) > LONG_LIST:
            body = "[\n" + ",\n".join(map(encode, value)) + "\n]"
        else:
            body = json.dumps(value, ensure_ascii=False, indent=1, default=str)
        parts.append(f"{json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _arrow_csv(table: pa.Table) -> str:
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue().decode("utf-8")


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row.get(c) for c in columns] for row in rows)
    return buffer.getvalue()


def write_report(
    store: Store, out: Path, formats: Sequence[str] = REPORT_FORMATS, **options: Any
) -> list[Path]:
    """Write the report files into ``out`` (atomically) in one process; return their paths.

    ``options`` are :func:`writing_report`'s: ``figures=False`` skips the pictures (they
    belong to the Markdown), ``json_cap`` bounds the papers, communities and linked nodes
    of each kind that report.json holds.
    """
    with writing_report(store, out, formats, **options) as finish:
        return finish()


@contextmanager
def writing_report(
    store: Store,
    out: Path,
    formats: Sequence[str] = REPORT_FORMATS,
    *,
    figures: bool = True,
    json_cap: int = JSON_CAP,
    workers: int = 1,
    helper: PictureHelper | None = None,
) -> Iterator[Callable[[], list[Path]]]:
    """:func:`write_report`, its pictures drawn in a forked process while the block runs.

    Drawing is a second or more of matplotlib that needs nothing of the database once
    its inputs are read, so with ``workers`` >= 2 the build writes the page meanwhile.
    ``helper`` (from :func:`picture_helper`) draws them instead of a process forked here.
    Everything the files need is read from the store before the block; the block gets
    a call that waits for the pictures, writes the files and returns their paths.
    """
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown:
        raise UsageError(
            f"unknown report format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}"
        )
    data = report_data(store)
    if not figures:
        data["figures"] = []
    planned = [DrawnFigure(**f) for f in data["figures"]] if "md" in formats else []
    inputs = figure_inputs(store, data) if planned else None
    job = _Pictures(inputs, out, planned)
    with ExitStack() as stack:
        # The pictures first: they take the longest.
        if helper is not None:
            helper.send(job if planned else None)
            claims, drawn = helper.claims, helper.drawn
        else:
            claims = SharedClaims(len(planned))
            drawn = stack.enter_context(
                background(_draw_front, (job, claims), workers if planned else 1, inherit=True)
            )
        # What the files need of the database is read now; the block may use the store.
        lines = q.papers_json_lines(store, json_cap) if "json" in formats else []
        table = q.ranked_papers(store, PAPER_COLUMNS) if "csv" in formats else None

        def finish() -> list[Path]:
            written = []
            if planned:
                # Pictures the helper has not started yet are drawn here rather than
                # waited for, unless matplotlib would first have to load here (half a
                # second, about what the helper's last picture takes); report.json lists
                # the pictures drawn, so it waits for them.
                here = helper is None or "matplotlib" in sys.modules
                mine = _draw(job, claims.back(len(planned))) if here else []
                pictures = [f for _, f in sorted([*drawn(), *mine])]
                data["figures"] = [f.as_dict() for f in pictures]
                written += [out / f.file for f in pictures]
            if "md" in formats:
                written.append(out / "report.md")
                atomic_write_text(written[-1], render_markdown(data))
            return written + _write_tables(out, formats, data, lines, table, json_cap)

        yield finish


@dataclass(frozen=True, slots=True)
class _Pictures:
    """The report's pictures to draw, shared out between the helper and the build."""

    inputs: FigureInputs | None
    out: Path
    planned: list[DrawnFigure]


def _draw_front(task: tuple[_Pictures, SharedClaims]) -> list[tuple[int, DrawnFigure]]:
    job, claims = task
    return _draw(job, claims.front(len(job.planned)))


@dataclass(slots=True)
class PictureHelper:
    """A forked process that has loaded matplotlib and waits for the report's pictures."""

    jobs: Connection
    claims: SharedClaims
    drawn: Callable[[], list[tuple[int, DrawnFigure]]]
    sent: bool = False

    def send(self, job: _Pictures | None) -> None:
        """Hand the helper its pictures (None: there are none), once."""
        if not self.sent:
            self.sent = True
            self.jobs.send(job)


@contextmanager
def picture_helper(workers: int) -> Iterator[PictureHelper | None]:
    """A helper for :func:`writing_report`, forked now so that matplotlib (half a second
    to import) loads while this process goes on with other work, e.g. the map's layout;
    None with fewer than two ``workers`` (or no ``fork``), when the pictures are drawn here.

    The helper draws what the block's :func:`writing_report` sends it; leaving the block
    without one tells it to stop.
    """
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    claims = SharedClaims(len(FIGURE_FILES))
    with background(_wait_and_draw, (theirs, ours, claims), workers, inherit=True) as drawn:
        theirs.close()  # the helper holds its end now
        helper = PictureHelper(ours, claims, drawn)
        try:
            yield helper
        finally:
            # A helper already gone (Ctrl-C reaches it too) must not hide why.
            with suppress(OSError):
                helper.send(None)
            ours.close()


def _wait_and_draw(
    task: tuple[Connection, Connection, SharedClaims],
) -> list[tuple[int, DrawnFigure]]:
    jobs, other_end, claims = task
    other_end.close()
    import graph.pictures  # noqa: F401  (loaded before the pictures are asked for)

    job: _Pictures | None = jobs.recv()
    return [] if job is None else _draw(job, claims.front(len(job.planned)))


def _draw(job: _Pictures, taken: Iterable[int]) -> list[tuple[int, DrawnFigure]]:
    """The pictures of ``taken`` numbers that could be drawn, each with its number."""
    if job.inputs is None:
        return []
    # Here, not at the top: matplotlib loads only in a process that draws (half a second
    # of the build's start-up otherwise, in the process that mostly does not).
    from graph.pictures import draw_figures

    return [
        (index, figure)
        for index in taken
        for figure in draw_figures(job.inputs, job.out, [job.planned[index]])
    ]


def _write_tables(
    out: Path,
    formats: Sequence[str],
    data: dict[str, Any],
    lines: list[str],
    table: pa.Table | None,
    json_cap: int,
) -> list[Path]:
    """report.json and the CSV tables (those of ``formats``); their paths."""
    written = []
    if "json" in formats:
        written.append(out / "report.json")
        atomic_write_text(written[-1], _json(data, lines, json_cap))
    if "csv" in formats and table is not None:
        written.append(out / "report_papers.csv")
        atomic_write_text(written[-1], _arrow_csv(table))
        written.append(out / "report_communities.csv")
        atomic_write_text(written[-1], _csv(data["communities"], COMMUNITY_COLUMNS))
        spread = [
            {"paper_id": p["paper_id"], "title": p["title"], **entry}
            for p in data["bridges"]
            for entry in p["spread"]
        ]
        written.append(out / "report_bridges.csv")
        atomic_write_text(written[-1], _csv(spread, BRIDGE_COLUMNS))
        written.append(out / "report_linked.csv")
        atomic_write_text(written[-1], _csv(data["linked"], LINKED_COLUMNS))
    return written
