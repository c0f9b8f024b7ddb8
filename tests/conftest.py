"""Shared fixtures: the real corpus pages, small pages written for the tests, and a network guard."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_PAGES = {
    "000": CORPUS / "000_3fc8e5a8ec2a1d9d.txt",
    "003": CORPUS / "003_31e192c6d4481839.txt",
    "004": CORPUS / "004_cc3b66b00fdc28a9.txt",
}

RICH_PAGE = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Mar 3

Sparse Routing for Tiny Graph Transformers

We study sparse routing in small graph transformers. Code: https://github.com/Example-Lab/TinyRoute.

  • 4 authors
·
Feb 2, 2024 12

Koopman Operators Meet Spectral Graph Learning

A spectral method for Koopman operators on graphs, see www.github.com/example-lab/koopgraph.

  • 2 authors
·
Jan 5

A Paper Without Metadata

This abstract has no author block after it and links https://example.org/project/.
"""

COMPACT_PAGE = (
    "Get trending papers in your email inbox once a day!\n"
    "Get trending papers in your email inbox!\n"
    "SubscribeSparse Routing for Tiny Graph Transformers\n"
    "We study sparse routing in small graph transformers. Code: https://github.com/Example-Lab/TinyRoute.\n"
    "Private Inference with Fewer Nonlinearities\n"
    "Fewer ReLUs make private inference faster; see https://bit.ly/AbC123.\n"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip corpus tests when ../shared/corpus is not beside the repository."""
    if CORPUS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"corpus not found at {CORPUS}")
    for item in items:
        if "corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture
def corpus() -> Path:
    """The folder of real Hugging Face Papers pages (read-only, never copied)."""
    return CORPUS


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus built once per session (offline): ``db.duckdb`` and ``out/`` in this folder.

    Shared by tests that only read it.
    """
    from paperweb.pipeline import BuildOptions, build

    if not CORPUS.is_dir():
        pytest.skip("corpus not found")
    tmp = tmp_path_factory.mktemp("corpus_build")
    build([CORPUS], BuildOptions(db=tmp / "db.duckdb", out=tmp / "out"))
    return tmp


@pytest.fixture
def rich_page(tmp_path: Path) -> Path:
    """A small rich-layout page written for the tests."""
    path = tmp_path / "rich.txt"
    path.write_text(RICH_PAGE, encoding="utf-8")
    return path


@pytest.fixture
def compact_page(tmp_path: Path) -> Path:
    """A small compact-layout page that repeats one paper of the rich page."""
    path = tmp_path / "compact.txt"
    path.write_text(COMPACT_PAGE, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a socket to anything but the loopback interface."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or self.family == socket.AF_UNIX
        ):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
