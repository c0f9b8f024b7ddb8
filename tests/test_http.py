"""The HTTP stack: auth per host, cache, retries with backoff, rate-limit headers, pacing, size cap."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from collectors.http import (
    USER_AGENT,
    HttpSettings,
    HttpStats,
    ResponseTooLarge,
    make_client,
    settings_from_env,
)
from graph.store import Store, open_store
from paperweb.errors import UsageError

Handler = Callable[[httpx.Request], httpx.Response]
SECRET = "SENTINEL-secret-0123456789"


class Clock:
    """A fake clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Record the wait and move time on."""
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def time(self) -> float:
        """The current fake time."""
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A fresh fake clock."""
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An on-disk database for the cache."""
    with open_store(tmp_path / "cache.duckdb") as opened:
        yield opened


def _settings(clock: Clock, **overrides: object) -> HttpSettings:
    settings = HttpSettings(
        base_urls={s: f"https://{s}.test" for s in ("hf", "github", "s2", "openalex", "arxiv")},
        secrets={"GITHUB_TOKEN": SECRET, "S2_API_KEY": SECRET, "OPENALEX_API_KEY": SECRET},
        sleep=clock.sleep,
        clock=clock.time,
        wall=clock.time,
        jitter=lambda: 0.0,
    )
    for name, value in overrides.items():
        setattr(settings, name, value)
    return settings


def _scripted(answers: Sequence[httpx.Response | Exception], seen: list[httpx.Request]) -> Handler:
    """A handler that gives the answers in order (the last one forever) and records requests."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handle


def _client(
    service: str,
    settings: HttpSettings,
    answers: Sequence[httpx.Response | Exception],
    seen: list[httpx.Request],
    store: Store | None = None,
    stats: HttpStats | None = None,
) -> httpx.Client:
    mock = httpx.MockTransport(_scripted(answers, seen))
    return make_client(service, settings, store=store, stats=stats, inner=mock)


@pytest.mark.parametrize(
    ("service", "header", "expected"),
    [
        ("github", "authorization", f"Bearer {SECRET}"),
        ("s2", "x-api-key", SECRET),
        ("hf", "authorization", None),
        ("arxiv", "x-api-key", None),
    ],
)
def test_make_client_auth_only_for_own_service(
    clock: Clock, service: str, header: str, expected: str | None
) -> None:
    """Each secret goes to its own service only, and every request names paperweb."""
    seen: list[httpx.Request] = []
    with _client(service, _settings(clock), [httpx.Response(200, json={})], seen) as client:
        client.get("/x")
    assert seen[0].headers.get(header) == expected
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert SECRET not in str(seen[0].url) and str(seen[0].url).startswith(f"https://{service}.test")


def test_make_client_openalex_key_as_param_not_in_cache(clock: Clock, store: Store) -> None:
    """OpenAlex gets api_key as a parameter; the cache key and the file never contain it."""
    seen: list[httpx.Request] = []
    answer = [httpx.Response(200, json={"id": "W1"})]
    with _client("openalex", _settings(clock), answer, seen, store) as client:
        client.get("/works/doi:10.48550/arXiv.2401.00001")
    assert seen[0].url.params["api_key"] == SECRET
    keys = [row[0] for row in store.query("SELECT key FROM http_cache")]
    assert keys == ["GET https://openalex.test/works/doi:10.48550/arXiv.2401.00001"]
    store.con.execute("CHECKPOINT")
    assert SECRET.encode() not in store.path.read_bytes()


def test_make_client_secret_not_sent_to_other_host(clock: Clock) -> None:
    """A GitHub client asked for another host (a redirect target, say) does not send the token."""
    seen: list[httpx.Request] = []
    with _client("github", _settings(clock), [httpx.Response(200)], seen) as client:
        client.get("https://elsewhere.test/repos/a/b")
    assert "authorization" not in seen[0].headers


def test_cache_second_client_sends_nothing(clock: Clock, store: Store) -> None:
    """A fresh answer is served from the cache: zero requests the second time."""
    seen: list[httpx.Request] = []
    settings = _settings(clock)
    for _ in range(2):
        stats = HttpStats()
        answer = [httpx.Response(200, json={"id": "2401.00001"})]
        with _client("hf", settings, answer, seen, store, stats) as client:
            assert client.get("/api/papers/2401.00001").json() == {"id": "2401.00001"}
    assert len(seen) == 1
    assert (stats.requests, stats.cached) == (0, 1)


def test_cache_refresh_refetches(clock: Clock, store: Store) -> None:
    """With refresh, the cache is not read (but is updated)."""
    seen: list[httpx.Request] = []
    for refresh, value in ((False, 1), (True, 2)):
        settings = _settings(clock, refresh=refresh)
        with _client("hf", settings, [httpx.Response(200, json=value)], seen, store) as client:
            assert client.get("/api/papers/x").json() == value
    assert len(seen) == 2
    assert store.query("SELECT body FROM http_cache") == [(b"2",)]


@pytest.mark.parametrize(
    ("status", "days", "requests"),
    [(200, 6, 1), (200, 8, 2), (404, 0.5, 1), (404, 2, 2), (500, 0, 2)],
)
def test_cache_freshness_by_status(
    clock: Clock, store: Store, status: int, days: float, requests: int
) -> None:
    """Answers stay fresh 7 days, 404s one day; a 5xx is never cached."""
    seen: list[httpx.Request] = []
    settings = _settings(clock, max_tries=1)
    for _ in range(2):
        with _client("hf", settings, [httpx.Response(status, json={})], seen, store) as client:
            client.get("/api/papers/x")
        clock.now += days * 86400
    assert len(seen) == requests


@pytest.mark.parametrize(
    ("first", "waits"),
    [
        (httpx.Response(429, headers={"Retry-After": "3"}), [3.0]),
        (httpx.Response(429, headers={"RateLimit": '"api";r=0;t=7'}), [7.0]),
        (
            httpx.Response(
                403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000005"}
            ),
            [5.0],
        ),
        (httpx.Response(500), [1.0]),
        (httpx.Response(503), [1.0]),
        (httpx.ConnectError("refused"), [1.0]),
        (httpx.ReadTimeout("slow"), [1.0]),
    ],
)
def test_retry_then_success(
    clock: Clock, first: httpx.Response | Exception, waits: list[float]
) -> None:
    """A transient failure waits as the service asks (or backs off) and then succeeds."""
    seen: list[httpx.Request] = []
    stats = HttpStats()
    answers = [first, httpx.Response(200, json={"ok": True})]
    with _client("github", _settings(clock), answers, seen, stats=stats) as client:
        assert client.get("/repos/a/b").json() == {"ok": True}
    assert clock.sleeps == waits
    assert (len(seen), stats.retries) == (2, 1)


def test_retry_backoff_grows_and_is_bounded(clock: Clock) -> None:
    """500s forever: 4 tries with doubling waits, then the 500 is handed back."""
    seen: list[httpx.Request] = []
    with _client("hf", _settings(clock), [httpx.Response(500)], seen) as client:
        assert client.get("/api/papers/x").status_code == 500
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert len(seen) == 4


def test_retry_connect_errors_raise_after_last_try(clock: Clock) -> None:
    """A host that never answers raises after the bounded number of tries."""
    seen: list[httpx.Request] = []
    with (
        _client("hf", _settings(clock), [httpx.ConnectError("refused")], seen) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.get("/api/papers/x")
    assert len(seen) == 4


def test_retry_refuses_to_wait_an_hour(clock: Clock) -> None:
    """A rate limit that resets in an hour is recorded, not slept through."""
    seen: list[httpx.Request] = []
    stats = HttpStats()
    limited = httpx.Response(429, headers={"Retry-After": "3600"})
    with _client("github", _settings(clock), [limited], seen, stats=stats) as client:
        assert client.get("/repos/a/b").status_code == 429
        # the host stays blocked: later items fail at once, without a request
        assert client.get("/repos/c/d").status_code == 429
        clock.now += 3601
        client.get("/repos/e/f")
    assert (clock.sleeps, len(seen), stats.rate_limited) == ([], 2, 3)


def test_quota_spent_waits_before_next_request(clock: Clock) -> None:
    """HF says the window's requests are used up (r=0): wait t seconds before going on."""
    seen: list[httpx.Request] = []
    spent = httpx.Response(200, json=[], headers={"RateLimit": '"api";r=0;t=4'})
    with _client("hf", _settings(clock), [spent], seen) as client:
        client.get("/api/papers/search", params={"q": "x"})
    assert clock.sleeps == [4.0]


def test_pacing_keeps_one_second_between_s2_requests(clock: Clock) -> None:
    """Semantic Scholar is asked at most about once a second."""
    seen: list[httpx.Request] = []
    with _client("s2", _settings(clock), [httpx.Response(200, json={})], seen) as client:
        for _ in range(3):
            client.get("/paper/ARXIV:2401.00001")
    assert clock.sleeps == [1.0, 1.0]


@pytest.mark.parametrize(("pacing", "sleeps"), [("0", []), ("2.5", [2.5, 2.5])])
def test_pacing_setting_scales_the_pause(clock: Clock, pacing: str, sleeps: list[float]) -> None:
    """PAPERWEB_HTTP_PACING multiplies the pause: 0 for a local test server, more to be gentler."""
    settings = _settings(clock, pacing=settings_from_env({"PAPERWEB_HTTP_PACING": pacing}).pacing)
    seen: list[httpx.Request] = []
    with _client("s2", settings, [httpx.Response(200, json={})], seen) as client:
        for _ in range(3):
            client.get("/paper/ARXIV:2401.00001")
    assert clock.sleeps == sleeps


def test_size_cap_fails_large_answer(clock: Clock) -> None:
    """An answer over the size cap is a failure, not a memory problem."""
    seen: list[httpx.Request] = []
    settings = _settings(clock, max_bytes=1000)
    with (
        _client("hf", settings, [httpx.Response(200, content=b"x" * 5000)], seen) as client,
        pytest.raises(ResponseTooLarge, match="larger than 1,000 bytes"),
    ):
        client.get("/api/papers/x")


def test_settings_from_env_reads_urls_tokens_and_knobs() -> None:
    """Base URLs, secrets and patience come from the environment; secrets stay out of repr."""
    settings = settings_from_env(
        {
            "PAPERWEB_HF_URL": "http://127.0.0.1:9/",
            "GITHUB_TOKEN": SECRET,
            "PAPERWEB_HTTP_TRIES": "2",
        }
    )
    assert settings.base_url("hf") == "http://127.0.0.1:9"
    assert settings.base_url("s2") == "https://api.semanticscholar.org/graph/v1"
    assert settings.secrets == {"GITHUB_TOKEN": SECRET}
    assert settings.max_tries == 2
    assert SECRET not in repr(settings)


def test_settings_from_env_rejects_bad_number() -> None:
    """A knob that is not a number is a usage error naming the variable."""
    with pytest.raises(UsageError, match="PAPERWEB_HTTP_BACKOFF"):
        settings_from_env({"PAPERWEB_HTTP_BACKOFF": "soon"})
