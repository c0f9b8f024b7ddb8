"""Tests for the metrics stage and the report on a small graph written straight into a store."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.report import (
    figure_inputs,
    picture_helper,
    render_markdown,
    report_data,
    write_report,
    writing_report,
)
from graph.stages import write_metrics
from graph.store import Store, open_store
from paperweb.cli import app

HOSTILE = "Bridge | <script>alert(1)</script>\n*Koopman* [x](javascript:alert(1))"
TITLES = {
    "a": "Koopman Operator Learning A",
    "b": "Koopman Operator Learning B",
    "c": HOSTILE,
    "d": "Private Inference D",
    "e": "Private Inference E",
    "f": "Private Inference F",
}
EDGE_COLUMNS = ("src", "dst", "kind", "weight", "evidence")
KEYWORDS = {p: "koopman operator" if p in "abc" else "private inference" for p in TITLES}
# Two triangles of similar papers (a b c) and (d e f), c cites d; a and b share a repo.
EDGES = [
    ("a", "b", "similar", 0.9, "shares keywords: koopman operator"),
    ("a", "c", "similar", 0.8, "shares keywords: koopman operator"),
    ("b", "c", "similar", 0.7, "shares keywords: koopman operator"),
    ("d", "e", "similar", 0.9, "shares keywords: private inference"),
    ("d", "f", "similar", 0.8, "shares keywords: private inference"),
    ("e", "f", "similar", 0.7, "shares keywords: private inference"),
    ("c", "d", "cites", 1.0, "cites Private Inference D"),
    ("a", "b", "shared_code", 1.0, "both link github.com/x/koop"),
    ("a", "github.com/x/koop", "code", 1.0, "links https://github.com/x/koop"),
    ("b", "github.com/x/koop", "code", 1.0, "links https://github.com/x/koop"),
    ("github.com/x/koop", "github.com/x", "owner", 1.0, "repository of github.com/x"),
] + [(p, f"keyword:{k}", "keyword", 1.0, f"keyword {k}") for p, k in KEYWORDS.items()]


def _fill(store: Store) -> None:
    """Write the small graph into ``store`` and compute its metrics, as a build would."""
    papers = sorted(TITLES)
    with store.transaction():
        store.insert_columns("papers", {"paper_id": papers, "title": [TITLES[p] for p in papers]})
        store.insert_columns(
            "paper_sources",
            {"paper_id": papers, "source": ["hand.txt"] * 6, "position": list(range(6))},
        )
        store.insert_columns(
            "links",
            {
                "paper_id": ["a", "b"],
                "url": ["https://github.com/x/koop"] * 2,
                "kind": ["repo"] * 2,
                "target": ["github.com/x/koop"] * 2,
                "origin": ["abstract"] * 2,
            },
        )
        store.insert_columns(
            "keywords",
            {"paper_id": papers, "keyword": [KEYWORDS[p] for p in papers], "weight": [1.0] * 6},
        )
        extra = [
            ("github.com/x/koop", "repo", "github.com/x/koop"),
            ("github.com/x", "owner", "github.com/x"),
            ("keyword:koopman operator", "keyword", "koopman operator"),
            ("keyword:private inference", "keyword", "private inference"),
        ]
        nodes = [(p, "paper", TITLES[p]) for p in papers] + extra
        store.insert_columns(
            "nodes",
            {
                "node_id": [n[0] for n in nodes],
                "kind": [n[1] for n in nodes],
                "label": [n[2] for n in nodes],
            },
        )
        store.insert_columns(
            "edges", {c: [e[i] for e in EDGES] for i, c in enumerate(EDGE_COLUMNS)}
        )
        write_metrics(store)


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A database file holding the small hand-written graph with its metrics."""
    path = tmp_path / "small.duckdb"
    with open_store(path) as store:
        _fill(store)
    return path


def _metric(store: Store, metric: str) -> dict[str, float]:
    rows = store.query("SELECT node_id, value FROM metrics WHERE metric = ?", [metric])
    return dict(rows)


def test_write_metrics_communities_are_the_triangles(small_db: Path) -> None:
    """Louvain on the paper projection finds the two triangles, labelled by their keywords."""
    with open_store(small_db, read_only=True) as store:
        community = _metric(store, "community")
        labels = dict(store.query("SELECT community, label FROM communities"))
        notes = dict(store.query("SELECT key, value FROM build_info"))
    assert community["a"] == community["b"] == community["c"]
    assert community["d"] == community["e"] == community["f"] != community["a"]
    assert labels[int(community["a"])] == "koopman operator"
    assert labels[int(community["d"])] == "private inference"
    assert notes["metric.betweenness"] == "exact"


def test_write_metrics_keyword_nodes_get_degree_only(small_db: Path) -> None:
    """Keyword nodes have a degree (their papers) but no centrality on the analysis graph."""
    with open_store(small_db, read_only=True) as store:
        assert _metric(store, "degree")["keyword:koopman operator"] == 3.0
        assert "keyword:koopman operator" not in _metric(store, "pagerank")
        papers = {row[0] for row in store.query("SELECT paper_id FROM papers")}
        ranks = _metric(store, "pagerank")
        assert sum(v for node, v in ranks.items() if node in papers) == pytest.approx(1.0)


def test_report_bridges_are_the_bridge_ends(small_db: Path) -> None:
    """The papers at either end of the citation between the triangles are the bridges."""
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    assert sorted(p["paper_id"] for p in data["bridges"]) == ["c", "d"]
    joined = {p["paper_id"]: {j["label"] for j in p["joins"]} for p in data["bridges"]}
    assert joined["c"] == joined["d"] == {"koopman operator", "private inference"}


def test_report_why_lines_show_evidence(small_db: Path) -> None:
    """Every explained paper lists real edges with their stored evidence."""
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    evidence = {e[4] for e in EDGES}
    explained = data["top_pagerank"] + data["top_betweenness"]
    assert explained and all(p["why"] for p in explained)
    assert all(w["evidence"] in evidence for p in explained for w in p["why"])
    why_lines = [line for line in render_markdown(data).splitlines() if line.startswith("  - ")]
    shape = re.compile(r"^  - \w+ with \*.+?\* \((similarity|weight) [0-9.]+\): \S")
    assert why_lines and all(shape.search(line) for line in why_lines)


def test_report_markdown_escapes_hostile_title(small_db: Path) -> None:
    """A title with a pipe, HTML and a newline cannot break a table, inject HTML or a link."""
    with open_store(small_db, read_only=True) as store:
        text = render_markdown(report_data(store))
    # an escaped bracket (\\]) cannot close link text, so only unescaped ones matter
    assert "<script>" not in text and "](javascript" not in text.replace("\\](", "")
    assert "Bridge \\| \\<script\\>" in text
    for line in text.splitlines():
        if line.startswith("| ") and "Bridge" in line:
            # the unescaped pipes are the table's own: 6 columns in the communities table
            assert len(re.findall(r"(?<!\\)\|", line)) == 7


def test_report_json_carries_the_same_facts(small_db: Path, tmp_path: Path) -> None:
    """report.json has the summary and the same ranked papers as the Markdown."""
    with open_store(small_db, read_only=True) as store:
        written = write_report(store, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert {p.name for p in written} >= {"report.md", "report.json", "report_papers.csv"}
    assert data["summary"]["papers"] == 6 and data["summary"]["papers_with_code"] == 2
    assert data["summary"]["cites_edges"] == 1 and data["summary"]["components"] == 1
    assert all(p["title"].split()[0] in text for p in data["top_pagerank"])
    assert [row["node_id"] for row in data["shared_code"]] == ["github.com/x", "github.com/x/koop"]


def test_write_metrics_identical_on_rebuild(small_db: Path, tmp_path: Path) -> None:
    """Writing the same graph into a second database gives identical metrics and communities."""
    again = tmp_path / "again.duckdb"
    with open_store(again) as store:
        _fill(store)
    query = "SELECT * FROM metrics ORDER BY ALL"
    with open_store(small_db, read_only=True) as a, open_store(again, read_only=True) as b:
        assert a.query(query) == b.query(query)
        assert a.query("SELECT * FROM communities ORDER BY 1") == b.query(
            "SELECT * FROM communities ORDER BY 1"
        )


def test_write_metrics_empty_store(tmp_path: Path) -> None:
    """A database with no papers gets no metrics and an empty report, without failing."""
    with open_store(tmp_path / "empty.duckdb") as store:
        with store.transaction():
            write_metrics(store)
        text = render_markdown(report_data(store))
    assert "| papers | 0 |" in text


@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_report_command_writes_one_format(small_db: Path, tmp_path: Path, fmt: str) -> None:
    """paperweb report --format X writes only that format's files and lists them on stdout."""
    result = CliRunner().invoke(
        app, ["report", "--db", str(small_db), "--out", str(tmp_path), "--format", fmt]
    )
    assert result.exit_code == 0, result.stderr
    names = sorted(Path(line).name for line in result.stdout.split())
    expected = {
        "md": [
            "report-centrality.png",
            "report-communities.png",
            "report-map.png",
            "report.md",
        ],
        "json": ["report.json"],
        "csv": [
            "report_bridges.csv",
            "report_communities.csv",
            "report_linked.csv",
            "report_papers.csv",
        ],
    }
    assert names == expected[fmt]


def test_report_command_missing_database(tmp_path: Path) -> None:
    """A missing database is one Error: line on stderr and exit code 1."""
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error:") and "paperweb build" in result.stderr


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METRIC_VALUE = re.compile(
    r"\b(pagerank|betweenness|participation|degree|eigenvector) (-?[0-9.]+(e-?\d+)?)"
)


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _figure_links(text: str) -> list[str]:
    return re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)


def _section(text: str, title: str) -> list[str]:
    lines = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return lines.splitlines()


def _set_years(store: Store) -> None:
    """Give the hand-made papers dates (two years, one paper undated)."""
    for paper, date in {"a": "2023-05-01", "b": "2024-01-02", "d": "2023-02-03"}.items():
        store.execute("UPDATE papers SET published = ? WHERE paper_id = ?", [date, paper])


def test_report_figures_are_pngs_linked_from_markdown(small_db: Path, tmp_path: Path) -> None:
    """Every picture is a real PNG of a readable size next to report.md, linked by a relative path."""
    with open_store(small_db) as store:
        _set_years(store)
    out = tmp_path / "out"
    with open_store(small_db, read_only=True) as store:
        written = write_report(store, out)
    text = (out / "report.md").read_text(encoding="utf-8")
    links = _figure_links(text)
    assert sorted(links) == sorted(p.name for p in written if p.suffix == ".png")
    assert len(links) == 4
    for link in links:
        assert "/" not in link and ":" not in link  # relative, beside the report
        width, height = _png_size(out / link)
        assert 400 <= width <= 2000 and 200 <= height <= 2000
        assert (out / link).stat().st_size < 400_000
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["file"] for f in data["figures"]) == sorted(links)


def test_report_without_dates_skips_the_years_picture(small_db: Path, tmp_path: Path) -> None:
    """With no paper dated, there is no years picture and report.md links none."""
    with open_store(small_db, read_only=True) as store:
        write_report(store, tmp_path)
    assert not (tmp_path / "report-years.png").exists()
    assert "report-years.png" not in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_report_drawn_in_another_process_is_the_same(small_db: Path, tmp_path: Path) -> None:
    """Pictures drawn in a forked process while the store is queried: the same files, byte for byte."""
    with open_store(small_db) as store:
        _set_years(store)
    with open_store(small_db, read_only=True) as store:
        here = write_report(store, tmp_path / "here")
        with writing_report(store, tmp_path / "forked", workers=2) as finish:
            assert store.count("papers") > 0
            forked = finish()
    assert [p.name for p in forked] == [p.name for p in here]
    assert len([p for p in forked if p.suffix == ".png"]) == 4
    for a, b in zip(here, forked, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_report_drawn_by_a_helper_forked_earlier_is_the_same(
    small_db: Path, tmp_path: Path
) -> None:
    """The build's helper (forked before the layout, matplotlib loaded while it waits)
    draws the same pictures; a helper never given a report stops with its block."""
    with open_store(small_db) as store:
        _set_years(store)
    with open_store(small_db, read_only=True) as store:
        here = write_report(store, tmp_path / "here")
        with picture_helper(2) as helper:
            assert helper is not None
            with writing_report(store, tmp_path / "helped", helper=helper) as finish:
                helped = finish()
        with picture_helper(2) as unused:
            assert unused is not None
        assert unused.drawn() == []
        with picture_helper(1) as none:
            assert none is None
    assert [p.name for p in helped] == [p.name for p in here]
    assert len([p for p in helped if p.suffix == ".png"]) == 4
    for a, b in zip(here, helped, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_report_modularity_from_build_info(small_db: Path) -> None:
    """A modularity the build recorded is the one stated at the top."""
    with open_store(small_db) as store:
        store.execute(
            "DELETE FROM build_info WHERE key IN "
            "('partition.modularity', 'papers.isolated', 'papers.components')"
        )
        store.execute(
            "INSERT INTO build_info VALUES ('partition.modularity', '0.4321'), "
            "('papers.isolated', '7'), ('papers.components', '3')"
        )
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    head = render_markdown(data).split("## How to read", 1)[0]
    assert "modularity **0.43**" in head and "computed by the report" not in head
    assert "**7 isolated papers**" in head and "**3 connected groups**" in head


def test_report_modularity_computed_matches_networkx(small_db: Path) -> None:
    """Without a recorded value the report computes Newman's weighted modularity of the stored
    communities, as NetworkX does on the paper graph."""
    graph = nx.Graph()
    for src, dst, kind, weight, _ in EDGES:
        if kind in ("similar", "shared_code", "cites"):
            previous = graph.get_edge_data(src, dst, {"weight": 0.0})["weight"]
            graph.add_edge(src, dst, weight=previous + weight)
    with open_store(small_db) as store:
        store.execute("DELETE FROM build_info WHERE key = 'partition.modularity'")
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
        community = _metric(store, "community")
    groups = [{p for p, c in community.items() if c == value} for value in set(community.values())]
    expected = nx.community.modularity(graph, groups, weight="weight")
    assert data["summary"]["modularity"] == pytest.approx(expected)
    assert data["summary"]["modularity_source"] == "report"
    assert f"modularity **{expected:.2f}**" in render_markdown(data)


def test_report_isolated_papers_have_no_paper_edge(tmp_path: Path) -> None:
    """A paper that only links a repository is isolated; the count and components say so."""
    path = tmp_path / "iso.duckdb"
    with open_store(path) as store:
        _fill(store)
        store.execute("INSERT INTO papers (paper_id, title) VALUES ('z', 'Lonely Paper Z')")
        store.execute("INSERT INTO nodes VALUES ('z', 'paper', 'Lonely Paper Z', NULL)")
        store.execute(
            "INSERT INTO edges VALUES ('z', 'github.com/x/koop', 'code', 1.0, 'links it')"
        )
        # the counts a build records were taken before z was added: the report counts itself
        store.execute("DELETE FROM build_info WHERE key LIKE 'papers.%'")
    with open_store(path, read_only=True) as store:
        summary = report_data(store)["summary"]
    assert summary["isolated_papers"] == 1 and summary["components"] == 1


def test_report_metric_values_carry_a_rank(small_db: Path) -> None:
    """Every metric value in the text is followed by its rank among the papers."""
    with open_store(small_db, read_only=True) as store:
        text = render_markdown(report_data(store))
    found = list(METRIC_VALUE.finditer(text))
    assert len(found) >= 10
    for match in found:
        after = text[match.end() : match.end() + 40]
        assert re.match(r" \(\d+(st|nd|rd|th) of 6\b", after), text[
            match.start() : match.end() + 40
        ]


def test_report_ranks_are_competition_ranks(small_db: Path) -> None:
    """Ranks count the papers with a larger value, ties share the best rank."""
    with open_store(small_db, read_only=True) as store:
        papers = report_data(store)["papers"]
    for metric in ("pagerank", "betweenness", "degree", "participation"):
        for paper in papers:
            larger = sum(other[metric] > paper[metric] for other in papers)
            assert paper[f"{metric}_rank"] == larger + 1


def test_report_layout_table_gives_the_map_positions(small_db: Path, tmp_path: Path) -> None:
    """With the viewer's layout table the map uses its positions and says nothing about them;
    without it, a seeded layout is computed and a note says so."""
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
        fallback = figure_inputs(store, data)
        again = figure_inputs(store, data)
    assert fallback.layout_note and "no viewer layout" in fallback.layout_note
    assert (fallback.node_xy == again.node_xy).all()  # seeded
    with open_store(small_db) as store:
        store.execute("DELETE FROM layout")
        store.execute(
            "INSERT INTO layout VALUES ('a', 1, 2), ('b', 3, 4), ('d', -5, 6), ('github.com/x', 0, 0)"
        )
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
        inputs = figure_inputs(store, data)
        write_report(store, tmp_path, ["md"])
    assert inputs.layout_note is None
    assert inputs.node_xy.tolist() == [[1, 2], [3, 4], [-5, 6], [0, 0]]
    assert inputs.node_kind == ["paper", "paper", "paper", "owner"]
    assert inputs.links == [(0, 1)]  # a-b is the only paper edge among the drawn nodes
    assert "no viewer layout" not in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_report_new_community_columns_are_used(small_db: Path) -> None:
    """coverage, the edge weights and is_other come from the communities table."""
    with open_store(small_db) as store:
        store.execute(
            "UPDATE communities SET coverage = 2, internal_weight = 3.0, external_weight = 1.0, "
            "is_other = false"
        )
        store.execute(
            "INSERT INTO communities (community, label, size, keywords, coverage, "
            "internal_weight, external_weight, is_other) "
            "VALUES (9, 'other: 4 papers in small groups', 4, [], 0, 0, 0, true)"
        )
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    text = render_markdown(data)
    rows = [line for line in _section(text, "Communities") if line.startswith("| 0 ")]
    assert rows and "| 2 of 3 |" in rows[0] and "| 86% |" in rows[0]  # 2*3 / (2*3 + 1)
    assert "4 papers in 1 group too small to name (other: 4 papers in small groups)" in text
    assert data["summary"]["communities"] == 2


def test_report_linked_nodes_ranked_with_repo_facts(small_db: Path) -> None:
    """Repositories and owners are ranked by the papers linking them; stars and archived show
    when the repos table has them."""
    with open_store(small_db, read_only=True) as store:
        text = render_markdown(report_data(store))
    section = _section(text, "Repositories and labs")
    assert "stars" not in section[4]
    with open_store(small_db) as store:
        store.execute(
            "INSERT INTO repos (target, stars, archived, status) VALUES ('github.com/x/koop', 1234, true, 'ok')"
        )
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    section = _section(render_markdown(data), "Repositories and labs")
    rows = {
        line.split(" | ")[1]: line for line in section if line.startswith("| ") and "github" in line
    }
    assert (
        "2 (1st of 1 repos)" in rows["github.com/x/koop"]
        and "| 1,234 | yes |" in rows["github.com/x/koop"]
    )
    assert "2 (1st of 1 owners)" in rows["github.com/x"]
    repo = next(r for r in data["linked"] if r["node_id"] == "github.com/x/koop")
    pagerank = _metric_of(small_db, "pagerank")
    assert repo["paper_pagerank"] == pytest.approx(pagerank["a"] + pagerank["b"])


def _metric_of(path: Path, metric: str) -> dict[str, float]:
    with open_store(path, read_only=True) as store:
        return _metric(store, metric)


def test_report_bridges_name_the_joined_communities(small_db: Path) -> None:
    """A bridge lists the communities its edges reach, strongest first, with the edge's evidence."""
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    bridge = next(p for p in data["bridges"] if p["paper_id"] == "c")
    # c: similar to a (0.8) and b (0.7) in its own community, cites d (1.0) in the other
    assert [j["edges"] for j in bridge["joins"]] == [2, 1]
    assert bridge["joins"][0]["own"] and bridge["joins"][0]["weight"] == pytest.approx(1.5)
    assert bridge["joins"][1]["strongest"]["evidence"] == "cites Private Inference D"
    assert sum(j["share"] for j in bridge["spread"]) == pytest.approx(1.0)


def test_report_corpus_pictures_and_bridges(corpus_build: Path, tmp_path: Path) -> None:
    """On the real corpus: at least three valid pictures linked from report.md, bridge lines of
    at most 400 characters naming at most three communities, every metric value ranked."""
    with open_store(corpus_build / "db.duckdb", read_only=True) as store:
        written = write_report(store, tmp_path)
        data = report_data(store)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    links = _figure_links(text)
    assert len(links) >= 3 and all((tmp_path / link) in written for link in links)
    for link in links:
        width, height = _png_size(tmp_path / link)
        assert width >= 600 and height >= 300
    assert "modularity **" in text.split("## How to read", 1)[0]
    labels = [c["label"] for c in data["communities"]]
    bridges = [line for line in _section(text, "Bridge papers") if line.strip()][1:]
    assert len(bridges) >= 10
    heads = [line for line in bridges if re.match(r"\d+\. ", line)]
    assert len(heads) == len(data["bridges"])
    for line in bridges:
        assert len(line) <= 400, line
        named = [label for label in labels if re.sub(r"\\(.)", r"\1", line).count(label[:30])]
        assert len(named) <= 3, line
    for paper in data["bridges"]:
        assert 2 <= len(paper["joins"]) <= 3
    for match in METRIC_VALUE.finditer(text):
        assert re.match(r" \(\d[\d,]*(st|nd|rd|th) of [\d,]+", text[match.end() :]), match.group(0)
