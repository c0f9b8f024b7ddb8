"""The online services paperweb talks to, the settings that reach them, and what the clients did."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from paperweb import __version__
from paperweb.errors import UsageError

__all__ = [
    "SECRETS",
    "SERVICES",
    "USER_AGENT",
    "HttpSettings",
    "HttpStats",
    "Service",
    "settings_from_env",
]

USER_AGENT = f"paperweb/{__version__} (+https://github.com/paperweb/paperweb)"


@dataclass(frozen=True, slots=True)
class Service:
    """A remote service: where it lives by default and how often we may ask it."""

    env: str | None
    default_url: str | None
    #: seconds between two requests to the same host
    interval: float


SERVICES: dict[str, Service] = {
    "hf": Service("PAPERWEB_HF_URL", "https://huggingface.co", 0.0),
    "github": Service("PAPERWEB_GITHUB_URL", "https://api.github.com", 0.0),
    "s2": Service("PAPERWEB_S2_URL", "https://api.semanticscholar.org/graph/v1", 1.0),
    "openalex": Service("PAPERWEB_OPENALEX_URL", "https://api.openalex.org", 0.1),
    "arxiv": Service("PAPERWEB_ARXIV_URL", "http://export.arxiv.org", 3.0),
    # short links: any host; a mirror URL (for tests) receives them as <mirror>/<host>/<path>
    "short": Service("PAPERWEB_SHORTLINK_URL", None, 0.2),
}

# Which secret goes to which service, and how (a header or a query parameter).
SECRETS = {
    "github": ("GITHUB_TOKEN", "header", "Authorization"),
    "s2": ("S2_API_KEY", "header", "x-api-key"),
    "openalex": ("OPENALEX_API_KEY", "param", "api_key"),
}


@dataclass(slots=True)
class HttpSettings:
    """Where the services live, which secrets we hold, and how patient we are."""

    base_urls: dict[str, str] = field(default_factory=dict)
    #: secret values by environment variable name; never printed (repr=False)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    refresh: bool = False
    fresh_for: float = 7 * 86400.0
    missing_fresh_for: float = 86400.0
    max_bytes: int = 8 << 20
    max_tries: int = 4
    backoff: float = 1.0
    #: longest single wait we accept; a longer rate-limit wait fails the item instead
    max_wait: float = 60.0
    timeout: float = 15.0
    #: multiplies every service's pause between requests (0: none, for fake servers in tests)
    pacing: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random

    def base_url(self, service: str) -> str:
        """The base URL of ``service``: the environment's override or the public default."""
        known = SERVICES[service]
        return self.base_urls.get(service) or known.default_url or ""


def settings_from_env(environ: Mapping[str, str], *, refresh: bool = False) -> HttpSettings:
    """Settings from PAPERWEB_*_URL and the token variables of ``environ``."""
    bases = {
        name: environ[s.env].rstrip("/")
        for name, s in SERVICES.items()
        if s.env and environ.get(s.env, "").strip()
    }
    secrets = {
        var: environ[var].strip() for var, _, _ in SECRETS.values() if environ.get(var, "").strip()
    }
    settings = HttpSettings(base_urls=bases, secrets=secrets, refresh=refresh)
    # Patience knobs, for slow mirrors and for tests that must not wait.
    for var, name in (
        ("PAPERWEB_HTTP_TRIES", "max_tries"),
        ("PAPERWEB_HTTP_BACKOFF", "backoff"),
        ("PAPERWEB_HTTP_MAX_WAIT", "max_wait"),
        ("PAPERWEB_HTTP_TIMEOUT", "timeout"),
        ("PAPERWEB_HTTP_PACING", "pacing"),
    ):
        if environ.get(var, "").strip():
            try:
                value = float(environ[var])
            except ValueError:
                raise UsageError(
                    f"{var}={environ[var]!r} is not a number; unset it or fix it"
                ) from None
            setattr(settings, name, max(1, int(value)) if name == "max_tries" else max(0.0, value))
    return settings


@dataclass(slots=True)
class HttpStats:
    """What one service's client did: for the progress summary and build_info."""

    requests: int = 0
    cached: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited: float = 0.0
    #: times we stopped because the service asked us to wait longer than max_wait
    rate_limited: int = 0
