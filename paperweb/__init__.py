"""paperweb: a citation and link graph explorer for research papers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    # The version lives in pyproject.toml only; the installed metadata carries it here.
    __version__ = version("paperweb")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
