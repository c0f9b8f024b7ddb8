"""Find URLs in free text, clean them, and give each its canonical target (see DESIGN.md).

Decisions the design left open:

- Queries: tracking parameters (``utm_*``, ``ref``, ``fbclid``, ``gclid``) are dropped, any
  other query is kept as written, because it often *is* the address
  (``openreview.net/forum?id=...``, ``youtube.com/watch?v=...``). Fragments are always dropped.
- ``github.com/<owner>`` alone (and ``gitlab.com/<group>``) is kind ``owner`` with target
  ``github.com/<owner>``, the id of the owner node its repos hang from: papers often give their
  lab's organisation as "the code". GitHub's own pages (``/orgs``, ``/topics``, ...) and gists are
  kind ``other``, lower-cased like repos; they point at listings or snippets, not at code.
- References (arXiv, DOI, OpenReview, Hugging Face paper pages, proceedings) are kind ``other``
  with a page-like target; every other site, Hugging Face models and mirrors included, is a
  ``page``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from collectors.records import Link

__all__ = ["canonical_link", "canonical_repo", "extract_links", "is_http_url", "repo_owner"]

# A URL starts with a scheme, with www., or with a host written bare, and runs over printable
# ASCII: abstracts glue CJK text and punctuation straight onto URLs.
_BARE_STARTS = ("www.", "github.com/", "gitlab.com/", "bit.ly/")
_URL = re.compile(
    r"(?:https?://|(?<![\w.@/\-])(?:" + "|".join(map(re.escape, _BARE_STARTS)) + "))"
    r"""[!#-&(-;=?-\[\]_a-z~{}]+""",
    re.IGNORECASE | re.ASCII,
)
# LaTeX leftovers glued to a URL: {here.}, {code}, or a second URL in braces.
_BRACES = re.compile(r"[{}]")
_TRAILING = ".,;:!?*"
_HAS_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# "javascript:", "data:", "mailto:", "ftp:" ... but not "www.x.org:8080/".
_OTHER_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_HOST_PORT = re.compile(r"[\w.\-]+\.[a-z]{2,}(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)
# Dotted labels ending in an alphabetic top-level domain (or a dotted IPv4 address).
_HOST = re.compile(r"(?:[a-z0-9_\-]+\.)+[a-z][a-z0-9\-]*[a-z0-9]|\d{1,3}(?:\.\d{1,3}){3}")
_WWW = re.compile(r"^(?:www\.)+")
_SEGMENT = re.compile(r"[\w.\-]+")
_DROP_QUERY = re.compile(r"utm_\w+|ref|ref_src|fbclid|gclid", re.IGNORECASE)

_SHORTENERS = frozenset(
    "bit.ly bitly.com tinyurl.com t.co goo.gl ow.ly is.gd v.gd buff.ly rb.gy t.ly "
    "shorturl.at shorturl.com cutt.ly tiny.cc s.id".split()
)
# Hosts whose links point at a reference (another paper, a DOI), not at the paper's own project.
_REFERENCE_HOSTS = frozenset(
    "arxiv.org export.arxiv.org doi.org dx.doi.org openreview.net aclanthology.org "
    "proceedings.neurips.cc papers.nips.cc proceedings.mlr.press openaccess.thecvf.com "
    "ieeexplore.ieee.org dl.acm.org link.springer.com semanticscholar.org "
    "scholar.google.com paperswithcode.com".split()
)
_HF_HOSTS = frozenset(["huggingface.co", "hf.co"])
_GITHUB_HOSTS = frozenset(["github.com", "gist.github.com"])
# First path segments that are GitHub's own pages, never an owner.
_GITHUB_RESERVED = frozenset(
    "orgs topics sponsors marketplace features about settings login join explore "
    "collections trending apps search pricing site enterprise".split()
)


def _strip_trailing(url: str) -> str:
    """Drop punctuation that ends the sentence, and a ')' or ']' the URL did not open."""
    # Counted once, and cut once at the end, so a long run of ')))' stays linear.
    unopened = {")": url.count(")") - url.count("("), "]": url.count("]") - url.count("[")}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif unopened.get(last, 0) > 0:
            unopened[last] -= 1
            end -= 1
        else:
            break
    return url[:end]


def is_http_url(url: str) -> bool:
    """True only for an http:// or https:// URL with a host: the only links we make clickable."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _split(url: str) -> tuple[str, list[str], str] | None:
    """(host, path segments, query) of a URL with or without a scheme, or None if unusable."""
    text = url.strip()
    if not _HAS_SCHEME.match(text):
        if _OTHER_SCHEME.match(text) and not _HOST_PORT.match(text):
            return None
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    # Drop www. only where a real host remains (www.org stays www.org).
    bare = _WWW.sub("", host)
    if bare != host:
        host = bare if _HOST.fullmatch(bare) else "www." + bare
    if not _HOST.fullmatch(host):
        return None
    return host, [s for s in parts.path.split("/") if s], parts.query


def _two_segments(owner: str, name: str) -> tuple[str, str] | None:
    """The (owner, repo) pair of a code-host path, without .git, or None if malformed."""
    name = _strip_trailing(name).removesuffix(".git")
    if _SEGMENT.fullmatch(owner) and name and _SEGMENT.fullmatch(name):
        return owner, name
    return None


def _repo_target(host: str, segments: list[str]) -> str | None:
    """The repo target of a code-host path (any sub-path dropped), or None."""
    if len(segments) < 2:
        return None
    # GitLab puts its own pages after "/-/"; sub-groups are cut to group/project.
    if (host == "github.com" and segments[0].lower() not in _GITHUB_RESERVED) or (
        host == "gitlab.com" and "-" not in segments[:2]
    ):
        pair = _two_segments(segments[0], segments[1])
        return f"{host}/{pair[0]}/{pair[1]}".lower() if pair else None
    if host == "anonymous.4open.science" and segments[0] == "r":
        return f"{host}/r/{segments[1]}".lower()
    return None


def _owner_target(host: str, segments: list[str], query: str) -> str | None:
    """``github.com/<owner>`` for a link to an account alone (``?tab=repositories`` and
    ``/orgs/<owner>/...`` too)."""
    if host == "github.com" and len(segments) >= 2 and segments[0].lower() == "orgs":
        # github.com/orgs/<name>/repositories lists the repositories of <name>.
        segments = segments[1:2]
    if host not in ("github.com", "gitlab.com") or len(segments) != 1:
        return None
    name = _strip_trailing(segments[0])
    if not _SEGMENT.fullmatch(name) or (host == "github.com" and name.lower() in _GITHUB_RESERVED):
        return None
    if query and not query.startswith("tab="):
        return None
    return f"{host}/{name}".lower()


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
    owner = _owner_target(host, segments, query)
    if owner is not None:
        return "owner", owner
    if host in _SHORTENERS and segments:
        # Short codes are case-sensitive: keep them as written.
        return "short", f"{host}/{segments[0]}"
    kept = "&".join(
        pair for pair in query.split("&") if pair and not _DROP_QUERY.fullmatch(pair.split("=")[0])
    )
    target = "/".join([host, *segments]) + (f"?{kept}" if kept else "")
    if host in _GITHUB_HOSTS:
        return "other", target.lower()
    if host in _REFERENCE_HOSTS or (host in _HF_HOSTS and segments[:1] == ["papers"]):
        return "other", target
    return "page", target


def canonical_repo(target_or_url: str) -> str | None:
    """The repo target of a GitHub, GitLab or anonymous.4open.science URL, else None."""
    found = canonical_link(target_or_url)
    return found[1] if found and found[0] == "repo" else None


def repo_owner(target: str) -> str | None:
    """``github.com/<owner>`` (or ``gitlab.com/<group>``) for a repo target, else None."""
    parts = target.split("/")
    if len(parts) == 3 and parts[0] in ("github.com", "gitlab.com") and all(parts):
        return f"{parts[0]}/{parts[1]}"
    return None


def _clean(raw: str) -> list[str]:
    """Split LaTeX brace leftovers off a raw match and strip trailing punctuation."""
    pieces = [_strip_trailing(piece) for piece in _BRACES.split(raw)]
    found = [pieces[0]] if pieces[0] else []
    # Text inside braces counts only when it is itself a URL ({https://...}).
    found += [p for p in pieces[1:] if p and _URL.fullmatch(p)]
    return found


def extract_links(text: str, origin: str = "abstract") -> tuple[Link, ...]:
    """Every distinct link target in ``text``, in order of first appearance.

    >>> [x.target for x in extract_links("Code: https://github.com/a/B. See www.x.org/a/.")]
    ['github.com/a/b', 'x.org/a']
    """
    # Substring search runs far faster than the regex scan, and every match starts with
    # "http(s)://" or one of _BARE_STARTS: skip link-free text and the text before a first link.
    lowered = text.lower()
    firsts = [i for i in (lowered.find(start) for start in ("://", *_BARE_STARTS)) if i >= 0]
    if not firsts:
        return ()
    links: dict[str, Link] = {}
    for match in _URL.finditer(text, max(min(firsts) - len("https"), 0)):
        for cleaned in _clean(match.group(0)):
            found = canonical_link(cleaned)
            if found is None:
                continue
            kind, target = found
            url = cleaned if _HAS_SCHEME.match(cleaned) else "https://" + cleaned
            links.setdefault(target, Link(url=url, kind=kind, target=target, origin=origin))
    return tuple(links.values())
