"""The ``http_cache`` table: answers of web services, kept across rebuilds.

It lives in the paperweb database itself (not a file of its own) so that one
``--db`` holds everything a rebuild needs; :class:`graph.store.Store` serves it
to ``collectors/transports.py`` through three methods, so the collectors never see SQL.
"""

from __future__ import annotations

__all__ = [
    "SQL_CACHE_ALL",
    "SQL_CACHE_DELETE",
    "SQL_CACHE_GET",
    "SQL_CACHE_MERGE",
    "SQL_CACHE_PUT",
    "SQL_CACHE_SUM",
]

SQL_CACHE_GET = "SELECT status, headers, body, fetched_at FROM http_cache WHERE key = ?"
SQL_CACHE_PUT = "INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?, ?)"
SQL_CACHE_DELETE = "DELETE FROM http_cache WHERE key = ?"
SQL_CACHE_ALL = "SELECT key, status, headers, body, fetched_at FROM http_cache"
#: a cheap fingerprint of the cache: which answers, fetched when
SQL_CACHE_SUM = "SELECT count(*), sum(hash(key, fetched_at)) FROM http_cache"
SQL_CACHE_MERGE = (
    "INSERT OR REPLACE INTO http_cache SELECT key, status, headers, body, fetched_at FROM _fresh"
)
