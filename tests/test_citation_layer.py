"""Citations beyond the corpus: works files as inputs, references, works, coupling, co-citation.

The fixtures in tests/data/citations are hand-made OpenAlex works (invented titles): eight
papers; W999 is cited by seven of them, W901/W902 by three, W900/W950/W951 by two.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import paperweb.cli
from collectors.citation_files import paper_from_openalex_object, paper_from_s2_object
from collectors.corpus import read_inputs
from collectors.detect import detect_kind
from collectors.records import Reference
from graph.citations import citation_layer
from graph.papers import merge_papers
from paperweb.pipeline import BuildOptions, build
from tests.coupling_pairs import cocited_edges, coupling_edges

DATA = Path(__file__).parent / "data" / "citations"


def _titles(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT paper_id, title FROM papers").fetchall())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("citations")
    build([DATA], BuildOptions(db=out / "p.duckdb", out=out))
    return out


def _edges(db: Path, kind: str) -> list[tuple[str, str, float, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        name = _titles(con)
        rows = con.execute(
            "SELECT src, dst, weight, evidence FROM edges WHERE kind = ?", [kind]
        ).fetchall()
    return sorted(
        (name.get(a, a), name.get(b, b), w, e)
        for a, b, w, e in rows  # titles for papers, the work key for works
    )


def test_works_files_are_detected_by_content() -> None:
    """A JSONL of OpenAlex works and a {"results": [...]} list are both the openalex kind."""
    assert detect_kind(DATA / "openalex_works.jsonl") == "openalex"
    assert detect_kind(DATA / "openalex_list.json") == "openalex"


def test_openalex_works_build_exact_cites(built: Path) -> None:
    """Every referenced W id of a corpus paper is a cites edge between papers, nothing else."""
    between = [(a, b) for a, b, _, _ in _edges(built / "p.duckdb", "cites") if ":" not in b]
    assert between == sorted(
        [
            ("A Survey of Small Graph Methods", "Counting Shared Citations"),
            ("A Survey of Small Graph Methods", "Graph Tokens at Small Scale"),
            ("A Survey of Small Graph Methods", "Sparse Attention for Tiny Graphs"),
            ("Counting Shared Citations", "Sparse Attention for Tiny Graphs"),
            ("Edge Cases of Graph Tokens", "Graph Tokens at Small Scale"),
            ("Edge Cases of Graph Tokens", "Sparse Attention for Tiny Graphs"),
            ("Protein Loops by Diffusion", "Rivers of Protein Folding"),
            ("Sparse Attention for Tiny Graphs", "Graph Tokens at Small Scale"),
        ]
    )


def test_coupling_is_salton_cosine_without_the_work_everybody_cites(built: Path) -> None:
    """Hand-computed: W999 (7 of 8 papers) never counts, so the radar paper, which shares
    only W999, has no coupling edge; 101/102 share W900-W902 of 4 and 3 counted references."""
    found = {(a, b): w for a, b, w, _ in _edges(built / "p.duckdb", "coupling")}
    pair = {frozenset(k): v for k, v in found.items()}
    expected = {
        ("Graph Tokens at Small Scale", "Sparse Attention for Tiny Graphs"): 3 / math.sqrt(4 * 3),
        ("Counting Shared Citations", "Sparse Attention for Tiny Graphs"): 2 / math.sqrt(3 * 4),
        ("Counting Shared Citations", "Graph Tokens at Small Scale"): 2 / math.sqrt(3 * 3),
        ("Protein Loops by Diffusion", "Rivers of Protein Folding"): 2 / math.sqrt(2 * 2),
        ("A Survey of Small Graph Methods", "Edge Cases of Graph Tokens"): 2 / math.sqrt(2 * 2),
    }
    assert set(pair) == {frozenset(k) for k in expected}
    for key, value in expected.items():
        assert pair[frozenset(key)] == pytest.approx(value, abs=1e-6)
    assert not any("Weather" in a or "Weather" in b for a, b in found)


def test_coupling_evidence_names_shared_works(built: Path) -> None:
    """The evidence counts the shared works and names them (the key when no title is known)."""
    evidence = {frozenset((a, b)): e for a, b, _, e in _edges(built / "p.duckdb", "coupling")}
    key = frozenset(("Graph Tokens at Small Scale", "Sparse Attention for Tiny Graphs"))
    assert evidence[key] == "3 shared references: openalex:W900; openalex:W901; openalex:W902"
    survey = frozenset(("A Survey of Small Graph Methods", "Edge Cases of Graph Tokens"))
    assert evidence[survey] == (
        "2 shared references: Graph Tokens at Small Scale; Sparse Attention for Tiny Graphs"
    )


def test_cocited_needs_two_citing_papers(built: Path) -> None:
    """101 and 102 are cited together by the survey and the edge-cases paper; 103 only by the
    survey, so it is co-cited with nobody."""
    rows = _edges(built / "p.duckdb", "cocited")
    assert [(frozenset((a, b)), e) for a, b, _, e in rows] == [
        (
            frozenset(("Graph Tokens at Small Scale", "Sparse Attention for Tiny Graphs")),
            "2 papers citing both: A Survey of Small Graph Methods; Edge Cases of Graph Tokens",
        )
    ]


def test_work_nodes_and_tables(built: Path) -> None:
    """Works cited by 3+ corpus papers are work nodes with cites edges; every reference is kept."""
    with duckdb.connect(str(built / "p.duckdb"), read_only=True) as con:
        nodes = con.execute(
            "SELECT node_id, url FROM nodes WHERE kind = 'work' ORDER BY 1"
        ).fetchall()
        works = dict(con.execute("SELECT work_key, cited_by FROM works").fetchall())
        refs = con.execute('SELECT count(*) FROM "references"').fetchone()
        to_works = con.execute(
            "SELECT dst, count(*) FROM edges WHERE kind = 'cites' AND dst LIKE 'openalex:%' "
            "GROUP BY dst ORDER BY dst"
        ).fetchall()
    assert nodes == [
        ("openalex:W901", "https://openalex.org/W901"),
        ("openalex:W902", "https://openalex.org/W902"),
        ("openalex:W999", "https://openalex.org/W999"),
    ]
    assert to_works == [("openalex:W901", 3), ("openalex:W902", 3), ("openalex:W999", 7)]
    assert works["openalex:W900"] == 2 and "openalex:W101" not in works
    assert refs == (6 + 4 + 5 + 3 + 5 + 2 + 5 + 3,)


def test_report_and_missing_command_list_outside_works(built: Path) -> None:
    """The report names the most cited outside works; `missing --json` lists who cites them."""
    report = (built / "report.md").read_text(encoding="utf-8")
    section = report.split("## Most cited works not in the corpus", 1)[1]
    assert "| 1 | openalex:W999 |  | 7 |" in section
    with duckdb.connect(str(built / "p.duckdb"), read_only=True) as con:
        coupling, cocited = con.execute(
            "SELECT count(*) FILTER (kind = 'coupling'), count(*) FILTER (kind = 'cocited') "
            "FROM edges"
        ).fetchone() or (0, 0)
    assert coupling > 0 and cocited == 1
    assert (
        f"| coupling / cocited edges (shared references / shared citers) | {coupling} / 1 |"
        in report
    )
    assert "| cited works outside the corpus, drawn as nodes | 3 |" in report
    result = CliRunner().invoke(
        paperweb.cli.app, ["missing", "--db", str(built / "p.duckdb"), "--limit", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [(w["work_key"], w["cited_by"]) for w in listed] == [
        ("openalex:W999", 7),
        ("openalex:W901", 3),
        ("openalex:W902", 3),
    ]
    assert listed[1]["paper_titles"] == [
        "Counting Shared Citations",
        "Graph Tokens at Small Scale",
        "Sparse Attention for Tiny Graphs",
    ]


def _s2(paper_id: str, title: str, year: int, refs: list[dict], arxiv: str | None = None) -> dict:
    return {
        "paperId": paper_id,
        "externalIds": {"ArXiv": arxiv} if arxiv else {},
        "title": title,
        "year": year,
        "citationCount": 4,
        "references": refs,
    }


def _ref(paper_id: str | None, title: str, year: int, **external: str) -> dict:
    return {"paperId": paper_id, "externalIds": external, "title": title, "year": year}


def test_s2_file_meets_other_inputs_by_arxiv_id_and_title(tmp_path: Path) -> None:
    """An S2 paper and a simple-schema paper with its arXiv id are one paper; a reference with
    no id but the title (and a year within one) of a corpus paper lands on it."""
    s2 = [
        _s2(
            "aa1",
            "Trees of Thought Routing",
            2024,
            [
                _ref(None, "Routing Small Experts", 2023),
                _ref("zz9", "An Outside Classic", 2015, DOI="10.1/OUT"),
                _ref("zz8", "Another Outside Work", 2016),
            ],
            arxiv="2401.00011",
        ),
        _s2("aa2", "Routing Small Experts", 2023, [_ref("zz9", "An Outside Classic", 2015)]),
    ]
    (tmp_path / "s2.json").write_text(json.dumps({"data": s2}), encoding="utf-8")
    (tmp_path / "more.json").write_text(
        json.dumps([{"title": "Trees of Thought Routing", "arxiv_id": "2401.00011"}]),
        encoding="utf-8",
    )
    assert detect_kind(tmp_path / "s2.json") == "s2"
    papers, skipped, _ = read_inputs([tmp_path])
    rows = merge_papers(papers)
    assert len(rows) == 2 and not skipped
    layer = citation_layer(rows, min_cited=2)
    titles = {r.paper_id: r.title for r in rows}
    cites = [(titles[e.src], titles.get(e.dst, e.dst)) for e in layer.edge_rows()]
    assert sorted(cites) == [
        ("Routing Small Experts", "doi:10.1/out"),
        ("Trees of Thought Routing", "Routing Small Experts"),
        ("Trees of Thought Routing", "doi:10.1/out"),
    ]
    classic = next(w for w in layer.works if w.work_key == "doi:10.1/out")
    assert (classic.s2_id, classic.title, classic.year, classic.cited_by) == (
        "zz9",
        "An Outside Classic",
        2015,
        2,
    )
    assert [n.label for n in layer.nodes] == ["An Outside Classic"]


def test_a_reference_title_with_a_far_year_is_another_work() -> None:
    """The year rule: a title equal to a corpus paper's but 5 years off is an outside work."""
    rows = merge_papers(
        [
            paper_from_s2_object(_s2("b1", "Deep Sets Again", 2024, []), "f", 1),
            paper_from_s2_object(
                _s2("b2", "Citing Paper", 2024, [_ref(None, "Deep Sets Again", 2019)]), "f", 2
            ),
        ]
    )
    layer = citation_layer(rows)
    assert [(r.cited_paper, r.work_key) for r in layer.reference_rows()] == [
        (None, "title:deep sets again")
    ]
    assert [(w.title, w.year, w.cited_by) for w in layer.works] == [("Deep Sets Again", 2019, 1)]
    assert not layer.edge_rows()


def test_s2_citations_list_gives_the_citing_corpus_paper_a_reference() -> None:
    """S2 ``citations`` (papers citing this one) that are corpus papers become their references."""
    cited = _s2("c1", "Cited Paper", 2022, [])
    cited["citations"] = [{"paperId": "c2", "title": "Citing Paper", "year": 2024}]
    rows = merge_papers(
        [
            paper_from_s2_object(cited, "f", 1),
            paper_from_s2_object(_s2("c2", "Citing Paper", 2024, []), "f", 2),
        ]
    )
    layer = citation_layer(rows)
    titles = {r.paper_id: r.title for r in rows}
    assert [(titles[e.src], titles[e.dst], e.kind) for e in layer.edge_rows()] == [
        ("Citing Paper", "Cited Paper", "cites")
    ]


def test_one_shared_reference_or_a_weak_cosine_is_no_edge() -> None:
    """Two shared works are needed, and 2 shared among 60 references each (0.033) is too weak."""
    refs = [("a", "w1"), ("b", "w1"), ("c", "x1"), ("c", "x2"), ("d", "x1"), ("d", "x2")]
    edges = coupling_edges(refs, {})
    assert [(e.src, e.dst, e.weight) for e in edges] == [("c", "d", 1.0)]
    # Each long-list paper shares x1, x2 with the other and has 58 works nobody else cites;
    # those are counted columns only when shared, so 10 more papers share them pairwise.
    long = [("e", "x1"), ("e", "x2"), ("f", "x1"), ("f", "x2")]
    for n in range(58):
        long += [("e", f"e{n}"), (f"m{n}", f"e{n}"), ("f", f"f{n}"), (f"n{n}", f"f{n}")]
    weights = {(e.src, e.dst): e.weight for e in coupling_edges(long, {})}
    assert ("e", "f") not in weights  # 2 / sqrt(60 * 60) = 0.033 < 0.05
    assert coupling_edges(long, {}, min_cosine=0.03)[0].weight == pytest.approx(2 / 60, abs=1e-6)


def test_cocited_from_pairs() -> None:
    """Co-citation counts the corpus papers citing both, normalised by Salton's cosine."""
    cites = [("s1", "a"), ("s1", "b"), ("s2", "a"), ("s2", "b"), ("s3", "a")]
    edges = cocited_edges(cites, {"s1": "One", "s2": "Two"})
    assert [(e.src, e.dst, e.kind) for e in edges] == [("a", "b", "cocited")]
    # s3 holds one cited paper only, so it is no counted column: a has 2, b has 2.
    assert edges[0].weight == pytest.approx(1.0)
    assert edges[0].evidence == "2 papers citing both: One; Two"


def test_online_references_join_the_offline_ones() -> None:
    """References the services add (``more``) are kept beside the papers' own."""
    rows = merge_papers([paper_from_s2_object(_s2("d1", "Only Paper", 2024, []), "f", 1)])
    extra = [(rows[0].paper_id, Reference(("openalex:W5",), source="openalex"))]
    layer = citation_layer(rows, extra, min_cited=1)
    assert [(r.work_key, r.source) for r in layer.reference_rows()] == [("openalex:W5", "openalex")]
    assert [n.node_id for n in layer.nodes] == ["openalex:W5"]


@pytest.mark.parametrize("count", [10**30, -3, True, "7"])
def test_s2_file_citation_count_out_of_range_is_dropped(count: object) -> None:
    """A Semantic Scholar count the store cannot hold (or that is no count) is dropped, not stored."""
    paper = paper_from_s2_object(
        {"paperId": "abc", "title": "A Paper", "citationCount": count}, "s2.json", 1
    )
    assert paper.cited_by_count is None


def test_works_files_show_dates_as_every_other_input_does() -> None:
    """A full date reads 'Mar 7, 2024' from an S2 or OpenAlex file as from a page; a year alone
    stays a year."""
    dated = paper_from_s2_object(
        {**_s2("d1", "Dated", 2024, []), "publicationDate": "2024-03-07"}, "f", 1
    )
    undated = paper_from_s2_object(_s2("d2", "Undated", 2023, []), "f", 2)
    work = {
        "id": "https://openalex.org/W42",
        "title": "An OpenAlex Work",
        "publication_year": 2022,
        "publication_date": "2022-11-30",
    }
    opened = paper_from_openalex_object(work, "f", 3)
    assert (dated.published_text, undated.published_text, opened.published_text) == (
        "Mar 7, 2024",
        "2023",
        "Nov 30, 2022",
    )
