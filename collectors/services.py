"""The online services paperweb talks to, the settings that reach them, and what the clients did."""

from __future__ import annotations

import math
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
    #: seconds one whole answer may take, headers and body (a slow drip is cut off)
    timeout: float = 15.0
    #: multiplies every service's pause between requests (0: none, for fake servers in tests)
    pacing: float = 1.0
    #: failed requests in a row after which a host is given up for the rest of the run
    give_up_after: int = 3
    #: seconds a run of failures may spend on retries before failing requests stop being retried
    retry_budget: float = 20.0
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
    for var, name, lowest in _KNOBS:
        if environ.get(var, "").strip():
            value = _knob(var, environ[var], lowest)
            setattr(settings, name, int(value) if name == "max_tries" else value)
    return settings


# (variable, setting, smallest value allowed); every knob must be a finite number
_KNOBS = (
    ("PAPERWEB_HTTP_TRIES", "max_tries", 1.0),
    ("PAPERWEB_HTTP_BACKOFF", "backoff", 0.0),
    ("PAPERWEB_HTTP_MAX_WAIT", "max_wait", 0.0),
    ("PAPERWEB_HTTP_TIMEOUT", "timeout", 0.0),
    ("PAPERWEB_HTTP_PACING", "pacing", 0.0),
)
#: more tries than this is a typo, not patience
_MOST_TRIES = 100
#: a day: longer waits or timeouts would stall a build as surely as infinity
_LONGEST = 86400.0


def _knob(var: str, raw: str, lowest: float) -> float:
    """The value of one patience variable, or a UsageError naming it and what it must be."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if var == "PAPERWEB_HTTP_TRIES":
        if not (value.is_integer() and lowest <= value <= _MOST_TRIES):
            raise UsageError(
                f"{var}={raw.strip()[:40]!r} must be a whole number from 1 to {_MOST_TRIES}; "
                "unset it or fix it"
            )
        return value
    # A timeout of 0 fails every request; waits may be 0 (tests that must not sleep).
    positive = var == "PAPERWEB_HTTP_TIMEOUT"
    if not (math.isfinite(value) and (value > lowest if positive else value >= lowest)):
        kind = "a number of seconds above 0" if positive else "a number, 0 or more"
        raise UsageError(f"{var}={raw.strip()[:40]!r} must be {kind}; unset it or fix it")
    if value > _LONGEST:
        raise UsageError(
            f"{var}={raw.strip()[:40]!r} is more than a day ({_LONGEST:.0f} s); unset it or fix it"
        )
    return value


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
