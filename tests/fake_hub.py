"""Fake Hugging Face Papers and arXiv APIs for httpx.MockTransport (data written for the tests)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx


def openalex_work(
    number: str, title: str, doi: str | None, refs: list[str], **more: Any
) -> dict[str, Any]:
    """An OpenAlex work object as /works answers it."""
    return {
        "id": f"https://openalex.org/{number}",
        "doi": f"https://doi.org/{doi}" if doi else None,
        "title": title,
        "display_name": title,
        "publication_year": more.pop("year", 2024),
        "ids": {"openalex": f"https://openalex.org/{number}"}
        | ({"doi": f"https://doi.org/{doi}"} if doi else {}),
        "referenced_works": [f"https://openalex.org/{w}" for w in refs],
        "cited_by_count": more.pop("cited_by_count", 12),
        "authorships": [{"author": {"display_name": "A. Author"}, "author_position": "first"}],
        "locations": [
            {"landing_page_url": f"https://doi.org/{doi}" if doi else None, "pdf_url": None}
        ],
        **more,
    }


def hf_paper(arxiv_id: str, title: str, **extra: Any) -> dict[str, Any]:
    """A Hugging Face paper object in the API's shape (camelCase plus snake_case ai_ fields)."""
    return {
        "id": arxiv_id,
        "title": title,
        "summary": extra.pop("summary", f"We study {title.lower()} in depth."),
        "authors": [{"name": f"Author {n}"} for n in range(extra.pop("n_authors", 3))],
        "publishedAt": extra.pop("publishedAt", "2025-06-27T09:12:00.000Z"),
        "upvotes": extra.pop("upvotes", 7),
        "githubRepo": extra.pop("githubRepo", None),
        "projectPage": extra.pop("projectPage", None),
        "ai_keywords": extra.pop("ai_keywords", []),
        "ai_summary": "A summary.",
        **extra,
    }


def arxiv_feed(entries: Iterable[tuple[str, str, str]]) -> str:
    """An arXiv API Atom feed with one entry per (id with version, title, abstract)."""
    body = "".join(
        f"""<entry><id>http://arxiv.org/abs/{arxiv_id}</id>
<published>2024-01-02T18:00:00Z</published><title>{title}</title>
<summary>{abstract}</summary><author><name>A</name></author><author><name>B</name></author>
<arxiv:comment>Code at https://github.com/arx/{arxiv_id.split("v")[0].replace(".", "-")}</arxiv:comment>
</entry>"""
        for arxiv_id, title, abstract in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<title>arXiv Query</title>{body}</feed>"
    )


@dataclass
class FakeHub:
    """Serves /api/papers/{id}, /api/papers/search and /api/daily_papers; records every request."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    search_results: list[dict[str, Any]] = field(default_factory=list)
    daily: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request like the real service would."""
        self.requests.append(request)
        path, params = request.url.path, request.url.params
        if path == "/api/papers/search":
            limit = int(params["limit"])
            return httpx.Response(200, json=[{"paper": p} for p in self.search_results[:limit]])
        if path == "/api/daily_papers":
            page, limit = int(params["p"]), int(params["limit"])
            items = self.daily.get(params["date"], [])[page * limit : (page + 1) * limit]
            return httpx.Response(200, json=[{"paper": p, "title": p["title"]} for p in items])
        if path.startswith("/api/papers/"):
            found = self.papers.get(path.removeprefix("/api/papers/"))
            if found is None:
                return httpx.Response(404, json={"error": "Paper not found"})
            return httpx.Response(200, json=found)
        return httpx.Response(404)

    def client(self) -> httpx.Client:
        """A client whose every request this fake answers."""
        return httpx.Client(base_url="https://hf.test", transport=httpx.MockTransport(self.handle))


@dataclass
class FakeArxiv:
    """Serves /api/query?id_list=... from a dict of id -> (title, abstract)."""

    papers: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one id_list query with the entries it knows, in request order."""
        self.requests.append(request)
        ids = request.url.params["id_list"].split(",")
        found = [(f"{i}v2", *self.papers[i]) for i in ids if i in self.papers]
        return httpx.Response(200, text=arxiv_feed(found))

    def client(self) -> httpx.Client:
        """A client whose every request this fake answers."""
        return httpx.Client(
            base_url="http://arxiv.test", transport=httpx.MockTransport(self.handle)
        )
