"""The ``http_cache`` table: answers of web services, kept across rebuilds.

It lives in the paperweb database itself (not a file of its own) so that one
``--db`` holds everything a rebuild needs; :class:`graph.store.Store` serves it
to ``collectors/transports.py`` through three methods, so the collectors never see SQL.
Only the answers of a build that failed wait in a file beside it (graph/store/pending.py).
"""

from __future__ import annotations

__all__ = [
    "SQL_CACHE_ALL",
    "SQL_CACHE_DELETE",
    "SQL_CACHE_FETCHED",
    "SQL_CACHE_GET",
    "SQL_CACHE_MERGE_NEWER",
    "SQL_CACHE_PUT",
    "SQL_CACHE_SINCE",
    "SQL_CACHE_SUM",
]

SQL_CACHE_GET = "SELECT status, headers, body, fetched_at FROM http_cache WHERE key = ?"
SQL_CACHE_PUT = "INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?, ?)"
SQL_CACHE_DELETE = "DELETE FROM http_cache WHERE key = ?"
SQL_CACHE_ALL = "SELECT key, status, headers, body, fetched_at FROM http_cache"
#: a cheap fingerprint of the cache: which answers, fetched when
SQL_CACHE_SUM = "SELECT count(*), sum(hash(key, fetched_at)) FROM http_cache"
#: which answers a file held, to tell the ones fetched since (:data:`SQL_CACHE_SINCE`)
SQL_CACHE_FETCHED = "SELECT key, fetched_at FROM http_cache"
#: answers of ``_fresh`` join the cache unless it holds the same or a later answer already
SQL_CACHE_MERGE_NEWER = (
    "INSERT OR REPLACE INTO http_cache SELECT f.key, f.status, f.headers, f.body, f.fetched_at "
    "FROM _fresh f WHERE NOT EXISTS (SELECT 1 FROM http_cache c "
    "WHERE c.key = f.key AND c.fetched_at >= f.fetched_at)"
)
#: the answers that are not in ``_before`` as they are now (fetched, or fetched again, since)
SQL_CACHE_SINCE = (
    "SELECT c.key, c.status, c.headers, c.body, c.fetched_at FROM http_cache c "
    "WHERE NOT EXISTS (SELECT 1 FROM _before b WHERE b.key = c.key AND b.fetched_at = c.fetched_at)"
)
