"""Find URLs in free text, clean them, and give each its canonical target (see DESIGN.md)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from collectors.records import Link

__all__ = ["canonical_link", "canonical_repo", "extract_links", "is_http_url", "repo_owner"]

# A URL starts with a scheme, with www., or with a code host written bare; it runs to
# whitespace or to a character that never ends a URL in running text.
_URL = re.compile(
    r"""(?:https?://|www\.|(?<![\w.@/])(?:github\.com|gitlab\.com|bit\.ly)/)[^\s<>"'`\\^|]+""",
    re.IGNORECASE,
)
# LaTeX leftovers glued to a URL: {here.}, {code}, or a second URL in braces.
_BRACES = re.compile(r"[{}]")
_TRAILING = ".,;:!?'\"*”’»"
_SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rb.gy",
        "t.ly",
        "shorturl.at",
        "cutt.ly",
        "tiny.cc",
        "bitly.com",
        "s.id",
        "v.gd",
        "shorturl.com",
    ]
)
# Hosts whose links point at a reference (another paper, a DOI), not at the paper's own project.
_REFERENCE_HOSTS = frozenset(
    [
        "arxiv.org",
        "export.arxiv.org",
        "doi.org",
        "dx.doi.org",
        "openreview.net",
        "aclanthology.org",
        "proceedings.neurips.cc",
        "papers.nips.cc",
        "proceedings.mlr.press",
        "openaccess.thecvf.com",
        "ieeexplore.ieee.org",
        "dl.acm.org",
        "link.springer.com",
        "semanticscholar.org",
        "www.semanticscholar.org",
        "scholar.google.com",
        "paperswithcode.com",
    ]
)
_GITHUB_RESERVED = frozenset(
    [
        "orgs",
        "topics",
        "sponsors",
        "marketplace",
        "features",
        "about",
        "settings",
        "login",
        "join",
        "explore",
        "collections",
        "trending",
        "apps",
        "search",
        "pricing",
        "site",
        "enterprise",
    ]
)
# Dotted labels ending in an alphabetic top-level domain (or a dotted IPv4 address).
_HOST = re.compile(r"(?:[a-z0-9_\-]+\.)+[a-z][a-z0-9\-]*[a-z0-9]|\d{1,3}(?:\.\d{1,3}){3}")
_SEGMENT = re.compile(r"^[\w.\-]+$")
_DROP_QUERY = re.compile(r"^(utm_\w+|ref|ref_src|fbclid|gclid)$", re.IGNORECASE)


def _strip_trailing(url: str) -> str:
    """Drop punctuation that ends the sentence, and a ')' or ']' the URL did not open."""
    while url:
        last = url[-1]
        if (
            last in _TRAILING
            or (last == ")" and url.count("(") < url.count(")"))
            or (last == "]" and url.count("[") < url.count("]"))
        ):
            url = url[:-1]
        else:
            break
    return url


def is_http_url(url: str) -> bool:
    """True only for an http:// or https:// URL with a host: the only links we make clickable."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _split(url: str) -> tuple[str, list[str], str] | None:
    """(host, path segments, query) of a URL with or without a scheme, or None if unusable."""
    text = url.strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        if re.match(r"^[a-z][a-z0-9+.\-]*:", text, re.IGNORECASE) and not re.match(
            r"^[\w.\-]+\.[a-z]{2,}(:\d+)?(/|$)", text, re.IGNORECASE
        ):
            return None  # javascript:, data:, mailto:, ftp: ...
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    # Drop www. only where a real host remains (www.org stays www.org).
    while host.startswith("www.") and _HOST.fullmatch(host[4:]):
        host = host[4:]
    if not _HOST.fullmatch(host):
        return None
    segments = [s for s in parts.path.split("/") if s]
    return host, segments, parts.query


def _repo_target(host: str, segments: list[str]) -> str | None:
    if host == "github.com" and len(segments) >= 2 and segments[0].lower() not in _GITHUB_RESERVED:
        owner, repo = segments[0], _strip_trailing(segments[1]).removesuffix(".git")
        if _SEGMENT.match(owner) and repo and _SEGMENT.match(repo):
            return f"github.com/{owner}/{repo}".lower()
    if host == "gitlab.com" and len(segments) >= 2 and segments[1] != "-":
        group, project = segments[0], _strip_trailing(segments[1]).removesuffix(".git")
        if _SEGMENT.match(group) and project and _SEGMENT.match(project):
            return f"gitlab.com/{group}/{project}".lower()
    if host == "anonymous.4open.science" and len(segments) >= 2 and segments[0] == "r":
        return f"anonymous.4open.science/r/{segments[1]}".lower()
    return None


def canonical_link(url: str) -> tuple[str, str] | None:
    """``(kind, target)`` for one URL (scheme optional), or None when it is not an http(s) link.

    >>> canonical_link("https://github.com/CIAM-Group/NCO_code/tree/main/x")
    ('repo', 'github.com/ciam-group/nco_code')
    >>> canonical_link("https://roahmlab.github.io/DEFT/")
    ('page', 'roahmlab.github.io/DEFT')
    """
    split = _split(url)
    if split is None:
        return None
    host, segments, query = split
    repo = _repo_target(host, segments)
    if repo is not None:
        return "repo", repo
    if host in _SHORTENERS and segments:
        return "short", f"{host}/{segments[0]}"
    kept = "&".join(
        pair for pair in query.split("&") if pair and not _DROP_QUERY.match(pair.split("=", 1)[0])
    )
    target = "/".join([host, *segments]) + (f"?{kept}" if kept else "")
    if host == "github.com":
        return "other", target.lower()
    if host in _REFERENCE_HOSTS or (host == "huggingface.co" and segments[:1] == ["papers"]):
        return "other", target
    return "page", target


def canonical_repo(target_or_url: str) -> str | None:
    """The repo target of a GitHub, GitLab or anonymous.4open.science URL, else None."""
    found = canonical_link(target_or_url)
    return found[1] if found and found[0] == "repo" else None


def repo_owner(target: str) -> str | None:
    """``github.com/<owner>`` (or ``gitlab.com/<group>``) for a repo target, else None."""
    parts = target.split("/")
    if len(parts) == 3 and parts[0] in ("github.com", "gitlab.com"):
        return f"{parts[0]}/{parts[1]}"
    return None


def _clean(raw: str) -> list[str]:
    """Split LaTeX brace leftovers off a raw match and strip trailing punctuation."""
    pieces = [_strip_trailing(piece) for piece in _BRACES.split(raw)]
    found = [pieces[0]] if pieces and pieces[0] else []
    # Text inside braces counts only when it is itself a URL ({https://...}).
    found += [p for p in pieces[1:] if p and _URL.fullmatch(p)]
    return found


def extract_links(text: str, origin: str = "abstract") -> tuple[Link, ...]:
    """Every distinct link target in ``text``, in order of first appearance.

    >>> [l.target for l in extract_links("Code: https://github.com/rayleizhu/BiFormer. See www.x.org/a/.")]
    ['github.com/rayleizhu/biformer', 'x.org/a']
    """
    links: dict[str, Link] = {}
    for match in _URL.finditer(text):
        for cleaned in _clean(match.group(0)):
            found = canonical_link(cleaned)
            if found is None:
                continue
            kind, target = found
            url = (
                cleaned if re.match(r"^https?://", cleaned, re.IGNORECASE) else "https://" + cleaned
            )
            links.setdefault(target, Link(url=url, kind=kind, target=target, origin=origin))
    return tuple(links.values())
