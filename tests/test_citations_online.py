"""`build --online` keeps every reference from Semantic Scholar and OpenAlex, names the most cited
outside works with one batched OpenAlex lookup, and `--expand N` adds them as papers.

The services are a handler behind httpx.MockTransport (hand-made answers in the services'
shapes); the cache makes a second run ask nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import duckdb
import httpx
import pytest

from collectors.services import HttpSettings
from paperweb.errors import UsageError
from paperweb.pipeline import BuildOptions, build
from tests.fake_hub import openalex_work

ARXIV = {f"P{n}": f"2401.0000{n}" for n in range(1, 5)}
TITLES = {
    "P1": "Sparse Routing for Tiny Graphs",
    "P2": "Token Budgets in Small Transformers",
    "P3": "Token Budgets for Graph Readers",
    "P4": "A Note on Protein Loops",
}
OUT_A = {"paperId": "sA", "externalIds": {"DOI": "10.9/A"}, "title": "Outside Work A", "year": 2019}
OUT_B = {"paperId": "sB", "externalIds": {}, "title": "Outside Work B", "year": 2018}
OUT_C = {"paperId": "sC", "externalIds": {}, "title": "Outside Work C", "year": 2020}
S2_REFS = {
    "P1": [{"paperId": "s2-P2", "externalIds": {"ArXiv": ARXIV["P2"]}}, OUT_A, OUT_B],
    "P2": [OUT_A, OUT_B, OUT_C],
    "P3": [OUT_A, OUT_B, OUT_C],
    "P4": [OUT_A],
}
OA_REFS = {"P1": ["W2", "W900"], "P2": ["W900", "W901"], "P3": ["W900", "W901"], "P4": ["W900"]}


def _s2(pid: str) -> dict[str, Any]:
    return {
        "paperId": f"s2-{pid}",
        "externalIds": {"ArXiv": ARXIV[pid]},
        "title": TITLES[pid],
        "citationCount": 5,
        "references": S2_REFS[pid],
    }


CORPUS_WORKS = {
    f"10.48550/arxiv.{ARXIV[p]}": openalex_work(
        f"W{p[1]}", TITLES[p], f"10.48550/arXiv.{ARXIV[p]}", r
    )
    for p, r in OA_REFS.items()
}
OUTSIDE_WORKS = {
    "W900": openalex_work(
        "W900",
        "Outside Work A",
        "10.9/a",
        ["W3"],
        year=2019,
        abstract_inverted_index={
            "Code": [0],
            "at": [1],
            "https://github.com/example-lab/outa": [2],
        },
        primary_topic={"display_name": "Sparse Models"},
    ),
    "W901": openalex_work("W901", "Outside Work D", None, [], year=2017),
}
S2_EXPANDED = {
    "sB": {
        **OUT_B,
        "abstract": "Token budgets for readers of graphs.",
        "authors": [{"name": "B. Writer"}],
        "references": [{"paperId": "s2-P3", "externalIds": {"ArXiv": ARXIV["P3"]}}],
    }
}


class Services:
    """The fake Semantic Scholar and OpenAlex (everything else: 404), counting requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.host}{request.url.path}")
        if request.url.path.endswith("/paper/batch"):
            ids = json.loads(request.content)["ids"]
            if "abstract" in request.url.params["fields"]:
                return httpx.Response(200, json=[S2_EXPANDED.get(i) for i in ids])
            by_arxiv = {f"ARXIV:{a}": p for p, a in ARXIV.items()}
            return httpx.Response(
                200, json=[_s2(by_arxiv[i]) if i in by_arxiv else None for i in ids]
            )
        if request.url.path == "/works":
            field, _, values = parse_qs(request.url.query.decode())["filter"][0].partition(":")
            wanted = values.lower().split("|")
            pool = CORPUS_WORKS if field == "doi" else OUTSIDE_WORKS
            found = [w for key, w in pool.items() if key.lower() in wanted]
            return httpx.Response(200, json={"meta": {"count": len(found)}, "results": found})
        return httpx.Response(404, json={"error": "Not Found"})


def _build(tmp: Path, services: Services, **options: Any) -> None:
    inputs = tmp / "papers.json"
    inputs.write_text(
        json.dumps([{"title": TITLES[p], "arxiv_id": a} for p, a in ARXIV.items()]),
        encoding="utf-8",
    )
    settings = HttpSettings(sleep=lambda s: None, pacing=0.0, jitter=lambda: 0.0)
    build(
        [inputs],
        BuildOptions(
            db=tmp / "p.duckdb",
            out=tmp / "out",
            online=True,
            http=settings,
            http_transport=httpx.MockTransport(services),
            **options,
        ),
    )


def _query(tmp: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp / "p.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_online_keeps_every_reference_and_names_outside_works(tmp_path: Path) -> None:
    """Both services' lists land in references; W900 gets its DOI from the batched lookup and
    so is one work with S2's 10.9/a; a second run asks nothing."""
    services = Services()
    _build(tmp_path, services)
    lookups = [r for r in services.requests if r.endswith("/works")]
    assert len(lookups) == 2  # the corpus DOIs, then the most cited outside W ids
    works = _query(
        tmp_path, "SELECT work_key, openalex_id, s2_id, title, cited_by FROM works ORDER BY 1"
    )
    assert works == [
        ("doi:10.9/a", "W900", "sA", "Outside Work A", 4),
        ("openalex:W901", "W901", None, "Outside Work D", 2),
        ("s2:sB", None, "sB", "Outside Work B", 3),
        ("s2:sC", None, "sC", "Outside Work C", 2),
    ]
    assert _query(tmp_path, "SELECT node_id, label FROM nodes WHERE kind = 'work' ORDER BY 1") == [
        ("doi:10.9/a", "Outside Work A"),
        ("s2:sB", "Outside Work B"),
    ]
    cites = _query(
        tmp_path,
        "SELECT s.title, d.title, e.evidence FROM edges e JOIN papers s ON s.paper_id = e.src "
        "JOIN papers d ON d.paper_id = e.dst WHERE e.kind = 'cites'",
    )
    assert cites == [(TITLES["P1"], TITLES["P2"], "OpenAlex reference; Semantic Scholar reference")]
    # 10.9/a is cited by all four papers (a hub of this corpus); P2 and P3 share sB, sC, W901.
    coupling = _query(
        tmp_path,
        "SELECT s.title, d.title, e.weight FROM edges e JOIN papers s ON s.paper_id = e.src "
        "JOIN papers d ON d.paper_id = e.dst WHERE e.kind = 'coupling'",
    )
    assert [(frozenset(r[:2]), r[2]) for r in coupling] == [
        (frozenset((TITLES["P2"], TITLES["P3"])), 1.0)
    ]
    asked = len(services.requests)
    before = _query(tmp_path, 'SELECT * FROM "references" ORDER BY ALL')
    _build(tmp_path, services)
    assert len(services.requests) == asked
    assert _query(tmp_path, 'SELECT * FROM "references" ORDER BY ALL') == before


def test_expand_adds_the_most_cited_outside_works_as_papers(tmp_path: Path) -> None:
    """--expand 2 adds Outside Work A (OpenAlex, with its code link and topic) and B (S2); the
    corpus references now land on them, and theirs on the corpus."""
    services = Services()
    _build(tmp_path, services, expand=2)
    titles = {t for (t,) in _query(tmp_path, "SELECT title FROM papers")}
    assert titles == {*TITLES.values(), "Outside Work A", "Outside Work B"}
    assert _query(tmp_path, "SELECT count(*) FROM nodes WHERE kind = 'work'") == [(0,)]
    cited = _query(
        tmp_path,
        "SELECT d.title, count(*) FROM edges e JOIN papers d ON d.paper_id = e.dst "
        "WHERE e.kind = 'cites' GROUP BY 1 ORDER BY 1",
    )
    assert cited == [
        ("Outside Work A", 4),
        ("Outside Work B", 3),
        (TITLES["P3"], 2),  # from Outside Work A (W3) and Outside Work B
        (TITLES["P2"], 1),
    ]
    assert _query(
        tmp_path,
        "SELECT l.target FROM links l JOIN papers p USING (paper_id) WHERE p.title = 'Outside Work A'",
    ) == [("github.com/example-lab/outa",)]
    assert _query(
        tmp_path,
        "SELECT k.keyword FROM keywords k JOIN papers p USING (paper_id) "
        "WHERE p.title = 'Outside Work A' AND k.origin = 'openalex'",
    ) == [("sparse models",)]


def test_expand_needs_online(tmp_path: Path) -> None:
    """--expand without --online is a usage error before anything is read."""
    with pytest.raises(UsageError, match="--expand"):
        build([tmp_path], BuildOptions(db=tmp_path / "p.duckdb", expand=3))
