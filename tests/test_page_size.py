"""The page stays small on a large corpus: a capped search index and capped connection lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store import open_store
from paperweb.cli import app
from tests.conftest import CORPUS
from tests.pages import page_payload
from viz.page import render_graph_page
from viz.page_data import CONNECTIONS_LISTED, load_page_inputs, page_data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three real corpus pages built once."""
    if not CORPUS.is_dir():
        pytest.skip("corpus not found")
    tmp = tmp_path_factory.mktemp("page")
    result = CliRunner().invoke(
        app, ["build", str(CORPUS), "--db", str(tmp / "db.duckdb"), "--out", str(tmp / "out")]
    )
    assert result.exit_code == 0, result.stderr
    return tmp / "db.duckdb"


def test_index_capped_to_the_most_central_papers(built: Path) -> None:
    """50 papers drawn, 120 indexed: the 120 of highest PageRank, and the page says so."""
    with open_store(built, read_only=True) as store:
        capped = page_data(load_page_inputs(store, 50, index_papers=120))
        full = page_data(load_page_inputs(store, 50))
        ranked = [
            row[0]
            for row in store.query(
                "SELECT p.paper_id FROM papers p LEFT JOIN metrics r ON r.node_id = p.paper_id "
                "AND r.metric = 'pagerank' ORDER BY coalesce(r.value, 0) DESC, p.paper_id"
            )
        ]
        titles = dict(store.query("SELECT paper_id, title FROM papers"))
    assert capped.total_papers == len(ranked) > 300
    assert capped.index["id"] == ranked[:120] and capped.index_capped
    assert full.index["id"] == ranked and not full.index_capped
    page = render_graph_page(capped)
    assert "left out; search finds the 120 most central)" in page_payload(page)["status"]
    assert 'placeholder="search the 120 most central papers: title, keyword, repository"' in page
    assert "search finds them all" in page_payload(render_graph_page(full))["status"]
    assert len(page) < len(render_graph_page(full))
    # A connection to a paper outside the index brings its title; one inside leaves it to the index.
    indexed = set(capped.index["id"])
    outside = inside = 0
    for detail in capped.details.values():
        for other, _, _, _, label in detail["connections"]:
            if other in titles:
                if other in indexed:
                    inside += 1
                    assert label is None
                else:
                    outside += 1
                    assert label == titles[other]
    assert inside and outside


def test_connections_capped_with_their_count(built: Path) -> None:
    """At most CONNECTIONS_LISTED per node, the strongest, and the count of all of them
    (every edge of the node but keyword edges, as the edges table has them)."""
    with open_store(built, read_only=True) as store:
        inputs = load_page_inputs(store, 100)
        every: dict[str, list[float]] = {}
        for node_id, weight in store.query(
            "SELECT src, weight FROM edges WHERE kind <> 'keyword' "
            "UNION ALL SELECT dst, weight FROM edges WHERE kind <> 'keyword'"
        ):
            every.setdefault(node_id, []).append(weight)
    data = page_data(inputs)
    capped = 0
    for node_id, detail in data.details.items():
        found = every.get(node_id, [])
        listed = detail["connections"]
        assert detail["connectionCount"] == len(found)
        assert len(listed) == min(len(found), CONNECTIONS_LISTED)
        weights = sorted((round(w, 4) for w in found), reverse=True)
        assert [c[2] for c in listed] == weights[: len(listed)]
        capped += len(found) > CONNECTIONS_LISTED
    assert capped > 0
