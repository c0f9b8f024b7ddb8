"""Short links (bit.ly and friends): follow their redirects to the canonical target.

Only status lines and ``Location`` headers are read: HEAD first, GET (streamed and
closed unread) when a shortener refuses HEAD, at most :data:`MAX_HOPS` redirects.
"""

from __future__ import annotations

import httpx

from collectors.http import NO_BODY
from collectors.links import canonical_link
from paperweb.errors import FetchError

__all__ = ["MAX_HOPS", "resolve_short_link"]

MAX_HOPS = 5


def _status_and_location(client: httpx.Client, url: httpx.URL) -> tuple[int, str | None]:
    try:
        return _ask(client, url)
    except httpx.InvalidURL:
        # httpx prepares the next request of any 3xx, even unfollowed, and chokes on odd Locations.
        raise FetchError(f"short link {url}: redirects to an invalid URL") from None


def _ask(client: httpx.Client, url: httpx.URL) -> tuple[int, str | None]:
    response = client.head(url)
    if response.status_code == 405 or 400 <= response.status_code < 500:
        with client.stream("GET", url, extensions={NO_BODY: True}) as streamed:
            return streamed.status_code, streamed.headers.get("location")
    return response.status_code, response.headers.get("location")


def resolve_short_link(client: httpx.Client, url: str) -> tuple[str, str, str]:
    """``(kind, target, url)`` the short ``url`` redirects to; FetchError when it does not.

    Redirects are followed while they lead to another short link; the first
    location that is not one is the answer, so the destination itself is never asked.
    """
    current = httpx.URL(url if "://" in url else f"https://{url}")
    for _ in range(MAX_HOPS):
        status, location = _status_and_location(client, current)
        if not (300 <= status < 400 and location):
            raise FetchError(f"short link {url}: HTTP {status} without a redirect")
        try:
            current = current.join(location)
        except httpx.InvalidURL:
            raise FetchError(f"short link {url}: redirects to an invalid URL") from None
        found = canonical_link(str(current))
        if found is None:
            raise FetchError(
                f"short link {url}: redirects to something that is not an http(s) page"
            )
        if found[0] != "short":
            return found[0], found[1], str(current)
    raise FetchError(f"short link {url}: more than {MAX_HOPS} redirects")
