"""Tests for the GitHub collector: parsing repository JSON and fetching through a mocked client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from collectors.github import GITHUB_HEADERS, enrich_repos, fetch_repo, parse_repo
from paperweb.errors import UnusableResponse

BASE = "https://api.github.test"


def repo_json(full_name: str, **extra: Any) -> dict[str, Any]:
    """A repository object shaped like GitHub's, written for these tests."""
    owner = full_name.split("/")[0]
    data: dict[str, Any] = {
        "id": 4242,
        "name": full_name.split("/")[1],
        "full_name": full_name,
        "owner": {"login": owner, "id": 7, "type": "Organization"},
        "html_url": f"https://github.com/{full_name}",
        "description": "Sparse routing for tiny graph transformers",
        "homepage": "",
        "fork": False,
        "stargazers_count": 321,
        "watchers_count": 321,
        "forks_count": 12,
        "language": "Python",
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
        "topics": ["graph-transformers", "sparse-attention"],
        "archived": False,
        "pushed_at": "2025-03-04T05:06:07Z",
    }
    data.update(extra)
    return data


Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, seen: list[httpx.Request] | None = None) -> httpx.Client:
    """A client whose requests are answered by ``handler`` (and recorded in ``seen``)."""

    def record(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return handler(request)

    return httpx.Client(base_url=BASE, transport=httpx.MockTransport(record))


def routes(table: dict[str, httpx.Response]) -> Handler:
    """A handler answering by path, 404 for anything else."""

    def handler(request: httpx.Request) -> httpx.Response:
        return table.get(request.url.path, httpx.Response(404, json={"message": "Not Found"}))

    return handler


def test_parse_repo_reads_every_field() -> None:
    """Every field lands in RepoInfo, the target is the lower-case canonical form."""
    info = parse_repo(repo_json("Example-Lab/TinyRoute"))
    assert info.target == "github.com/example-lab/tinyroute"
    assert info.full_name == "Example-Lab/TinyRoute"
    assert (info.stars, info.forks, info.language, info.license) == (321, 12, "Python", "MIT")
    assert info.topics == ("graph-transformers", "sparse-attention")
    assert info.homepage is None  # GitHub sends "" when no homepage is set
    assert (info.archived, info.fork, info.status) == (False, False, "ok")
    assert info.pushed_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("license_json", "expected"),
    [
        ({"key": "other", "name": "Other", "spdx_id": "NOASSERTION"}, "Other"),
        (
            {"key": "apache-2.0", "name": "Apache License 2.0", "spdx_id": "Apache-2.0"},
            "Apache-2.0",
        ),
        (None, None),
    ],
)
def test_parse_repo_license(license_json: dict[str, str] | None, expected: str | None) -> None:
    """The SPDX id is used, the licence name when GitHub cannot assert one, None without licence."""
    assert parse_repo(repo_json("a/b", license=license_json)).license == expected


@pytest.mark.parametrize("body", [{"message": "hello"}, [], {"full_name": "no-slash"}])
def test_parse_repo_rejects_answers_without_full_name(body: object) -> None:
    """An answer with no owner/name full_name is unusable, not a repository."""
    with pytest.raises(UnusableResponse):
        parse_repo(body)


def test_fetch_repo_found_sends_github_headers() -> None:
    """A 200 gives an ok record from one GET with the API version headers."""
    seen: list[httpx.Request] = []
    answers = {
        "/repos/Example-Lab/TinyRoute": httpx.Response(200, json=repo_json("Example-Lab/TinyRoute"))
    }
    with client_for(routes(answers), seen) as client:
        result = fetch_repo(client, "Example-Lab", "TinyRoute")
    assert result.failure is None and result.repo is not None
    assert result.repo.status == "ok" and result.renamed_to is None
    assert len(seen) == 1 and seen[0].method == "GET"
    for name, value in GITHUB_HEADERS.items():
        assert seen[0].headers[name] == value


def test_fetch_repo_404_is_missing() -> None:
    """A 404 gives a missing record for the requested target, not a failure."""
    with client_for(routes({})) as client:
        result = fetch_repo(client, "gone", "Away")
    assert result.failure is None
    assert result.repo is not None
    assert (result.repo.target, result.repo.status) == ("github.com/gone/away", "missing")


def test_fetch_repo_follows_301_to_renamed_repo() -> None:
    """A 301 to /repositories/<id> is followed and the record says renamed, with the new target."""
    seen: list[httpx.Request] = []
    answers = {
        "/repos/old-lab/oldname": httpx.Response(
            301,
            json={"message": "Moved Permanently", "url": f"{BASE}/repositories/4242"},
            headers={"Location": f"{BASE}/repositories/4242"},
        ),
        "/repositories/4242": httpx.Response(200, json=repo_json("New-Lab/NewName")),
    }
    with client_for(routes(answers), seen) as client:
        result = fetch_repo(client, "old-lab", "oldname")
    assert result.repo is not None and result.repo.status == "renamed"
    assert result.requested == "github.com/old-lab/oldname"
    assert result.renamed_to == "github.com/new-lab/newname"
    assert [r.url.path for r in seen] == ["/repos/old-lab/oldname", "/repositories/4242"]
    assert seen[1].headers["X-GitHub-Api-Version"] == "2022-11-28"


def test_fetch_repo_refuses_redirect_to_other_host() -> None:
    """A redirect off the API host is a failure, so the client's token never leaves it."""
    seen: list[httpx.Request] = []
    answers = {
        "/repos/a/b": httpx.Response(301, headers={"Location": "https://elsewhere.test/repos/a/c"})
    }
    with client_for(routes(answers), seen) as client:
        result = fetch_repo(client, "a", "b")
    assert result.repo is None and "another host" in (result.failure or "")
    assert len(seen) == 1


def test_fetch_repo_redirect_loop_fails() -> None:
    """A redirect loop stops after a few hops with a failure record."""
    loop = httpx.Response(301, headers={"Location": "/repos/a/b"})
    with client_for(lambda request: loop) as client:
        result = fetch_repo(client, "a", "b")
    assert result.repo is None and "redirects" in (result.failure or "")


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(500, text="oops"), "HTTP 500"),
        (
            httpx.Response(403, json={"message": "API rate limit exceeded for 10.0.0.1."}),
            "HTTP 403: API rate limit exceeded",
        ),
        (httpx.Response(200, text='{"full_name": "a/b", '), "not valid JSON"),
        (httpx.Response(200, json={"message": "Bad credentials"}), "no owner/name"),
    ],
)
def test_fetch_repo_failures_are_records(response: httpx.Response, reason: str) -> None:
    """5xx, rate limits, malformed JSON and odd bodies give a failure record naming the reason."""
    with client_for(lambda request: response) as client:
        result = fetch_repo(client, "a", "b")
    assert result.repo is None
    assert reason in (result.failure or "")


def test_fetch_repo_connection_error_is_a_record() -> None:
    """A transport error (after the client's own retries) becomes a failure record."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with client_for(refuse) as client:
        result = fetch_repo(client, "a", "b")
    assert result.repo is None and "ConnectError" in (result.failure or "")


def test_enrich_repos_collects_renames_missing_topics_and_failures() -> None:
    """Distinct GitHub targets are fetched once each; other hosts are skipped."""
    seen: list[httpx.Request] = []
    answers = {
        "/repos/example-lab/tinyroute": httpx.Response(
            200, json=repo_json("Example-Lab/TinyRoute")
        ),
        "/repos/old-lab/oldname": httpx.Response(
            301, headers={"Location": f"{BASE}/repositories/9"}
        ),
        "/repositories/9": httpx.Response(200, json=repo_json("New-Lab/NewName", topics=[])),
        "/repos/broken/repo": httpx.Response(502, text="bad gateway"),
    }
    targets = [
        "github.com/example-lab/tinyroute",
        "github.com/example-lab/tinyroute",
        "github.com/old-lab/oldname",
        "github.com/gone/away",
        "github.com/broken/repo",
        "gitlab.com/group/project",
        "roahmlab.github.io/DEFT",
    ]
    with client_for(routes(answers), seen) as client:
        result = enrich_repos(client, targets)
    assert len([r for r in seen if r.url.path.startswith("/repos/")]) == 4
    assert result.renamed == {"github.com/old-lab/oldname": "github.com/new-lab/newname"}
    assert result.missing == {"github.com/gone/away"}
    assert result.failures == [("github.com/broken/repo", "HTTP 502")]
    assert [(r.target, r.status) for r in result.repos] == [
        ("github.com/example-lab/tinyroute", "ok"),
        ("github.com/gone/away", "missing"),
        ("github.com/new-lab/newname", "renamed"),
    ]
    assert result.topics == [
        ("github.com/example-lab/tinyroute", "graph-transformers"),
        ("github.com/example-lab/tinyroute", "sparse-attention"),
    ]
