"""`build --online --expand 5` adds the five outside works most corpus papers cite, each a paper
with its title, links and keywords, whichever service knows it and whatever ids it has.

Six corpus papers (arXiv ids) cite seven outside works through OpenAlex ``referenced_works``
and Semantic Scholar ``references``: by W id (one without any DOI or arXiv id), by DOI
alone, by S2 id alone, by S2 id with an arXiv id. The services are a handler behind
httpx.MockTransport answering in their real shapes (invented titles and abstracts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import duckdb
import httpx

from collectors.services import HttpSettings
from collectors.snowball import EXPAND_SOURCE
from paperweb.pipeline import BuildOptions, build
from tests.fake_hub import openalex_work

CORPUS = {
    f"C{n}": (f"2402.0100{n}", f"Corpus Paper Number {n} on Graph Sparsity") for n in range(1, 7)
}


def _inverted(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for at, word in enumerate(text.split()):
        index.setdefault(word, []).append(at)
    return index


#: (title, citing corpus papers): the outside works, most cited first
X1 = ("Sparse Graph Kernels Without Identifiers", range(1, 7))  # W801, no DOI or arXiv id
X2 = ("Token Pruning for Graph Transformers", range(1, 6))  # W802, an arXiv DOI
X3 = ("Routing Tokens Through Sparse Experts", range(1, 6))  # S2 sX3 only
X4 = ("Learned Sparsity Schedules", range(1, 5))  # a DOI only, cited through S2
X5 = ("Graph Readers With Budgets", range(1, 4))  # S2 sX5 with an arXiv id
X6 = ("A Twice Cited Outside Work", range(1, 3))
X7 = ("A Once Cited Outside Work", range(1, 2))


def _cites(work: tuple[str, range], paper: str) -> bool:
    return int(paper[1:]) in work[1]


OUTSIDE_OPENALEX = {
    "openalex:w801": openalex_work(
        "W801",
        X1[0],
        None,
        [],
        year=2021,
        abstract_inverted_index=_inverted(
            "Kernels for sparse graphs, code https://github.com/lab-one/kernels"
        ),
        primary_topic={"id": "https://openalex.org/T1", "display_name": "Graph Kernels"},
    ),
    "openalex:w802": openalex_work(
        "W802",
        X2[0],
        "10.48550/arXiv.2301.11111",
        [],
        year=2023,
        abstract_inverted_index=_inverted(
            "We prune tokens. Code: https://github.com/lab-two/prune ."
        ),
        keywords=[
            {
                "id": "https://openalex.org/keywords/token-pruning",
                "display_name": "Token Pruning",
                "score": 0.6,
            }
        ],
    ),
    "doi:10.7777/x4": openalex_work(
        "W804",
        X4[0],
        "10.7777/X4",
        [],
        year=2020,
        abstract_inverted_index=_inverted(
            "Schedules for sparsity; see https://sched.example.org/x4"
        ),
        primary_topic={"id": "https://openalex.org/T4", "display_name": "Sparsity Schedules"},
    ),
}
S2_OUTSIDE = {
    "sX3": {
        "paperId": "sX3",
        "externalIds": {"CorpusId": 3},
        "title": X3[0],
        "abstract": "Experts route tokens sparsely. Code at https://github.com/lab-three/routing",
        "year": 2022,
        "publicationDate": "2022-05-01",
        "authors": [{"authorId": "1", "name": "B. Writer"}],
        "citationCount": 40,
        "references": [],
    },
    "sX5": {
        "paperId": "sX5",
        "externalIds": {"ArXiv": "2305.55555", "CorpusId": 5},
        "title": X5[0],
        "abstract": "Budgets for graph readers, https://huggingface.co/lab-five/reader",
        "year": 2023,
        "publicationDate": None,
        "authors": [{"authorId": "2", "name": "C. Writer"}],
        "citationCount": 7,
        "references": [{"paperId": "s2-C1", "externalIds": {"ArXiv": CORPUS["C1"][0]}}],
    },
    # Semantic Scholar knows X4 by its DOI too (for when OpenAlex does not), and X6.
    "DOI:10.7777/X4": {
        "paperId": "sX4",
        "externalIds": {"DOI": "10.7777/X4"},
        "title": X4[0],
        "abstract": "Schedules for sparsity; see https://sched.example.org/x4",
        "year": 2020,
        "authors": [],
        "references": [],
    },
    "sX6": {
        "paperId": "sX6",
        "externalIds": {},
        "title": X6[0],
        "abstract": "Cited twice. Data at https://zenodo.org/records/66",
        "year": 2015,
        "authors": [{"authorId": "6", "name": "D. Writer"}],
        "references": [],
    },
}


def _s2_refs(paper: str) -> list[dict[str, Any]]:
    refs = []
    if _cites(X3, paper):
        refs.append({"paperId": "sX3", "externalIds": {}, "title": X3[0], "year": 2022})
    if _cites(X4, paper):
        refs.append(
            {"paperId": None, "externalIds": {"DOI": "10.7777/X4"}, "title": X4[0], "year": 2020}
        )
    if _cites(X5, paper):
        refs.append(
            {"paperId": "sX5", "externalIds": {"ArXiv": "2305.55555"}, "title": X5[0], "year": 2023}
        )
    for n, work in ((6, X6), (7, X7)):
        if _cites(work, paper):
            refs.append({"paperId": f"sX{n}", "externalIds": {}, "title": work[0], "year": 2015})
    return refs


def _corpus_oa(paper: str) -> dict[str, Any]:
    arxiv, title = CORPUS[paper]
    refs = [w for w, x in (("W801", X1), ("W802", X2)) if _cites(x, paper)]
    return openalex_work(f"W{paper[1:]}", title, f"10.48550/arXiv.{arxiv}", refs)


class Services:
    """The fake Semantic Scholar and OpenAlex (everything else: 404), counting requests."""

    def __init__(self, openalex_lacks: frozenset[str] = frozenset()) -> None:
        self.requests: list[str] = []
        #: outside works OpenAlex answers nothing for
        self.openalex_lacks = openalex_lacks

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.host}{request.url.path}")
        if request.url.path.endswith("/paper/batch"):
            ids = json.loads(request.content)["ids"]
            if "abstract" in request.url.params["fields"]:
                known = {key.lower(): paper for key, paper in S2_OUTSIDE.items()}
                return httpx.Response(200, json=[known.get(i.lower()) for i in ids])
            by_arxiv = {f"ARXIV:{a}": p for p, (a, _) in CORPUS.items()}
            return httpx.Response(200, json=[self._s2_corpus(by_arxiv.get(i)) for i in ids])
        if request.url.path == "/works":
            field, _, values = parse_qs(request.url.query.decode())["filter"][0].partition(":")
            wanted = {f"{field}:{v}".lower() for v in values.split("|")}
            pool = {f"doi:10.48550/arxiv.{a}": _corpus_oa(p) for p, (a, _) in CORPUS.items()}
            pool |= {k: w for k, w in OUTSIDE_OPENALEX.items() if k not in self.openalex_lacks}
            found = [work for key, work in pool.items() if key in wanted]
            return httpx.Response(200, json={"meta": {"count": len(found)}, "results": found})
        return httpx.Response(404, json={"error": "Not Found"})

    @staticmethod
    def _s2_corpus(paper: str | None) -> dict[str, Any] | None:
        if paper is None:
            return None
        arxiv, title = CORPUS[paper]
        return {
            "paperId": f"s2-{paper}",
            "externalIds": {"ArXiv": arxiv},
            "title": title,
            "citationCount": 3,
            "references": _s2_refs(paper),
        }


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _build(tmp_path: Path, services: Services) -> Path:
    inputs = tmp_path / "papers.json"
    inputs.write_text(
        json.dumps([{"title": t, "arxiv_id": a} for a, t in CORPUS.values()]), encoding="utf-8"
    )
    db = tmp_path / "p.duckdb"
    build(
        [inputs],
        BuildOptions(
            db=db,
            out=tmp_path / "out",
            online=True,
            expand=5,
            http=HttpSettings(sleep=lambda s: None, pacing=0.0, jitter=lambda: 0.0),
            http_transport=httpx.MockTransport(services),
        ),
    )
    return db


def _added(db: Path) -> list[tuple[Any, ...]]:
    return _query(
        db,
        "SELECT p.title, p.arxiv_id FROM papers p JOIN paper_sources s USING (paper_id) "
        f"WHERE s.source = '{EXPAND_SOURCE}' ORDER BY 1",
    )


def test_expand_five_adds_five_papers_with_titles_links_and_keywords(tmp_path: Path) -> None:
    """The top five by citing papers: W801 (no DOI, no arXiv id), W802, sX3, X4 (a DOI
    only, OpenAlex knows it), sX5; each with its link, and keywords."""
    db = _build(tmp_path, Services())
    assert _added(db) == sorted(
        [(X1[0], None), (X2[0], "2301.11111"), (X3[0], None), (X4[0], None), (X5[0], "2305.55555")]
    )
    assert _query(db, "SELECT count(*) FROM papers") == [(11,)]
    links = _query(
        db,
        "SELECT p.title, l.target FROM links l JOIN papers p USING (paper_id) ORDER BY 1, 2",
    )
    assert links == sorted(
        [
            (X1[0], "github.com/lab-one/kernels"),
            (X2[0], "github.com/lab-two/prune"),
            (X3[0], "github.com/lab-three/routing"),
            (X4[0], "sched.example.org/x4"),
            (X5[0], "huggingface.co/lab-five/reader"),
        ]
    )
    given = _query(
        db,
        "SELECT p.title, k.keyword FROM keywords k JOIN papers p USING (paper_id) "
        "WHERE k.origin = 'openalex' ORDER BY 1",
    )
    assert given == sorted(
        [(X1[0], "graph kernels"), (X2[0], "token pruning"), (X4[0], "sparsity schedules")]
    )
    # Every added paper has keywords, from OpenAlex or extracted from its title and abstract.
    with_keywords = _query(
        db,
        "SELECT DISTINCT p.title FROM keywords k JOIN papers p USING (paper_id) ORDER BY 1",
    )
    assert {X1[0], X2[0], X3[0], X4[0], X5[0]} <= {t for (t,) in with_keywords}
    # The corpus's references now land on the added papers; the rest stay outside works.
    cited = _query(
        db,
        "SELECT d.title, count(*) FROM edges e JOIN papers d ON d.paper_id = e.dst "
        "WHERE e.kind = 'cites' AND d.title NOT LIKE 'Corpus%' GROUP BY 1 ORDER BY 1",
    )
    assert cited == sorted([(X1[0], 6), (X2[0], 5), (X3[0], 5), (X4[0], 4), (X5[0], 3)])
    assert _query(db, "SELECT title, cited_by FROM works ORDER BY 1") == [
        (X7[0], 1),
        (X6[0], 2),
    ]
    assert _query(db, "SELECT value FROM build_info WHERE key = 'online.expand.resolved'") == [
        ("5",)
    ]


def test_expand_asks_semantic_scholar_for_a_doi_and_fills_in_for_an_unknown_work(
    tmp_path: Path,
) -> None:
    """OpenAlex knows neither X4's DOI nor W802: Semantic Scholar gives X4 by DOI, and W802
    (no other id to ask by) leaves its place to the sixth most cited work, sX6."""
    services = Services(openalex_lacks=frozenset({"doi:10.7777/x4", "openalex:w802"}))
    db = _build(tmp_path, services)
    assert _added(db) == sorted(
        [(X1[0], None), (X3[0], None), (X4[0], None), (X5[0], "2305.55555"), (X6[0], None)]
    )
    links = _query(
        db,
        "SELECT p.title, l.target FROM links l JOIN papers p USING (paper_id) "
        f"WHERE p.title IN ('{X4[0]}', '{X6[0]}') ORDER BY 1",
    )
    assert links == [(X6[0], "zenodo.org/records/66"), (X4[0], "sched.example.org/x4")]
    # W802 stays an outside work, untitled: OpenAlex named none of the works it was asked for.
    assert _query(db, "SELECT work_key, title, cited_by FROM works ORDER BY 1") == [
        ("openalex:W802", None, 5),
        ("s2:sX7", X7[0], 1),
    ]
