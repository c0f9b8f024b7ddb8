"""GitHub repository metadata: a pure parser over ``GET /repos/{owner}/{repo}`` and a thin fetcher.

The fetcher never raises for an answer about one repository: a 404 gives a
``missing`` record, a 301 is followed (same host only, a few hops) and gives a
``renamed`` record, and anything else (5xx after the client's own retries, 403
rate limits, malformed JSON, connection errors) gives a :class:`RepoResult`
with ``failure`` set, so that enrichment records it and goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from collectors.payloads import UnusableResponse, read_json, service_failure
from collectors.records import stored_count
from collectors.transports import forget_answer
from paperweb.errors import FetchError

__all__ = [
    "GITHUB_HEADERS",
    "GithubEnrichment",
    "RepoInfo",
    "RepoResult",
    "enrich_repos",
    "fetch_repo",
    "missing_repo",
    "parse_repo",
]

GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
#: redirects followed for one repository (a rename, then perhaps a transfer)
MAX_HOPS = 3


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """What GitHub knows about one repository: a row of the ``repos`` table."""

    target: str
    full_name: str | None
    html_url: str | None = None
    description: str | None = None
    homepage: str | None = None
    stars: int | None = None
    forks: int | None = None
    topics: tuple[str, ...] = ()
    language: str | None = None
    license: str | None = None
    archived: bool | None = None
    fork: bool | None = None
    pushed_at: datetime | None = None
    #: ok, missing (404: deleted or private) or renamed (reached through a 301)
    status: str = "ok"


@dataclass(frozen=True, slots=True)
class RepoResult:
    """The answer for one requested repo target: a record, or the reason there is none."""

    requested: str
    repo: RepoInfo | None
    failure: str | None = None

    @property
    def renamed_to(self) -> str | None:
        """The new canonical target when the repository was renamed or transferred."""
        if self.repo is not None and self.repo.status == "renamed":
            return self.repo.target
        return None


@dataclass(slots=True)
class GithubEnrichment:
    """Everything GitHub said about a set of repo targets."""

    repos: list[RepoInfo] = field(default_factory=list)
    #: old canonical target -> new canonical target
    renamed: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    #: (canonical target after renames, topic) pairs: keywords for the repo's papers
    topics: list[tuple[str, str]] = field(default_factory=list)
    #: (requested target, one-line reason)
    failures: list[tuple[str, str]] = field(default_factory=list)


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _count(data: dict[str, Any], key: str) -> int | None:
    return stored_count(data.get(key))


def _flag(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        # 9999-12-31T23:00:00-12:00 is past datetime.max once in UTC: no usable time.
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _license(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    # GitHub says NOASSERTION when it cannot tell which licence a file is; the name is more useful.
    spdx = value.get("spdx_id")
    if isinstance(spdx, str) and spdx and spdx != "NOASSERTION":
        return spdx
    name = value.get("name")
    return name if isinstance(name, str) and name else None


def parse_repo(data: Any, status: str = "ok") -> RepoInfo:
    """A :class:`RepoInfo` from the JSON of ``GET /repos/{owner}/{repo}``.

    >>> parse_repo({"full_name": "Example-Lab/TinyRoute", "stargazers_count": 3}).target
    'github.com/example-lab/tinyroute'
    """
    full_name = data.get("full_name") if isinstance(data, dict) else None
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        raise UnusableResponse("GitHub repository answer has no owner/name full_name")
    topics = data.get("topics")
    return RepoInfo(
        target=f"github.com/{full_name}".lower(),
        full_name=full_name,
        html_url=_text(data, "html_url"),
        description=_text(data, "description"),
        homepage=_text(data, "homepage"),
        stars=_count(data, "stargazers_count"),
        forks=_count(data, "forks_count"),
        topics=tuple(t for t in topics if isinstance(t, str) and t)
        if isinstance(topics, list)
        else (),
        language=_text(data, "language"),
        license=_license(data.get("license")),
        archived=_flag(data, "archived"),
        fork=_flag(data, "fork"),
        pushed_at=_timestamp(data.get("pushed_at")),
        status=status,
    )


def missing_repo(target: str) -> RepoInfo:
    """The record of a repository GitHub does not show (deleted, or private)."""
    return RepoInfo(target=target, full_name=None, status="missing")


def _split_target(target: str) -> tuple[str, str] | None:
    parts = target.split("/")
    if len(parts) == 3 and parts[0] == "github.com" and parts[1] and parts[2]:
        return parts[1], parts[2]
    return None


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def fetch_repo(client: httpx.Client, owner: str, repo: str) -> RepoResult:
    """Ask GitHub about ``owner/repo`` through ``client`` (base URL and auth are the client's).

    Redirects are followed only to the host first asked, so that a token the
    client carries never travels elsewhere.
    """
    requested = f"github.com/{owner}/{repo}".lower()
    request = client.build_request("GET", f"/repos/{owner}/{repo}", headers=GITHUB_HEADERS)
    hops = 0
    response: httpx.Response | None = None
    try:
        while True:
            response = client.send(request, follow_redirects=False)
            if response.status_code not in (301, 302, 307, 308):
                break
            location = response.headers.get("location")
            if not location:
                return RepoResult(requested, None, f"HTTP {response.status_code} without Location")
            next_url = response.url.join(location)
            if not _same_origin(next_url, request.url):
                return RepoResult(requested, None, f"redirected to another host ({next_url.host})")
            hops += 1
            if hops > MAX_HOPS:
                return RepoResult(requested, None, f"more than {MAX_HOPS} redirects")
            request = client.build_request("GET", next_url, headers=GITHUB_HEADERS)
        if response.status_code == 404:
            return RepoResult(requested, missing_repo(requested))
        if response.status_code != 200:
            return RepoResult(requested, None, service_failure(response))
        info = parse_repo(read_json(response, f"GitHub repository {owner}/{repo}"))
    except httpx.HTTPError as exc:
        return RepoResult(requested, None, f"{type(exc).__name__}: {exc}")
    except FetchError as exc:
        forget_answer(response)  # an answer we cannot use is not kept as if it were good
        return RepoResult(requested, None, str(exc))
    if info.target != requested:
        # A 301 chain, or a mirror that answers with the new name directly: either way it moved.
        info = replace(info, status="renamed")
    return RepoResult(requested, info)


def enrich_repos(client: httpx.Client, targets: Iterable[str]) -> GithubEnrichment:
    """Fetch every distinct ``github.com/<owner>/<repo>`` target, one request at a time.

    Other targets (GitLab, anonymous.4open.science, pages) are ignored.
    """
    result = GithubEnrichment()
    kept: dict[str, RepoInfo] = {}
    for target in sorted({t for t in targets if _split_target(t) is not None}):
        owner, repo = _split_target(target) or ("", "")
        answer = fetch_repo(client, owner, repo)
        if answer.repo is None:
            result.failures.append((target, answer.failure or "no answer"))
            continue
        info = answer.repo
        if info.status == "missing":
            result.missing.add(target)
        if answer.renamed_to is not None:
            result.renamed[target] = answer.renamed_to
        # Two old names may lead to one repository: keep one row, preferring the one that says renamed.
        if info.target not in kept or info.status == "renamed":
            kept[info.target] = info
    result.repos = [kept[t] for t in sorted(kept)]
    result.topics = sorted({(info.target, topic) for info in result.repos for topic in info.topics})
    return result
