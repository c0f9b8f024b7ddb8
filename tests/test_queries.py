"""Online inputs against fake services: id completion (HF, then arXiv), searches, daily lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import httpx
import pytest

from collectors.arxiv import parse_arxiv_feed
from collectors.arxiv_ids import parse_id_list
from collectors.huggingface import daily_papers, search_papers
from collectors.queries import OnlineInputs, collect_online, days_between, fetch_full_papers
from paperweb.errors import FetchError, UsageError
from tests.fake_hub import FakeArxiv, FakeHub, arxiv_feed, hf_paper

IDS = [f"2506.{n:05d}" for n in range(1, 21)]


def _hub_with_ids() -> FakeHub:
    return FakeHub(
        papers={
            i: hf_paper(i, f"Paper number {n}", githubRepo=f"lab{n}/code{n}")
            for n, i in enumerate(IDS, 1)
        }
    )


def _online(
    hub: FakeHub,
    arxiv: FakeArxiv | None = None,
    queries: Sequence[str] = (),
    days: Sequence[date] = (),
) -> OnlineInputs:
    pauses: list[float] = []
    return OnlineInputs(
        hf=hub.client(),
        arxiv=(arxiv or FakeArxiv()).client(),
        queries=queries,
        days=days,
        sleep=pauses.append,
    )


def test_fetch_full_papers_completes_20_ids_from_hf() -> None:
    """An id list of 20 ids becomes 20 full papers with links, keeping the list as source."""
    hub = _hub_with_ids()
    listed = parse_id_list("\n".join(IDS), "ids.txt").papers
    papers, skipped = fetch_full_papers(_online(hub), listed)
    assert skipped == []
    assert [(p.title, p.source, p.position, p.origin) for p in papers] == [
        (f"Paper number {n}", "ids.txt", n, "hf") for n in range(1, 21)
    ]
    assert all(p.abstract and p.authors == 3 and p.published for p in papers)
    assert [p.links[0].target for p in papers] == [
        f"github.com/lab{n}/code{n}" for n in range(1, 21)
    ]
    assert len(hub.requests) == 20


def test_fetch_full_papers_falls_back_to_arxiv_in_one_batch() -> None:
    """Ids HF does not know are asked of arXiv together; unknown everywhere are reported."""
    hub = FakeHub(papers={"2506.00001": hf_paper("2506.00001", "On HF")})
    arxiv = FakeArxiv(papers={"2401.00001": ("Only on arXiv", "An abstract.")})
    listed = parse_id_list("2506.00001\n2401.00001\nhep-th/9901001\n", "ids.txt").papers
    papers, skipped = fetch_full_papers(_online(hub, arxiv), listed)
    assert [(p.title, p.origin) for p in papers] == [
        ("On HF", "hf"),
        ("Only on arXiv", "arxiv"),
        ("", "ids"),
    ]
    assert papers[1].links[0].target == "github.com/arx/2401-00001"
    assert (papers[1].authors, papers[1].published) == (2, date(2024, 1, 2))
    assert skipped == [
        "ids.txt:3: arXiv id hep-th/9901001 not found on Hugging Face or arXiv; "
        "kept with its id only"
    ]
    assert len(arxiv.requests) == 1
    assert arxiv.requests[0].url.params["id_list"] == "2401.00001,hep-th/9901001"
    assert arxiv.requests[0].url.params["max_results"] == "2"


def test_parse_arxiv_feed_ignores_error_and_unasked_entries() -> None:
    """Only entries for ids we asked for become papers (arXiv error entries are skipped)."""
    feed = arxiv_feed([("2401.00001v1", "Asked", "A."), ("2401.99999v1", "Not asked", "B.")])
    feed = feed.replace("</feed>", "<entry><id>http://arxiv.org/api/errors#x</id></entry></feed>")
    papers = parse_arxiv_feed(feed, {"2401.00001": ("ids.txt", 4)})
    assert [(p.title, p.source, p.position) for p in papers] == [("Asked", "ids.txt", 4)]


def test_parse_arxiv_feed_rejects_non_xml() -> None:
    """An answer that is not XML is a FetchError."""
    with pytest.raises(FetchError, match="not Atom XML"):
        parse_arxiv_feed("<html", {})


def test_search_papers_records_query_as_source() -> None:
    """Search results carry hf-search:<query> and their rank; the limit is sent and applied."""
    hub = FakeHub(search_results=[hf_paper(f"2505.{n:05d}", f"Result {n}") for n in range(1, 9)])
    papers = search_papers(hub.client(), "  linear   mode connectivity ", limit=5)
    assert [(p.source, p.position) for p in papers] == [
        ("hf-search:linear mode connectivity", n) for n in range(1, 6)
    ]
    params = hub.requests[0].url.params
    assert (params["q"], params["limit"]) == ("linear mode connectivity", "5")


def test_daily_papers_pages_until_short_page() -> None:
    """A daily list of 230 papers is read in pages of 100 and recorded as hf-daily:<date>."""
    day = date(2025, 6, 27)
    hub = FakeHub(daily={"2025-06-27": [hf_paper(f"2506.{n:05d}", f"D{n}") for n in range(230)]})
    papers = daily_papers(hub.client(), day)
    assert len(papers) == 230 and {p.source for p in papers} == {"hf-daily:2025-06-27"}
    assert [p.position for p in papers] == list(range(1, 231))
    assert [r.url.params["p"] for r in hub.requests] == ["0", "1", "2"]


def test_collect_online_adds_queries_and_days() -> None:
    """collect_online completes ids and appends search and daily papers."""
    hub = _hub_with_ids()
    hub.search_results = [hf_paper("2505.00001", "Searched")]
    hub.daily = {"2025-06-28": [hf_paper("2505.00002", "Daily")]}
    online = _online(hub, queries=["graphs"], days=[date(2025, 6, 27), date(2025, 6, 28)])
    papers, skipped = collect_online(online, parse_id_list(IDS[0], "ids.txt").papers)
    assert [(p.title, p.source) for p in papers] == [
        ("Paper number 1", "ids.txt"),
        ("Searched", "hf-search:graphs"),
        ("Daily", "hf-daily:2025-06-28"),
    ]
    assert skipped == []


@pytest.mark.parametrize("status", [429, 500, 503])
def test_search_papers_server_errors_are_fetch_errors(status: int) -> None:
    """An HTTP error answer becomes one FetchError naming the URL and status."""
    client = httpx.Client(
        base_url="https://hf.test", transport=httpx.MockTransport(lambda r: httpx.Response(status))
    )
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        search_papers(client, "x")


def test_days_between_includes_both_ends_and_checks_order() -> None:
    """A range lists every day; reversed or malformed dates are usage errors."""
    assert days_between("2025-02-27", "2025-03-01") == [
        date(2025, 2, 27),
        date(2025, 2, 28),
        date(2025, 3, 1),
    ]
    with pytest.raises(UsageError, match="end is before"):
        days_between("2025-03-01", "2025-02-27")
    with pytest.raises(UsageError, match="not a date"):
        days_between("yesterday", "2025-02-27")


def test_fetch_full_papers_unreadable_hf_answer_falls_back_to_arxiv() -> None:
    """An HF answer that is not a paper object sends the id to arXiv instead."""

    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=["not", "a", "paper"])

    arxiv = FakeArxiv(papers={"2401.00001": ("From arXiv", "Abstract.")})
    online = OnlineInputs(
        hf=httpx.Client(base_url="https://hf.test", transport=httpx.MockTransport(odd)),
        arxiv=arxiv.client(),
    )
    papers, skipped = fetch_full_papers(online, parse_id_list("2401.00001", "ids.txt").papers)
    assert [(p.title, p.origin) for p in papers] == [("From arXiv", "arxiv")] and skipped == []


def test_fetch_arxiv_batches_with_pause() -> None:
    """More than 50 missing ids are asked of arXiv in batches of 50, pausing between them."""
    ids = [f"2401.{n:05d}" for n in range(1, 121)]
    arxiv = FakeArxiv(papers={i: (f"T {i}", "A.") for i in ids})
    pauses: list[float] = []
    online = OnlineInputs(hf=FakeHub().client(), arxiv=arxiv.client(), sleep=pauses.append)
    papers, skipped = fetch_full_papers(online, parse_id_list("\n".join(ids), "ids.txt").papers)
    assert [p.title for p in papers] == [f"T {i}" for i in ids] and skipped == []
    assert [len(r.url.params["id_list"].split(",")) for r in arxiv.requests] == [50, 50, 20]
    assert pauses == [3.0, 3.0]
