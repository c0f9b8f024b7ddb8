"""Tests for URL extraction and canonical link targets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.links import canonical_link, canonical_repo, extract_links, is_http_url, repo_owner


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("https://github.com/rayleizhu/BiFormer.", "repo", "github.com/rayleizhu/biformer"),
        (
            "https://github.com/CIAM-Group/NCO_code/tree/main/single_objective/LEHD",
            "repo",
            "github.com/ciam-group/nco_code",
        ),
        ("https://github.com/Org/Repo/blob/main/README.md", "repo", "github.com/org/repo"),
        ("https://github.com/Org/Repo.git", "repo", "github.com/org/repo"),
        ("http://github.com/Org/Repo", "repo", "github.com/org/repo"),
        ("www.github.com/facebookresearch/ALMA.", "repo", "github.com/facebookresearch/alma"),
        ("see github.com/Owner/Tool, too", "repo", "github.com/owner/tool"),
        (
            "https://anonymous.4open.science/r/BIB-ICLR2023-Submission/README.md{here.}",
            "repo",
            "anonymous.4open.science/r/bib-iclr2023-submission",
        ),
        (
            "https://gitlab.com/ones-ai/mixed-non-linear-quantization.",
            "repo",
            "gitlab.com/ones-ai/mixed-non-linear-quantization",
        ),
        ("https://roahmlab.github.io/DEFT/.", "page", "roahmlab.github.io/DEFT"),
        ("http://abcrown.org),", "page", "abcrown.org"),
        (
            "https://hf.barry1.top/QwQZh/gated_attention{models}",
            "page",
            "hf.barry1.top/QwQZh/gated_attention",
        ),
        ("https://www.Example.ORG/Project/?utm_source=x", "page", "example.org/Project"),
        ("https://bit.ly/3zdVqcg", "short", "bit.ly/3zdVqcg"),
        ("https://arxiv.org/abs/2506.22712", "other", "arxiv.org/abs/2506.22712"),
        ("https://github.com/thu-ml", "other", "github.com/thu-ml"),
    ],
)
def test_extract_links_canonical_targets(text: str, kind: str, target: str) -> None:
    """Noisy URLs as they occur in abstracts come out as one canonical target."""
    [link] = extract_links(text)
    assert (link.kind, link.target) == (kind, target)
    assert is_http_url(link.url)


def test_extract_links_latex_braced_duplicate_is_one_link() -> None:
    """A URL repeated inside LaTeX braces gives a single link."""
    links = extract_links(
        "https://github.com/skyhehe123/ScatterFormer{https://github.com/skyhehe123/ScatterFormer}."
    )
    assert [link.target for link in links] == ["github.com/skyhehe123/scatterformer"]


def test_extract_links_keeps_balanced_parentheses() -> None:
    """A ')' that closes a '(' inside the URL stays; a sentence's ')' goes."""
    links = extract_links("(see https://en.wikipedia.org/wiki/Foo_(bar)) and (https://x.org/a)")
    assert [link.target for link in links] == ["en.wikipedia.org/wiki/Foo_(bar)", "x.org/a"]


@pytest.mark.parametrize(
    "text", ["javascript:alert(1)", "data:text/html,<b>x</b>", "GitHub.", "ftp://x.org/a"]
)
def test_extract_links_ignores_non_http(text: str) -> None:
    """Nothing but http(s) links is ever extracted."""
    assert extract_links(text) == ()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://x.org", True),
        ("http://x.org/a", True),
        ("javascript:alert(1)", False),
        ("data:x", False),
        ("//x.org", False),
    ],
)
def test_is_http_url(url: str, ok: bool) -> None:
    """Only http(s) URLs with a host count as clickable."""
    assert is_http_url(url) is ok


def test_repo_owner_and_canonical_repo() -> None:
    """Owners come from GitHub/GitLab repo targets only."""
    assert repo_owner("github.com/thu-ml/gnot") == "github.com/thu-ml"
    assert repo_owner("gitlab.com/group/project") == "gitlab.com/group"
    assert repo_owner("anonymous.4open.science/r/x") is None
    assert canonical_repo("https://github.com/THU-ML/GNOT/tree/main") == "github.com/thu-ml/gnot"
    assert canonical_repo("https://thu-ml.github.io/gnot") is None


_segment = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,15}", fullmatch=True)


@given(
    owner=_segment,
    repo=_segment,
    rest=st.lists(_segment, max_size=3),
    tail=st.sampled_from(["", ".", ").", ",", ".git", "/", "{here.}", "/tree/main/x"]),
)
def test_canonical_link_idempotent_for_repos(
    owner: str, repo: str, rest: list[str], tail: str
) -> None:
    """Canonicalising a target again changes nothing."""
    url = f"https://github.com/{owner}/{repo}" + "".join(f"/tree/{r}" for r in rest) + tail
    links = extract_links(url)
    assert links
    target = links[0].target
    assert canonical_link("https://" + target) == (links[0].kind, target)
    assert canonical_link(target) == (links[0].kind, target)


@given(
    host=st.from_regex(r"[a-z][a-z0-9\-]{0,10}\.(org|io|com|net)", fullmatch=True),
    path=st.lists(_segment, max_size=3),
)
def test_canonical_link_idempotent_for_pages(host: str, path: list[str]) -> None:
    """Page targets are fixed points of canonicalisation."""
    found = canonical_link("https://www." + host + "/" + "/".join(path) + "/")
    assert found is not None
    kind, target = found
    assert canonical_link("https://" + target) == (kind, target)


_urlish = st.lists(
    st.sampled_from(
        [
            "https://",
            "http://",
            "www.",
            "github.com/",
            "{",
            "}",
            ".",
            ")",
            "(",
            "/",
            "a",
            "B",
            ":",
            "?",
            "=",
            " ",
            "\n",
            "é",
            "..",
            "-",
        ]
    ),
    max_size=30,
).map("".join)


@given(st.one_of(st.text(), _urlish))
def test_extract_links_never_raises(text: str) -> None:
    """Any text gives a tuple of well-formed links, never an exception."""
    for link in extract_links(text):
        assert is_http_url(link.url)
        assert canonical_link(link.target) == (link.kind, link.target)
