"""Applying what online services found to the papers, and the stage inside a build."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest

from collectors.enrich import Enrichment, Failure
from collectors.http import HttpSettings
from collectors.records import Link
from graph.enrichment import OnlineResult, apply_enrichment, info_rows
from graph.papers import PaperRow
from graph.store import open_store
from paperweb import pipeline
from paperweb.pipeline import BuildOptions, build


def _row(paper_id: str, *links: Link, arxiv_id: str | None = None) -> PaperRow:
    return PaperRow(
        paper_id=paper_id,
        title=f"Paper {paper_id}",
        abstract="",
        authors=None,
        published=None,
        published_text=None,
        upvotes=None,
        arxiv_id=arxiv_id,
        sources=(("x.txt", 1),),
        links=links,
        keywords=(("kept", "page"),),
    )


SHORT = Link("https://bit.ly/AbC", "short", "bit.ly/AbC")
OLD_REPO = Link("https://github.com/Old/Name", "repo", "github.com/old/name")
HF_REPO = Link("https://github.com/old/name", "repo", "github.com/old/name", "hf")
HF_PAGE = Link("https://lab.example.org/p", "page", "lab.example.org/p", "hf")


def test_apply_enrichment_resolves_renames_and_adds() -> None:
    """Short links and renamed repos get new targets (url kept); only new HF targets are added."""
    found = Enrichment(
        arxiv_ids={"p1": "2401.00001", "p2": "2401.00002"},
        links=[("p1", HF_REPO), ("p1", HF_PAGE)],
        keywords=[("p1", "graph routing", "hf")],
        upvotes={"p1": 9},
        published={"p1": date(2024, 1, 2)},
        short_links={"bit.ly/AbC": ("repo", "github.com/a/b", "https://github.com/a/b")},
        renamed={"github.com/old/name": "github.com/new/name"},
    )
    rows = apply_enrichment([_row("p1", SHORT, OLD_REPO), _row("p2", arxiv_id="2301.00009")], found)
    assert rows[0].links == (
        Link("https://bit.ly/AbC", "repo", "github.com/a/b"),
        Link("https://github.com/Old/Name", "repo", "github.com/new/name"),
        HF_PAGE,
    )
    assert (rows[0].arxiv_id, rows[1].arxiv_id) == ("2401.00001", "2301.00009")
    assert (rows[0].upvotes, rows[0].published) == (9, date(2024, 1, 2))
    assert rows[0].keywords == (("graph routing", "hf"), ("kept", "page"))


def test_info_rows_name_runs_and_failures() -> None:
    """build_info says which enrichments ran and counts and lists failures."""
    found = Enrichment(ran=["hf", "short"], failures=[Failure("hf", "Paper X", "HTTP 500")])
    found.resolved["hf"] = 4
    info = info_rows(OnlineResult(found))
    assert info["online.ran"] == "hf,short"
    assert (info["online.hf.resolved"], info["online.hf.failed"]) == ("4", "1")
    assert info["online.short.failed"] == "0"
    assert '"reason": "HTTP 500"' in info["online.failures"]
    assert info_rows(None) == {"online.enabled": "false"}


def _hf(request: httpx.Request) -> httpx.Response:
    title = request.url.params.get("q", "")
    paper = {"id": "2401.00042", "title": title, "githubRepo": "example-lab/tinyroute"}
    return httpx.Response(200, json=[{"paper": paper}])


def test_failed_build_keeps_its_answers_beside_the_database(
    rich_page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails after enrichment leaves no database (there was none) but keeps the
    answers it fetched beside it; the next build asks for none of them again."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url}")
        return _hf(request)

    options = BuildOptions(
        db=tmp_path / "db.duckdb",
        out=tmp_path / "out",
        online=True,
        http=HttpSettings(base_urls={"hf": "https://hf.test"}, sleep=lambda s: None),
        http_transport=httpx.MockTransport(answer),
    )

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash in a later stage")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "write_metrics", broken)
        with pytest.raises(RuntimeError):
            build([rich_page], options)
    pending = tmp_path / "db.duckdb.pending-answers"
    assert not options.db.exists() and pending.is_file()
    # One answer per paper from HF, plus the later services'. (This fake answers GitHub with
    # an HF list too: unusable, so those are not kept and are asked again.)
    kept = {s for s in sent if "api.github.com" not in s}
    assert len(kept) > 3 and sum("hf.test/api/papers/search" in s for s in kept) == 3
    sent.clear()
    build([rich_page], options)
    assert sent and not set(sent) & kept
    assert all("api.github.com" in s for s in sent)
    assert not pending.exists()
    with open_store(options.db, read_only=True) as store:
        keys = [row[0] for row in store.query("SELECT key FROM http_cache")]
    assert sum("hf.test/api/papers/search" in key for key in keys) == 3
    assert not any("api.github.com" in key for key in keys)


def test_build_online_with_mock_transport(rich_page: Path, tmp_path: Path) -> None:
    """The library build applies HF answers: arXiv ids and an 'hf' code link."""
    options = BuildOptions(
        db=tmp_path / "db.duckdb",
        out=tmp_path / "out",
        online=True,
        http=HttpSettings(base_urls={"hf": "https://hf.test"}, sleep=lambda s: None),
        http_transport=httpx.MockTransport(_hf),
    )
    summary = build([rich_page], options)
    assert summary.online is not None and summary.online.enrichment.resolved["hf"] == 3
    with open_store(options.db, read_only=True) as store:
        assert store.query("SELECT count(DISTINCT arxiv_id) FROM papers") == [(1,)]
        assert store.query(
            "SELECT count(*) FROM edges WHERE kind = 'code' AND dst = 'github.com/example-lab/tinyroute'"
        ) == [(3,)]
