"""Build from one large JSONL file and report wall time and peak memory (issue 6).

Usage: python bench/bench_jsonl.py [N] [--ingest-only]   (default: 100000 lines)

``--ingest-only`` stops after the stages this input kind touches (stream the JSONL, merge,
bulk-load papers, sources and links in one transaction), leaving out keywords and metrics.

Writes N lines under bench/data/ (git-ignored) from the synthetic corpus of
bench/make_corpus.py (seed 0): half Hugging Face API wrappers with an arXiv id, ids and
camelCase fields, half paperweb's simple schema. The build runs in a child process so that
its peak RSS can be read from the operating system.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import generate_papers  # noqa: E402


def write_jsonl(n: int, path: Path) -> int:
    """Write ``n`` paper lines; return the file size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for index, paper in enumerate(generate_papers(n, seed=0)):
            if index % 2:
                row: dict[str, object] = {"title": paper["title"], "abstract": paper["abstract"]}
            else:
                arxiv_id = f"{24 + index // 1_000_000:02d}{1 + index // 100_000 % 12:02d}.{index % 100_000:05d}"
                row = {
                    "paper": {
                        "id": arxiv_id,
                        "title": paper["title"],
                        "summary": paper["abstract"],
                        "authors": [{"name": "A"}, {"name": "B"}],
                        "publishedAt": "2025-06-27T09:00:00.000Z",
                        "upvotes": index % 50,
                    }
                }
            out.write(json.dumps(row) + "\n")
    return path.stat().st_size


def ingest(jsonl: Path, db: Path) -> None:
    """The ingest stages only, in this process: read, merge, store."""
    from collectors.corpus import read_inputs
    from graph.papers import merge_papers
    from graph.stages import write_papers
    from graph.store import open_store

    papers, skipped, _ = read_inputs([jsonl])
    rows = merge_papers(papers)
    with open_store(db) as store, store.transaction():
        store.clear()
        write_papers(store, rows)
    print(f"{len(papers):,} entries, {len(rows):,} papers, {len(skipped)} skipped", file=sys.stderr)


def main() -> None:
    if sys.argv[1:2] == ["--child-ingest"]:
        ingest(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    n = int(numbers[0]) if numbers else 100_000
    only_ingest = "--ingest-only" in sys.argv
    data = HERE / "data" / f"jsonl{n}{'-ingest' if only_ingest else ''}"
    shutil.rmtree(data, ignore_errors=True)
    size = write_jsonl(n, data / "papers.jsonl")
    command = [
        sys.executable,
        "-m",
        "paperweb",
        "build",
        str(data / "papers.jsonl"),
        "--db",
        str(data / "db.duckdb"),
        "--out",
        str(data / "out"),
    ]
    if only_ingest:
        command = [
            sys.executable,
            __file__,
            "--child-ingest",
            str(data / "papers.jsonl"),
            str(data / "db.duckdb"),
        ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 3):
        raise SystemExit(f"build failed:\n{done.stderr}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(done.stderr.strip())
    print(
        f"{n:,} lines ({size / 2**20:,.0f} MiB): {seconds:.1f} s wall, peak RSS {peak_mib:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
