"""End-to-end `paperweb build --online` against a fake server on 127.0.0.1 (never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store import GRAPH_TABLES, open_store
from paperweb.cli import app
from tests.conftest import CORPUS_PAGES
from tests.fake_server import FakeServices, fake_arxiv_id, serving
from tests.pages import page_payload

runner = CliRunner()
MINDEYE = "MindEye2: Shared-Subject Models Enable fMRI-To-Image With 1 Hour of Data"
TOKENS = {
    "GITHUB_TOKEN": "ghp_SENTINELgithub0123456789",
    "S2_API_KEY": "s2SENTINELkey0123456789",
    "OPENALEX_API_KEY": "oaSENTINELkey0123456789",
}


@pytest.fixture
def env_for(monkeypatch: pytest.MonkeyPatch) -> object:
    """Point every PAPERWEB_*_URL at a fake server, and make retries quick."""

    def point(fake: FakeServices) -> None:
        for var in ("HF", "GITHUB", "S2", "OPENALEX", "ARXIV", "SHORTLINK"):
            monkeypatch.setenv(f"PAPERWEB_{var}_URL", fake.url)
        monkeypatch.setenv("PAPERWEB_HTTP_BACKOFF", "0.01")
        monkeypatch.setenv("PAPERWEB_HTTP_TIMEOUT", "5")
        # The fake server has no rate limit: no pause between requests (Semantic Scholar's 1 s).
        monkeypatch.setenv("PAPERWEB_HTTP_PACING", "0")
        for var in TOKENS:
            monkeypatch.delenv(var, raising=False)

    return point


#: the smallest corpus page (39 papers, no short links), for the slower scenarios
SMALL = CORPUS_PAGES["000"]


def _build(tmp: Path, inputs: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        ["build", str(inputs), "--db", str(tmp / "db.duckdb"), "--out", str(tmp / "out"), *extra],
    )
    return result.exit_code, result.stdout, result.stderr


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every graph table, minus the per-run HTTP counters (requests vs cached hits)."""
    with open_store(db, read_only=True) as store:
        tables = {t: sorted(store.query(f'SELECT * FROM "{t}"'), key=repr) for t in GRAPH_TABLES}
    tables["build_info"] = [r for r in tables["build_info"] if not str(r[0]).startswith("http.")]
    return tables


def test_build_online_enriches_corpus(corpus: Path, tmp_path: Path, env_for: object) -> None:
    """Titles resolve to arXiv ids, HF repos add code edges, short links resolve; rerun is free."""
    with serving() as fake:
        env_for(fake)  # type: ignore[operator]
        code, _, err = _build(tmp_path, corpus, "--online")
        assert code == 0, err
        first = len(fake.requests)
        hf_and_short = [r for r in fake.requests if r[1].startswith(("/api/", "/bit.ly/"))]
        assert len(hf_and_short) == 401 + 3  # a search per paper; HEAD, HEAD + GET for short links
        assert any(r[1].startswith("/paper/batch") for r in fake.requests)
        db = tmp_path / "db.duckdb"
        before = _tables(db)
        code, _, err = _build(tmp_path, corpus, "--online")
        assert code == 0, err
        assert len(fake.requests) == first
    assert _tables(db) == before
    assert "hf: 400 resolved, 0 failed" in err
    with open_store(db, read_only=True) as store:
        assert store.query("SELECT count(*) FROM papers WHERE arxiv_id IS NOT NULL") == [(400,)]
        assert store.query("SELECT arxiv_id FROM papers WHERE title = ?", [MINDEYE]) == [
            (fake_arxiv_id(MINDEYE),)
        ]
        assert store.query(
            "SELECT e.dst, l.origin FROM edges e JOIN papers p ON e.src = p.paper_id "
            "JOIN links l ON l.paper_id = p.paper_id AND l.target = e.dst "
            "WHERE p.title = ? AND e.kind = 'code'",
            [MINDEYE],
        ) == [("github.com/medarc-ai/mindeyev2", "hf")]
        assert store.query(
            "SELECT url, kind, target FROM links WHERE url LIKE '%bit.ly%' ORDER BY url"
        ) == [
            ("https://bit.ly/3zdVqcg", "repo", "github.com/example-lab/nestedmorph"),
            ("https://bit.ly/grok-adversarial", "page", "example-lab.github.io/grokking"),
        ]
        assert store.query(
            "SELECT count(*) FROM keywords WHERE origin = 'hf' AND keyword = 'neural decoding'"
        ) == [(1,)]
        info = dict(store.query("SELECT key, value FROM build_info WHERE key LIKE 'online.%'"))
    assert info["online.ran"] == "hf,short,github,citations"
    assert (info["online.hf.resolved"], info["online.short.resolved"]) == ("400", "2")
    with open_store(db, read_only=True) as store:
        # GitHub: the renamed repo is stored under its new name everywhere, its old URL kept.
        assert store.query(
            "SELECT count(*) FROM nodes WHERE node_id = 'github.com/thu-ml/gnot'"
        ) == [(0,)]
        assert store.query("SELECT url FROM links WHERE target = 'github.com/thu-ml/gnot-v2'") == [
            ("https://github.com/thu-ml/GNOT",)
        ]
        assert store.query(
            "SELECT full_name, status FROM repos WHERE target = 'github.com/thu-ml/gnot-v2'"
        ) == [("thu-ml/GNOT-v2", "renamed")]
        # Citations: every resolved paper cites MindEye2, which leads PageRank among papers.
        assert store.query("SELECT count(*) FROM edges WHERE kind = 'cites'") == [(399,)]
        top = store.query(
            "SELECT n.label FROM metrics m JOIN nodes n USING (node_id) WHERE m.metric = 'pagerank' "
            "AND n.kind = 'paper' ORDER BY m.value DESC LIMIT 1"
        )
        assert top == [(MINDEYE,)]
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "/ 399 |" in report and "Semantic Scholar reference" in report
    page = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    assert any(edge["kind"] == "cites" for edge in page_payload(page)["edges"])


def test_build_online_refresh_refetches(corpus: Path, tmp_path: Path, env_for: object) -> None:
    """--refresh ignores the cache and asks the services again."""
    with serving() as fake:
        env_for(fake)  # type: ignore[operator]
        assert _build(tmp_path, SMALL, "--online")[0] == 0
        first = len(fake.requests)
        assert _build(tmp_path, SMALL, "--online", "--refresh")[0] == 0
        assert len(fake.requests) == 2 * first


def test_build_online_survives_server_death(corpus: Path, tmp_path: Path, env_for: object) -> None:
    """The server dies after 20 requests: the build completes, lists failures, keeps offline data."""
    offline = tmp_path / "offline"
    assert _build(offline, SMALL)[0] == 0
    with serving(die_after=20) as fake:
        env_for(fake)  # type: ignore[operator]
        code, _, err = _build(tmp_path, SMALL, "--online")
        port = fake.server.server_address[1]
    assert code == 0, err
    assert "Failed: hf" in err
    assert "skipped: service unreachable in this run" in err
    db = tmp_path / "db.duckdb"
    with open_store(db, read_only=True) as store:
        assert store.count("papers") == 39
        assert store.query("SELECT count(*) FROM papers WHERE arxiv_id IS NOT NULL") == [(20,)]
        info = dict(store.query("SELECT key, value FROM build_info"))
        offline_links = set(store.query("SELECT * FROM links WHERE origin = 'abstract'"))
        cached = store.count("http_cache")
    assert int(info["online.hf.failed"]) == 39 - 20
    assert json.loads(info["online.failures"])[0]["service"] == "hf"
    with open_store(offline / "db.duckdb", read_only=True) as store:
        # every offline link is kept unchanged
        assert set(store.query("SELECT * FROM links")) == offline_links
    # A later run against the same server address resumes: only what was not cached is asked.
    with serving(port=port) as fake:
        env_for(fake)  # type: ignore[operator]
        assert _build(tmp_path, SMALL, "--online")[0] == 0
        # Only the searches not cached before are asked again (GitHub and citations come after).
        assert len([r for r in fake.requests if r[1].startswith("/api/")]) == 39 - cached


def test_build_online_never_leaks_tokens(
    corpus: Path, tmp_path: Path, env_for: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens from the environment appear in no database byte, output file, stdout or stderr."""
    with serving() as fake:
        env_for(fake)  # type: ignore[operator]
        for var, value in TOKENS.items():
            monkeypatch.setenv(var, value)
        code, out, err = _build(tmp_path, SMALL, "--online")
        # Every service lives on the one fake host here, so tell them apart by path.
        own = {
            "GITHUB_TOKEN": ("/repos/", "/repositories/"),
            "S2_API_KEY": ("/paper/",),
            "OPENALEX_API_KEY": ("/works",),
        }
        sent = {
            var: json.dumps([r for r in fake.requests if not r[1].startswith(paths)])
            for var, paths in own.items()
        }
        github = [r for r in fake.requests if r[1].startswith("/repos/")]
    assert code == 0, err
    files = [tmp_path / "db.duckdb", *(tmp_path / "out").rglob("*")]
    blobs = [p.read_bytes() for p in files if p.is_file()] + [out.encode(), err.encode()]
    for value in TOKENS.values():
        assert all(value.encode() not in blob for blob in blobs)
    for var, value in TOKENS.items():
        # a token goes only to its own service: never to Hugging Face, short links or the others
        assert value not in sent[var]
    assert github and all(
        r[2].get("Authorization") == f"Bearer {TOKENS['GITHUB_TOKEN']}" for r in github
    )


def test_build_refresh_needs_online(tmp_path: Path) -> None:
    """--refresh without --online is a one-line usage error and touches no database."""
    code, _, err = _build(tmp_path, SMALL, "--refresh")
    assert code == 2 and err.startswith("Error: --refresh only applies")
    assert not (tmp_path / "db.duckdb").exists()
