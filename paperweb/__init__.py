"""paperweb: a citation and link graph explorer for research papers."""

from __future__ import annotations

__version__ = "0.1.0"
