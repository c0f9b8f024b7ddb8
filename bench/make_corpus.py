"""Write a synthetic corpus of Hugging Face Papers listing pages (rich layout) for benchmarks.

Usage: python bench/make_corpus.py N OUT_DIR [--seed 0] [--per-file 2000] [--repeat-rate 0.05]

Papers are drawn from ~50 invented topics so that papers of one topic share keyphrases;
about a fifth of abstracts carry links with the noise real pages show (trailing
punctuation, /tree/ sub-paths, .git, www. without scheme, LaTeX brace leftovers,
short links); owners and repositories repeat so that shared-code edges exist; a share
of papers are exact repeats of earlier ones, so de-duplication has work to do.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\nNov 20\n\n"
)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# Invented vocabulary: heads and modifiers combine into topic phrases.
HEADS = """operator transformer diffusion model graph network policy kernel embedding encoder
decoder attention mechanism estimator sampler solver optimizer quantizer retriever planner
tokenizer reward model world model value function memory module scheduler""".split()
MODIFIERS = """neural spectral sparse private federated causal contrastive equivariant
probabilistic hierarchical adaptive multimodal recurrent linear quantized robust
continual physics-informed geometric latent variational implicit structured low-rank
zeroth-order certified temporal symbolic""".split()
DOMAINS = """turbulent flow, protein folding, weather forecasting, molecule generation,
robot manipulation, code generation, speech recognition, image segmentation, video
understanding, machine translation, question answering, recommendation, fraud detection,
medical imaging, point clouds, time series, text-to-image, theorem proving, chip design,
traffic prediction""".replace("\n", " ").split(", ")
VERBS = ["learns", "predicts", "compresses", "aligns", "discovers", "accelerates", "stabilises"]
TEMPLATES = [
    "We introduce {name}, a {p1} that {verb} {p2} for {domain}.",
    "Existing {p2} methods struggle with {domain} because they ignore {p3}.",
    "Our key insight is that {p1} and {p3} can be trained jointly.",
    "We prove that the {p1} converges under mild assumptions on the {p2}.",
    "Experiments on {n} benchmarks show that {name} improves accuracy by {x}% over strong baselines.",
    "We further analyse how the {p3} affects generalisation in {domain}.",
    "Compared with prior {p2} approaches, {name} needs {x}x fewer parameters.",
    "A {p1} ({acr}) is combined with a {p3} to handle long contexts.",
    "The method scales to {n} million examples on a single accelerator.",
    "Ablations confirm that each component of the {p1} matters.",
]


def _topics(rng: random.Random, count: int) -> list[list[str]]:
    """Each topic is a handful of two- and three-word phrases that its papers share."""
    topics = []
    for _ in range(count):
        domain = rng.choice(DOMAINS)
        phrases = {f"{rng.choice(MODIFIERS)} {rng.choice(HEADS)}" for _ in range(6)}
        phrases.add(f"{rng.choice(MODIFIERS)} {rng.choice(MODIFIERS)} {rng.choice(HEADS)}")
        topics.append([domain, *sorted(phrases)])
    return topics


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def _acronym(phrase: str) -> str:
    return "".join(word[0] for word in phrase.replace("-", " ").split()).upper()


def _link(rng: random.Random, owners: list[str], repos: dict[str, list[str]]) -> str:
    owner = rng.choice(owners)
    repo = rng.choice(repos[owner])
    style = rng.random()
    if style < 0.45:
        return f"https://github.com/{owner}/{repo}."
    if style < 0.55:
        return f"https://github.com/{owner}/{repo}/tree/main/src/{repo.lower()}"
    if style < 0.62:
        return f"https://github.com/{owner}/{repo}.git"
    if style < 0.70:
        return f"www.github.com/{owner}/{repo}."
    if style < 0.76:
        return f"https://github.com/{owner}/{repo}{{here.}}"
    if style < 0.92:
        return f"https://{owner.lower()}.github.io/{repo}/."
    return f"https://bit.ly/{rng.randrange(36**6):06x}"


def generate_papers(n: int, seed: int = 0, repeat_rate: float = 0.05) -> Iterator[dict[str, str]]:
    """Yield ``n`` paper dicts (title, abstract, meta); some are repeats of earlier ones."""
    rng = random.Random(seed)
    # Real corpora have many small topics: about 40 papers a topic, at least 50 topics.
    topics = _topics(rng, max(50, n // 40))
    owners = [
        f"{rng.choice(MODIFIERS).title().replace('-', '')}Lab{i}" for i in range(max(1, n // 20))
    ]
    repos = {
        o: [f"{rng.choice(HEADS).title()}{rng.choice(MODIFIERS).title()}"[:20] for _ in range(3)]
        for o in owners
    }
    kept: list[dict[str, str]] = []
    for index in range(n):
        if kept and rng.random() < repeat_rate:
            yield rng.choice(kept)
            continue
        topic = rng.choice(topics)
        domain, phrases = topic[0], topic[1:]
        # A base-36 serial keeps names (and so titles) distinct, as real method names are.
        name = "".join(w[:3].title() for w in rng.choice(phrases).split()) + _base36(index)
        head = rng.choice(phrases)
        if rng.random() < 0.6:
            title = f"{name}: {head.title()} for {domain.title()}"
        else:
            lead = rng.choice(["Towards", "Learning", "Scaling", "Rethinking"])
            title = f"{lead} {head.title()} with {name} in {domain.title()}"
        sentences = []
        for _ in range(rng.randint(7, 12)):
            p1, p2, p3 = (rng.choice(phrases) for _ in range(3))
            sentences.append(
                rng.choice(TEMPLATES).format(
                    name=name,
                    p1=p1,
                    p2=p2,
                    p3=p3,
                    verb=rng.choice(VERBS),
                    domain=domain,
                    n=rng.randint(2, 40),
                    x=rng.randint(2, 60),
                    acr=_acronym(p1),
                )
            )
        if rng.random() < 0.2:
            sentences.append(f"Code is available at {_link(rng, owners, repos)}")
        meta = ""
        if rng.random() < 0.95:
            authors = min(30, max(1, int(rng.lognormvariate(1.4, 0.6))))
            day = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
            if rng.random() < 0.7:
                day += f", {rng.randint(2015, 2026)}"
            if rng.random() < 0.2:
                day += f" {rng.randint(1, 400)}"
            meta = f"  • {authors} authors\n·\n{day}\n\n"
        paper = {"title": title, "abstract": " ".join(sentences), "meta": meta}
        kept.append(paper)
        yield paper


def write_corpus(
    n: int, out_dir: Path, seed: int = 0, per_file: int = 2000, repeat_rate: float = 0.05
) -> dict[str, int]:
    """Write ``n`` papers into pages of ``per_file`` papers; return counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    titles: set[str] = set()
    files = size = 0
    handle = None
    for index, paper in enumerate(generate_papers(n, seed, repeat_rate)):
        if index % per_file == 0:
            if handle is not None:
                handle.close()
            handle = (out_dir / f"page_{files:04d}.txt").open("w", encoding="utf-8")
            handle.write(HEADER)
            files += 1
        block = f"{paper['title']}\n\n{paper['abstract']}\n\n{paper['meta']}"
        handle.write(block)  # type: ignore[union-attr]
        size += len(block.encode("utf-8"))
        titles.add(paper["title"])
    if handle is not None:
        handle.close()
    return {"papers": n, "distinct": len(titles), "files": files, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-file", type=int, default=2000)
    parser.add_argument("--repeat-rate", type=float, default=0.05)
    args = parser.parse_args()
    counts = write_corpus(args.n, args.out_dir, args.seed, args.per_file, args.repeat_rate)
    print(
        f"wrote {counts['papers']:,} papers ({counts['distinct']:,} distinct) in "
        f"{counts['files']} files, {counts['bytes'] / 2**20:.1f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
