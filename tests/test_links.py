"""Tests for URL extraction and canonical link targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.links import canonical_link, canonical_repo, extract_links, is_http_url, repo_owner
from collectors.records import Link


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
        ("https://github.com/thu-ml", "owner", "github.com/thu-ml"),
        ("https://github.com/Thu-ML/", "owner", "github.com/thu-ml"),
        ("https://github.com/Thu-ML?tab=repositories", "owner", "github.com/thu-ml"),
        ("https://github.com/orgs/OpenAI/repositories", "owner", "github.com/openai"),
        ("https://gitlab.com/Some-Group", "owner", "gitlab.com/some-group"),
        ("https://github.com/topics/graphs", "other", "github.com/topics/graphs"),
        ("https://github.com/Thu-ML?q=x", "other", "github.com/thu-ml?q=x"),
        ("https://gist.github.com/Foo/ab12", "other", "gist.github.com/foo/ab12"),
        ("https://gitlab.com/Group/Sub/Project/-/tree/main", "repo", "gitlab.com/group/sub"),
        ("https://gitlab.com/Group/Project/-/blob/main/a.py", "repo", "gitlab.com/group/project"),
        ("https://huggingface.co/papers/2506.22712", "other", "huggingface.co/papers/2506.22712"),
        ("https://huggingface.co/Qwen/Qwen3-8B", "page", "huggingface.co/Qwen/Qwen3-8B"),
        (
            "https://openreview.net/forum?id=AbC&utm_medium=x#top",
            "other",
            "openreview.net/forum?id=AbC",
        ),
        ("https://doi.org/10.1000/XYZ", "other", "doi.org/10.1000/XYZ"),
        ("https://sites.google.com/view/MyProj/home", "page", "sites.google.com/view/MyProj/home"),
        ("see https://tinyurl.com/AbCd9).", "short", "tinyurl.com/AbCd9"),
        ("代码见https://github.com/Org/Repo，欢迎使用。", "repo", "github.com/org/repo"),
        ("gitlab.com/Org/Proj:", "repo", "gitlab.com/org/proj"),
        ("https://www.org/x", "page", "www.org/x"),
        ('"https://github.com/Edward-Sun/TSM-PDE".', "repo", "github.com/edward-sun/tsm-pde"),
        ("(https://github.com/divelab/AIRS).", "repo", "github.com/divelab/airs"),
        ("https://github.com/Org/Repo/tree/main/x{code}", "repo", "github.com/org/repo"),
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


def test_extract_links_url_gets_scheme_and_origin() -> None:
    """A URL written without a scheme gets https://, and the origin is passed through."""
    [link] = extract_links("Code at www.x.org/A.", origin="readme")
    assert link == Link(url="https://www.x.org/A", kind="page", target="x.org/A", origin="readme")


def test_extract_links_http_and_https_share_a_target() -> None:
    """http and https forms of one URL are one link, the first one written kept."""
    links = extract_links("http://x.org/a and https://x.org/a/ and HTTPS://WWW.X.ORG/a")
    assert [(link.url, link.target) for link in links] == [("http://x.org/a", "x.org/a")]


def test_extract_links_keeps_order_of_first_appearance() -> None:
    """Distinct targets come out in the order they first appear."""
    text = "https://b.org then https://github.com/a/b then https://a.org and https://b.org"
    assert [link.target for link in extract_links(text)] == ["b.org", "github.com/a/b", "a.org"]


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "GitHub.",
        "ftp://x.org/a",
        "javascript:window.location='https://'",
        "mailto:someone@www.x.org",
        "https://localhost/a",
        "https://",
        "",
    ],
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


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/plain,hi",
        "ftp://x.org/a",
        "mailto:a@b.org",
        "garbage",
        "https://nodot/a",
        "http://",
        "https://[::1",
        "",
        "   ",
    ],
)
def test_canonical_link_rejects_unusable(url: str) -> None:
    """Anything but an http(s) URL with a dotted host gives None."""
    assert canonical_link(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("x.org:8080/a", ("page", "x.org/a")),
        ("https://x.org/watch?v=AbC&utm_source=tw&fbclid=1", ("page", "x.org/watch?v=AbC")),
        ("https://x.org/a?utm_source=tw#frag", ("page", "x.org/a")),
        ("https://bit.ly/AbC/extra", ("short", "bit.ly/AbC")),
        ("https://bit.ly/", ("page", "bit.ly")),
        ("https://github.com/", ("other", "github.com")),
    ],
)
def test_canonical_link_queries_ports_and_short_codes(url: str, expected: tuple[str, str]) -> None:
    """Tracking parameters, fragments and ports go; other queries and short codes stay."""
    assert canonical_link(url) == expected


def test_repo_owner_and_canonical_repo() -> None:
    """Owners come from GitHub/GitLab repo targets only."""
    assert repo_owner("github.com/thu-ml/gnot") == "github.com/thu-ml"
    assert repo_owner("gitlab.com/group/project") == "gitlab.com/group"
    assert repo_owner("anonymous.4open.science/r/x") is None
    assert canonical_repo("https://github.com/THU-ML/GNOT/tree/main") == "github.com/thu-ml/gnot"
    assert canonical_repo("https://thu-ml.github.io/gnot") is None
    assert canonical_repo("github.com/thu-ml/gnot") == "github.com/thu-ml/gnot"
    assert repo_owner("github.com/thu-ml") is None
    assert repo_owner("x.org/a/b") is None


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
    host=st.from_regex(r"[a-z][a-z0-9\-]{0,10}\.(org|io|com|net|ly)", fullmatch=True),
    www=st.sampled_from(["", "www.", "WWW."]),
    scheme=st.sampled_from(["https://", "http://", "HTTP://", ""]),
    path=st.lists(_segment, max_size=3),
    query=st.sampled_from(["", "?id=Ab1", "?utm_source=x", "?a=1&utm_medium=y", "#frag"]),
    tail=st.sampled_from(["", "/", ".", "),", "/.", ";", "{here.}"]),
)
def test_canonical_link_idempotent_for_pages(
    host: str, www: str, scheme: str, path: list[str], query: str, tail: str
) -> None:
    """Page, short and reference targets are fixed points of canonicalisation."""
    # A host with neither scheme nor www. is running text, not a link: give it a scheme.
    prefix = scheme + www or "https://"
    links = extract_links(f"see {prefix}{host}/" + "/".join(path) + query + tail)
    assert len(links) == 1
    kind, target = links[0].kind, links[0].target
    assert canonical_link("https://" + target) == (kind, target)
    assert canonical_link("http://" + target) == (kind, target)


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


@pytest.mark.parametrize(
    "text",
    [
        "https://x.org/" + ")" * 5000,
        "https://" + "www." * 5000 + "x.org",
        "https://x.org" + "." * 5000,
        "{" * 5000 + "https://x.org" + "}" * 5000,
        "https://[" + "a" * 5000,
        "http://" * 5000,
        "\x00https://x.org\ud800",
    ],
)
def test_extract_links_survives_pathological_input(text: str) -> None:
    """Long runs of punctuation, prefixes and braces give at most one well-formed link."""
    links = extract_links(text)
    assert len(links) <= 1
    assert all(is_http_url(link.url) for link in links)


@given(st.one_of(st.text(), _urlish))
def test_extract_links_never_raises(text: str) -> None:
    """Any text gives a tuple of well-formed links, never an exception."""
    for link in extract_links(text):
        assert is_http_url(link.url)
        assert canonical_link(link.target) == (link.kind, link.target)


_CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"


def test_extract_links_corpus_figures() -> None:
    """The shared corpus gives 85 linked papers, 85 targets, 65 GitHub repos."""
    if not _CORPUS.is_dir():
        pytest.skip(f"no corpus at {_CORPUS}")
    # Every line this long is an abstract; the same paper recurs across pages.
    abstracts = {
        " ".join(line.split())
        for page in sorted(_CORPUS.glob("*.txt"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if len(line) > 200
    }
    found = {abstract: extract_links(abstract) for abstract in abstracts}
    targets = {link.target: link.kind for links in found.values() for link in links}
    github = [t for t, kind in targets.items() if kind == "repo" and t.startswith("github.com/")]
    assert sum(1 for links in found.values() if links) == 85
    assert len(targets) == 85
    assert len(github) == 65
    assert {repo_owner(t) for t in github if t.split("/")[2] in ("gnot", "nuno")} == {
        "github.com/thu-ml"
    }


def test_organisation_url_from_hf_is_an_owner_node() -> None:
    """An organisation given as githubRepo / projectPage is an owner link: a code edge from
    the paper to the owner node its repositories hang from."""
    from collectors.jsonfeed import paper_from_hf_object
    from graph.linkgraph import link_graph

    paper = paper_from_hf_object(
        {
            "id": "2506.22712",
            "title": "T",
            "githubRepo": "https://github.com/Example-Org",
            "projectPage": "https://github.com/orgs/Example-Org/repositories",
            "summary": "See https://github.com/example-org/tool for the tool.",
        },
        "day.json",
        1,
    )
    assert sorted((link.kind, link.target) for link in paper.links) == [
        ("owner", "github.com/example-org"),
        ("repo", "github.com/example-org/tool"),
    ]
    graph = link_graph(("p1", link) for link in paper.links)
    assert {(n.node_id, n.kind) for n in graph.nodes} == {
        ("github.com/example-org", "owner"),
        ("github.com/example-org/tool", "repo"),
    }
    assert {(e.src, e.dst, e.kind) for e in graph.edges} == {
        ("p1", "github.com/example-org", "code"),
        ("p1", "github.com/example-org/tool", "code"),
        ("github.com/example-org/tool", "github.com/example-org", "owner"),
    }
