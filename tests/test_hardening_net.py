"""Hostile services (issue 18): gzip bombs, slow drips, bad settings, dead and junk services.

Every online case runs against a loopback server (tests/hostile_server.py) or an
``httpx.MockTransport``; none reaches the network.
"""

from __future__ import annotations

import gzip
import tracemalloc
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from collectors.bodies import UndecodableAnswer
from collectors.enrich import PaperRef, enrich_with_hf
from collectors.github import enrich_repos
from collectors.http import HttpSettings, HttpStats, ResponseTooLarge, make_client
from collectors.services import settings_from_env
from graph.store import Store
from paperweb.errors import UsageError
from tests import test_http
from tests.hostile_server import HeaderDrip, drip, gzip_bomb, hostile, send
from tests.test_http import Clock

#: the on-disk cache database of the HTTP tests
store = test_http.store


def _settings(url: str, **overrides: object) -> HttpSettings:
    settings = HttpSettings(
        base_urls=dict.fromkeys(("hf", "github", "s2", "openalex", "arxiv"), url),
        backoff=0.0,
        jitter=lambda: 0.0,
    )
    for name, value in overrides.items():
        setattr(settings, name, value)
    return settings


def _cached_keys(store: Store) -> list[str]:
    return [row[0] for row in store.query("SELECT key FROM http_cache ORDER BY key")]


def test_gzip_bomb_fails_under_the_cap_in_decoded_bytes(store: Store) -> None:
    """A 256 KiB answer that inflates to 256 MiB fails at the 8 MiB cap, never held whole."""
    bomb = gzip_bomb()
    assert len(bomb) < 1 << 20

    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, bomb, {"Content-Encoding": "gzip"})

    with hostile({"/api/papers/": answer}) as server:
        settings = _settings(server.url)
        with make_client("hf", settings, store=store) as client:
            tracemalloc.start()
            try:
                with pytest.raises(ResponseTooLarge, match="larger than 8,388,608 bytes"):
                    client.get("/api/papers/2401.00001")
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            with pytest.raises(ResponseTooLarge):
                client.get("/api/papers/2401.00001")
        assert server.hits("/api/papers/") == 2  # not cached: asked again
    assert peak < 64 << 20
    assert _cached_keys(store) == []


def test_gzip_answer_under_the_cap_is_decoded_and_cached_decoded(store: Store) -> None:
    """A normal gzip answer reads as JSON, is stored decoded, and is served from the cache."""
    body = b'{"id": "2401.00001", "title": "Small"}'

    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, gzip.compress(body), {"Content-Encoding": "gzip"})

    with hostile({"/api/papers/": answer}) as server:
        with make_client("hf", _settings(server.url), store=store) as client:
            first = client.get("/api/papers/2401.00001")
            second = client.get("/api/papers/2401.00001")
        assert server.hits("/api/papers/") == 1
    assert first.json() == second.json() == {"id": "2401.00001", "title": "Small"}
    assert "content-encoding" not in second.headers
    assert store.query("SELECT body FROM http_cache") == [(body,)]


def test_stacked_encodings_count_the_final_bytes(store: Store) -> None:
    """gzip inside gzip (a bomb in a bomb) is undone layer by layer under the same cap."""
    double = gzip.compress(gzip_bomb(32 << 20))

    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, double, {"Content-Encoding": "gzip, gzip"})

    with (
        hostile({"/api/": answer}) as server,
        make_client("hf", _settings(server.url), store=store) as client,
        pytest.raises(ResponseTooLarge),
    ):
        client.get("/api/papers/x")
    assert _cached_keys(store) == []


def test_unasked_encoding_is_a_failure_not_garbage(store: Store) -> None:
    """A body in an encoding paperweb did not ask for (br) is a failure and is not cached."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, b"\x8b\x02\x80{}\x03", {"Content-Encoding": "br"})

    with (
        hostile({"/api/": answer}) as server,
        make_client("hf", _settings(server.url), store=store) as client,
        pytest.raises(UndecodableAnswer, match="'br'"),
    ):
        client.get("/api/papers/x")
    assert _cached_keys(store) == []


def test_slow_drip_is_cut_off_at_the_timeout(store: Store) -> None:
    """Headers at once and a byte every 0.1 s for a minute: the 1 s timeout bounds the answer."""
    with (
        hostile({"/api/": drip}) as server,
        make_client("hf", _settings(server.url, timeout=1.0, max_tries=1), store=store) as client,
        pytest.raises(httpx.ReadTimeout, match="longer than the 1 s timeout"),
    ):
        client.get("/api/papers/x")
    assert _cached_keys(store) == []


def test_headers_dripped_a_byte_at_a_time_are_cut_off_at_the_timeout(store: Store) -> None:
    """Status line and headers a byte every 0.05 s (a minute in all): httpx's per-read timeout
    never trips, the 1 s timeout of the whole answer does, and the client hangs up."""
    dripping = HeaderDrip()
    with (
        hostile({"/api/": dripping}) as server,
        make_client("hf", _settings(server.url, timeout=1.0, max_tries=1), store=store) as client,
    ):
        with pytest.raises(
            httpx.ReadTimeout, match=r"127\.0\.0\.1: the answer took longer than the 1 s timeout"
        ):
            client.get("/api/papers/x")
        # the server notices the hang-up at its next byte; had the client read on, it would
        # have written all of them
        assert dripping.stopped.wait(30)
    assert 0 < dripping.sent < dripping.total
    assert _cached_keys(store) == []


def test_answers_within_the_timeout_share_a_connection(store: Store) -> None:
    """The deadline-bound sockets keep httpx's pooling: two answers, one connection."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, b'{"port": %d}' % handler.client_address[1])

    with (
        hostile({"/api/": answer}) as server,
        make_client("hf", _settings(server.url, timeout=1.0), store=store) as client,
    ):
        ports = {client.get(f"/api/papers/{n}").json()["port"] for n in range(2)}
    assert len(ports) == 1


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("PAPERWEB_HTTP_TIMEOUT", "inf"),
        ("PAPERWEB_HTTP_TIMEOUT", "nan"),
        ("PAPERWEB_HTTP_TIMEOUT", "-5"),
        ("PAPERWEB_HTTP_TIMEOUT", "0"),
        ("PAPERWEB_HTTP_TIMEOUT", "soon"),
        ("PAPERWEB_HTTP_TIMEOUT", "1e300"),
        ("PAPERWEB_HTTP_MAX_WAIT", "inf"),
        ("PAPERWEB_HTTP_MAX_WAIT", "-1"),
        ("PAPERWEB_HTTP_BACKOFF", "nan"),
        ("PAPERWEB_HTTP_TRIES", "2.5"),
        ("PAPERWEB_HTTP_TRIES", "0"),
        ("PAPERWEB_HTTP_TRIES", "1e9"),
        ("PAPERWEB_HTTP_TRIES", "inf"),
        ("PAPERWEB_HTTP_TIMEOUT", "5\n\x1b[31mred"),
    ],
)
def test_settings_from_env_refuse_unusable_numbers(var: str, value: str) -> None:
    """inf, nan, negatives, zero timeouts and non-numbers are one-line errors naming the variable."""
    with pytest.raises(UsageError) as caught:
        settings_from_env({var: value})
    message = str(caught.value)
    assert message.startswith(f"{var}=")
    assert "\n" not in message and "\x1b" not in message


def test_settings_from_env_take_sane_numbers() -> None:
    """Finite, in-range values are taken as given."""
    settings = settings_from_env(
        {
            "PAPERWEB_HTTP_TIMEOUT": "2.5",
            "PAPERWEB_HTTP_TRIES": "3",
            "PAPERWEB_HTTP_MAX_WAIT": "0",
            "PAPERWEB_HTTP_BACKOFF": "0",
        }
    )
    assert (settings.timeout, settings.max_tries, settings.max_wait, settings.backoff) == (
        2.5,
        3,
        0.0,
        0.0,
    )


def test_always_500_costs_three_items_then_none(store: Store) -> None:
    """A service that always answers 500 is asked a bounded number of times, then given up."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 500, b'{"error": "boom"}', {"Retry-After": "soon-ish"})

    clock = Clock()
    with hostile({"/api/": answer}) as server:
        settings = _settings(server.url, backoff=1.0, sleep=clock.sleep, clock=clock.time)
        refs = [PaperRef(f"p{n}", f"Title {n}", f"2401.{n:05d}") for n in range(20)]
        with make_client("hf", settings, store=store, stats=HttpStats()) as client:
            result = enrich_with_hf(client, refs)
        asked = server.hits("/api/")
    assert len(result.failures) == 20
    assert asked <= 3 * settings.max_tries
    assert sum(clock.sleeps) <= settings.retry_budget
    reasons = {f.reason for f in result.failures}
    assert any("given up after 3 failed requests in a row" in r for r in reasons)


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("connection refused"), httpx.ReadTimeout("no answer")]
)
def test_github_refusing_or_silent_is_given_up_after_three_repos(error: httpx.HTTPError) -> None:
    """A GitHub that refuses (or never answers) is asked about 3 repos, not all 20."""
    asked: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        raise error

    clock = Clock()
    settings = _settings("https://api.github.test", sleep=clock.sleep, clock=clock.time)
    targets = [f"github.com/lab/repo{n:02d}" for n in range(20)]
    with make_client("github", settings, inner=httpx.MockTransport(handle)) as client:
        result = enrich_repos(client, targets)
    assert len(result.failures) == 20 and result.repos == []
    assert len(set(asked)) == 3
    assert len(asked) <= 3 * settings.max_tries
    given_up = [reason for _, reason in result.failures if "given up" in reason]
    assert len(given_up) == 17


def test_breaker_resets_after_a_good_answer() -> None:
    """Failures that are not in a row never give a service up."""
    answers = iter([500, 200] * 10)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), json={"full_name": "lab/repo"})

    clock = Clock()
    settings = _settings("https://hf.test", max_tries=1, sleep=clock.sleep, clock=clock.time)
    with make_client("hf", settings, inner=httpx.MockTransport(handle)) as client:
        statuses = [client.get(f"/api/papers/{n}").status_code for n in range(20)]
    assert statuses == [500, 200] * 10
