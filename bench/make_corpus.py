"""Write a synthetic corpus of Hugging Face Papers listing pages (rich layout) for benchmarks.

Usage: python bench/make_corpus.py N OUT_DIR [--seed 0] [--per-file 2000] [--repeat-rate 0.05]

Writes OUT_DIR/page_0000.txt, page_0001.txt, ... with up to --per-file papers each, in the
rich layout of ../shared/corpus/README.md: the page header, then per paper a title line, a
blank line, an abstract line, a blank line and (for ~95% of papers) the block
``  • K authors`` / ``·`` / ``Mon D[, YYYY][ upvotes]``.

All text is assembled from the invented vocabulary below; nothing is copied from real pages.
Papers are drawn from ~50 topics, each with its own keyphrases, so that papers of one topic
share terms. About a fifth of abstracts carry links with the noise real pages show (trailing
punctuation, ``/tree/main/...`` sub-paths, ``.git``, ``www.`` without a scheme, LaTeX leftovers
such as ``{here.}``, short links); owners and some repositories repeat, so shared-code edges
exist. A share of papers (--repeat-rate) are exact repeats of earlier ones, possibly in another
file, so de-duplication has work to do. Output is deterministic for a given seed, uses only the
standard library and is written paper by paper.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from random import Random
from string import Formatter
from typing import TypeVar

T = TypeVar("T")

__all__ = ["generate_papers", "render_paper", "write_corpus"]

HEADER_LINES = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
YEARS = tuple(range(2015, 2027))
# Recent years are more common, as on the real site.
YEAR_WEIGHTS = (1, 1, 2, 3, 4, 6, 8, 10, 14, 18, 22, 12)

# --------------------------------------------------------------------------------------------
# Vocabulary (written for this script). Each topic: "keyphrases | application areas".
# --------------------------------------------------------------------------------------------
TOPICS_TEXT = """
graph neural network; message passing; node classification; over-smoothing; graph transformer; heterophilous graphs; link prediction | molecular property prediction; citation networks; social network analysis
linear mode connectivity; loss landscape; weight averaging; permutation symmetry; sharpness-aware minimization; flat minima; model merging | image classification; model fusion
private inference; homomorphic encryption; secure multi-party computation; garbled circuits; polynomial activations; ciphertext packing | cloud inference; encrypted prediction services
neural operator; Fourier neural operator; partial differential equations; operator learning; resolution invariance; spectral convolution | turbulent flow simulation; weather forecasting
denoising diffusion; score matching; classifier-free guidance; noise schedule; latent diffusion; reverse-time sampler | text-to-image generation; image editing
chain-of-thought prompting; large language model; self-consistency; process reward model; test-time compute; reasoning trace | mathematical reasoning; multi-step question answering
reinforcement learning from human feedback; preference optimization; reward model; KL regularization; reward hacking; pairwise preference data | instruction following; dialogue assistants
sparse attention; linear attention; key-value cache; sliding window attention; state space model; long context | long document summarization; language modeling
post-training quantization; low-bit weights; activation outliers; mixed-precision inference; quantization-aware training; integer arithmetic | on-device inference; LLM serving
structured pruning; lottery ticket hypothesis; magnitude pruning; weight sparsity; iterative pruning; sparse training | model compression; edge deployment
federated learning; client drift; non-IID data; secure aggregation; communication efficiency; personalized federated learning | mobile keyboards; cross-silo healthcare
differential privacy; DP-SGD; privacy accounting; per-sample gradient clipping; membership inference; privacy budget | private fine-tuning; synthetic data release
adversarial examples; adversarial training; certified robustness; randomized smoothing; Lipschitz constant; bound propagation | image classification; malware detection
continual learning; catastrophic forgetting; experience replay; class-incremental learning; parameter isolation; stability-plasticity trade-off | lifelong robotics; streaming recognition
meta-learning; few-shot learning; bi-level optimization; task adaptation; prototypical networks; inner-loop update | few-shot image classification; cold-start recommendation
contrastive learning; masked image modeling; self-supervised pretraining; representation collapse; view augmentation; linear probing | image retrieval; semantic segmentation
vision-language model; image-text alignment; visual question answering; cross-modal retrieval; visual grounding; multimodal instruction tuning | image captioning; document understanding
video transformer; temporal modeling; action recognition; spatiotemporal attention; video-language pretraining; frame sampling | video question answering; temporal action localization
neural radiance field; Gaussian splatting; novel view synthesis; volumetric rendering; multi-view stereo; signed distance function | scene reconstruction; avatar generation
automatic speech recognition; self-supervised speech representations; speaker diarization; text-to-speech; acoustic model; streaming decoder | low-resource languages; voice conversion
neural machine translation; multilingual pretraining; back-translation; low-resource translation; subword tokenization; cross-lingual transfer | document translation; speech translation
dense retrieval; retrieval-augmented generation; passage re-ranking; hard negative mining; query expansion; vector index | open-domain question answering; enterprise search
collaborative filtering; sequential recommendation; implicit feedback; session-based recommendation; user embedding; exposure bias | e-commerce recommendation; news feeds
time series forecasting; temporal convolution; probabilistic forecasting; multivariate time series; anomaly detection; seasonal decomposition | energy demand forecasting; traffic prediction
causal inference; treatment effect estimation; structural causal model; confounding bias; counterfactual reasoning; causal discovery | observational health records; policy evaluation
Bayesian neural network; variational inference; uncertainty quantification; posterior approximation; Monte Carlo dropout; expected calibration error | out-of-distribution detection; active learning
normalizing flow; flow matching; optimal transport; continuous normalizing flow; likelihood estimation; rectified flow | density estimation; molecule generation
offline reinforcement learning; distribution shift; conservative Q-learning; behavior cloning; value overestimation; dataset coverage | robotic manipulation; autonomous driving
model-based reinforcement learning; world model; latent dynamics; planning horizon; Monte Carlo tree search; imagined rollouts | continuous control; Atari games
multi-agent reinforcement learning; decentralized execution; credit assignment; emergent communication; cooperative games; opponent modeling | traffic signal control; multi-robot coordination
imitation learning; sim-to-real transfer; dexterous manipulation; visuomotor policy; action chunking; teleoperation data | household manipulation; legged locomotion
code generation; program synthesis; unit test feedback; code language model; execution-guided decoding; repository-level context | software engineering; automated bug repair
automated theorem proving; formal verification; proof search; interactive theorem prover; autoformalization; tactic prediction | competition mathematics; verified software
molecular graph; drug discovery; binding affinity prediction; equivariant neural network; conformer generation; retrosynthesis planning | virtual screening; lead optimization
protein structure prediction; inverse folding; multiple sequence alignment; protein language model; residue contact map; protein design | enzyme engineering; antibody design
medical image segmentation; weakly supervised localization; scanner domain shift; radiology report generation; lesion detection; U-Net backbone | chest X-ray analysis; MRI reconstruction
algorithmic fairness; demographic parity; bias mitigation; group robustness; spurious correlation; fair representation learning | hiring decisions; credit scoring
mechanistic interpretability; sparse autoencoder; feature attribution; circuit discovery; probing classifier; activation patching | language model analysis; model auditing
neural architecture search; hyperparameter optimization; weight-sharing supernet; performance predictor; search space design; multi-fidelity evaluation | efficient model design; hardware-aware deployment
stochastic gradient descent; adaptive optimizer; learning rate schedule; convergence rate; second-order method; gradient noise | large-batch training; non-convex optimization
scaling law; compute-optimal training; data mixture; pretraining corpus; mixture of experts; emergent abilities | foundation model pretraining; multilingual pretraining
data curation; label noise; data pruning; synthetic data generation; near-duplicate detection; dataset distillation | noisy web data; instruction data selection
out-of-distribution generalization; domain adaptation; test-time adaptation; invariant risk minimization; domain generalization; covariate shift | cross-domain recognition; satellite imagery
Gaussian process; kernel method; random features; neural tangent kernel; infinite-width limit; inducing points | regression with uncertainty; Bayesian optimization
GPU kernel; memory bandwidth; pipeline parallelism; tensor parallelism; activation checkpointing; inference throughput | distributed training; LLM serving
language agent; tool use; web navigation; task planning; long-horizon memory; agent benchmark | software automation; interactive environments
hallucination detection; factual consistency; knowledge editing; retrieval grounding; confidence estimation; citation accuracy | long-form question answering; scientific summarization
physics-informed neural network; dynamical system reconstruction; Koopman operator; symplectic integrator; chaotic attractor; neural ordinary differential equation | climate modeling; fluid dynamics
music generation; audio tokenizer; neural audio codec; source separation; sound event detection; audio-language model | music transcription; sound design
tabular data; gradient boosted trees; feature engineering; missing value imputation; tabular foundation model; categorical encoding | credit risk modeling; clinical prediction
object detection; instance segmentation; open-vocabulary detection; anchor-free detector; panoptic segmentation; bounding box regression | autonomous driving perception; aerial imagery
knowledge graph embedding; entity alignment; relation extraction; multi-hop reasoning; knowledge graph completion; ontology matching | biomedical knowledge bases; question answering over tables
jailbreak attack; red teaming; safety alignment; refusal behavior; prompt injection; content moderation | harmful content detection; agent security
generative adversarial network; mode collapse; style transfer; image-to-image translation; discriminator regularization; perceptual loss | face synthesis; image super-resolution
"""

ADJECTIVES = """efficient scalable robust principled lightweight unified simple adaptive provable
training-free plug-and-play data-efficient general-purpose modular hierarchical compositional
memory-efficient sample-efficient interpretable stable fast accurate faithful""".split()
PROPERTIES = [
    *"generalization expressivity stability robustness convergence calibration".split(),
    *"limits role emergence brittleness transferability".split(),
    "sample complexity",
]
NOUNS = """framework method approach architecture objective algorithm pipeline recipe
estimator regularizer""".split()
METRICS = [
    "accuracy",
    "F1 score",
    "BLEU",
    "mean average precision",
    "perplexity",
    "success rate",
    "AUROC",
    "win rate",
    "latency",
    "memory footprint",
    "exact match",
    "mean squared error",
]
VERBS = """improves accelerates stabilizes simplifies generalizes compresses regularizes
extends unifies""".split()
GAPS = [
    "scale poorly with the input size",
    "rely on hand-crafted heuristics",
    "require expensive retraining",
    "ignore the structure of the data",
    "are brittle under distribution shift",
    "need large amounts of labeled data",
    "offer no theoretical guarantees",
    "are hard to deploy on commodity hardware",
    "suffer from high variance",
    "trade accuracy for efficiency",
]
PIECES = """flow graph mix tune net former diff gen align scope lens prune quant spark bridge
fuse shift morph trace pilot forge sense mind path loop sync vista nova atlas orbit prism echo
pulse weave quill helix delta sigma kappa astra cortex vec tok patch chain guard probe star hawk
lynx otter fox wren lark ember frost tide dune crest rift arc glyph rune sage muse nexus omni
poly meta hyper ultra neo proto zen""".split()
SUFFIXES = ["", "", "", "", "", "", "-2", "++", "-XL", "v2", "-R1", "-Lite", "-Zero", "-3D"]
OWNER_TAILS = ["", "", "", "-lab", "Lab", "-ai", "AI", "-research", "NLP", "-group", "ML", "hq"]
SUBPATHS = [
    "projects/{r}",
    "examples/{r}",
    "src/{r}",
    "research/{r}",
    "experiments",
    "benchmarks/{r}/configs",
]
SMALL = frozenset("a an and as at by for from in into of on or the to via with without".split())


def _parse_topics() -> list[tuple[list[str], list[str]]]:
    topics = []
    for line in TOPICS_TEXT.strip().splitlines():
        phrases, areas = line.split("|")
        topics.append(
            (
                [p.strip() for p in phrases.split(";")],
                [a.strip() for a in areas.split(";")],
            )
        )
    return topics


TOPICS = _parse_topics()

# Sentence templates by section. Slots are filled lazily (see _Slots): k1..k4 topic
# keyphrases, area, name, adj, adj2, noun, metric, n, x, gap, verb, bench, prop.
INTRO = [
    "{K1} has emerged as a powerful paradigm for {area}.",
    "Recent advances in {k1} have enabled remarkable progress in {area}.",
    "{K1} is a central problem in {area}, with applications ranging from {area2} to {k2}.",
    "Despite rapid progress, {k1} remains poorly understood in practice.",
    "Many real-world systems for {area} depend on {k1} and {k2}.",
    "Understanding {k1} is key to building reliable models for {area}.",
    "The success of {k1} has renewed interest in {k2}.",
]
GAP = [
    "However, existing approaches to {k1} {gap}.",
    "Yet current {k2} methods {gap}, which limits their use in {area}.",
    "In particular, prior work on {k1} largely overlooks the role of {k2}.",
    "Moreover, the interaction between {k1} and {k3} has received little attention.",
    "This raises the question of whether {k2} is necessary at all.",
    "Most methods {gap}, and their cost grows as O(n^{{2}}) with the sequence length.",
]
PROPOSE = [
    "In this paper, we propose {name}, a {adj} {noun} that combines {k1} with {k2}.",
    "We introduce {name}, a {adj} {noun} for {k1} in {area}.",
    "To address this, we present {name}, which casts {k1} as {k2}.",
    "In this work, we take a {adj} view of {k1} and develop {name}.",
    "We propose {name}, a {adj} and {adj2} {noun} built on {k1}.",
]
METHOD = [
    "Our key insight is that {k1} and {k3} can be learned jointly.",
    "{name} first estimates {k2} and then refines it with {k3}.",
    "Specifically, we formulate {k1} as a {adj} optimization problem over {k2}.",
    "We further introduce a {adj} regularizer that encourages {k3}.",
    "The resulting {noun} is {adj}, requires no additional supervision, and {verb} {k2}.",
    "A lightweight module exploits {k4} to reduce the cost from O(n^{{2}}) to O(n log n).",
    "We prove that {name} converges at a rate of mathcal{{O}}(1/sqrt{{T}}) under mild assumptions.",
    "Theoretically, we show that {k1} bounds the error of {k2} up to a constant factor.",
    "Unlike prior work, {name} does not require access to {k3} at inference time.",
    "The design of {name} is motivated by an analysis of {k2} in {area}.",
    "We also derive a {adj} variant that scales to {n} billion parameters.",
    "To this end, we decompose {k1} into a {adj} component and a residual term.",
    "At the core of {name} is a {adj} estimator of {k2} that can be computed in closed form.",
    "{name} alternates between updating {k1} and {k3}, which keeps training {adj}.",
    "We instantiate {name} with a {adj} backbone and train it end to end.",
    "This yields a {adj} bound on the ell_{{2}} error of {k2}.",
    "Crucially, {name} reuses {k4} across tasks, amortizing its cost.",
    "The approach is agnostic to the choice of {k3} and can be added to existing pipelines.",
    "We characterize when {k1} fails and show that {k2} provably mitigates these failures.",
    "Our analysis reveals that {k3} is the main source of error in {k1}.",
]
EXPERIMENT = [
    "We evaluate {name} on {n} benchmarks for {area}, including {bench}.",
    "Extensive experiments on {bench} and {bench2} demonstrate the effectiveness of {name}.",
    "We conduct experiments across {n} datasets spanning {area} and {area2}.",
    "Ablation studies confirm that each component of {name} contributes to the final {metric}.",
    "We additionally study the {prop} of {k1} under varying amounts of {k2}.",
    "We compare against {n} baselines, including recent {k2} methods, under identical budgets.",
    "Our evaluation covers both synthetic settings and real data from {area}.",
    "We also release {bench}, a new benchmark of {n},000 examples for {k1}.",
]
RESULT = [
    "{name} improves {metric} by {x}% over strong baselines while using {n}x less compute.",
    "Results show that {name} consistently outperforms existing {k1} methods.",
    "Our method achieves state-of-the-art {metric} on {bench} with {n}x fewer parameters.",
    "Compared with prior {k2} approaches, {name} reduces {metric} errors by {x}%.",
    "These findings suggest that {k1} is a promising direction for {area}.",
    "We hope {name} will serve as a strong baseline for future work on {k2}.",
    "Notably, {name} remains {adj} even when {k3} is severely limited.",
    "On {bench}, {name} closes {x}% of the gap to an oracle with full access to {k2}.",
    "Our results highlight the importance of {k3} for {area}.",
]


def _compile(templates: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Pair each template with its slot names; "a {adj}" becomes "{a_adj}" ("an efficient")."""
    out = []
    for template in templates:
        template = re.sub(r"\ba \{(adj|noun)\}", r"{a_\1}", template)
        keys = dict.fromkeys(f for _, f, _, _ in Formatter().parse(template) if f)
        out.append((template, tuple(keys)))
    return out


_LIST_SLOTS: dict[str, Sequence[str]] = {
    "adj": ADJECTIVES,
    "adj2": ADJECTIVES,
    "noun": NOUNS,
    "metric": METRICS,
    "gap": GAPS,
    "verb": VERBS,
    "prop": PROPERTIES,
}
C_INTRO, C_GAP, C_PROPOSE = _compile(INTRO), _compile(GAP), _compile(PROPOSE)
C_METHOD, C_EXPERIMENT, C_RESULT = _compile(METHOD), _compile(EXPERIMENT), _compile(RESULT)

CODE = [
    "Code is available at {url}",
    "Our code and models are publicly available at {url}",
    "The implementation is released at {url}",
    "Code and data: {url}",
    "We release our code at {url}",
    "Source code can be found at {url}",
]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
_TITLED: dict[str, str] = {}


def _title_case(text: str) -> str:
    """Capitalize each word (and each part of a hyphenated one) except small inner words."""
    out = []
    for i, word in enumerate(text.split()):
        if i and word in SMALL:
            out.append(word)
            continue
        titled = _TITLED.get(word)
        if titled is None:
            parts = word.split("-")
            titled = _TITLED[word] = "-".join(
                p if j and p in SMALL else p[:1].upper() + p[1:] for j, p in enumerate(parts)
            )
        out.append(titled)
    return " ".join(out)


def _an(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiouAEIOU" else f"a {word}"


def _pick(rng: Random, seq: Sequence[T]) -> T:
    """rng.choice without its overhead (same determinism, different stream)."""
    return seq[int(rng.random() * len(seq))]


def _acronym(phrase: str) -> str:
    return "".join(w[0] for w in phrase.replace("-", " ").split() if w[0].isalnum()).upper()


_NON_WORD = re.compile(r"[\W_]+")


def _key(title: str) -> str:
    return _NON_WORD.sub(" ", title.casefold()).strip()


def _method_name(rng: Random, phrases: list[str]) -> tuple[str, str | None]:
    """An acronym-like method name, and sometimes the long form it abbreviates."""
    style = rng.random()
    if style < 0.3:
        long_form = _title_case(f"{_pick(rng, ADJECTIVES)} {_pick(rng, phrases)}")
        words = long_form.replace("-", " ").split()
        if len(words) < 2:
            long_form += " " + _pick(rng, ["Learning", "Networks", "Optimization"])
        acr = _acronym(long_form)
        if rng.random() < 0.5:  # mixed case like "GraFT"
            acr = "".join(
                w[:2].title() if j % 2 == 0 else w[0].upper() for j, w in enumerate(words)
            )
        return acr + _pick(rng, SUFFIXES), long_form
    a, b = _pick(rng, PIECES), _pick(rng, PIECES)
    if style < 0.65:
        name = a.title() + b.title()
    elif style < 0.85:
        name = (a + b[:2]).upper()
    else:
        name = a.title() + b.upper()
    return name + _pick(rng, SUFFIXES), None


def _bench_names(rng: Random, count: int) -> list[str]:
    names = []
    for _ in range(count):
        base = _pick(rng, PIECES).title() + _pick(
            rng, ["Bench", "QA", "Set", "Eval", "-1K", "Arena"]
        )
        names.append(base if rng.random() < 0.6 else f"{base}-{_pick(rng, ['v2', 'Hard', 'Lite'])}")
    return names


class _Links:
    """Owner and repository pools; owners repeat, a few repositories are shared."""

    def __init__(self, rng: Random, n: int) -> None:
        self.rng = rng
        count = max(8, n // 20)
        seen: set[str] = set()
        self.owners: list[str] = []
        self.repos: dict[str, list[str]] = {}
        self.by_topic: list[list[str]] = [[] for _ in TOPICS]
        for i in range(count):
            owner = self._owner_name()
            while owner.lower() in seen:
                owner += str(rng.randrange(10))
            seen.add(owner.lower())
            self.owners.append(owner)
            topic = i % len(TOPICS)
            self.by_topic[topic].append(owner)
            phrases = TOPICS[topic][0]
            self.repos[owner] = [
                self._repo_from_phrase(_pick(rng, phrases)) for _ in range(rng.randint(1, 4))
            ]
        # A few toolkits that many papers point to.
        self.toolkits = [
            (
                _pick(rng, self.owners),
                _pick(rng, PIECES).title() + _pick(rng, ["Kit", "Lib", "Hub"]),
            )
            for _ in range(max(3, n // 2000))
        ]

    def _owner_name(self) -> str:
        rng = self.rng
        a, b = _pick(rng, PIECES), _pick(rng, PIECES)
        style = rng.random()
        if style < 0.3:
            base = a + b
        elif style < 0.6:
            base = a.title() + b.title()
        elif style < 0.8:
            base = f"{a}-{b}"
        else:
            base = _pick(rng, "abcdefghjklmnprstwxyz") + a + b[:3]
        return base + _pick(rng, OWNER_TAILS)

    def _repo_from_phrase(self, phrase: str) -> str:
        style = self.rng.random()
        words = phrase.replace("-", " ").split()
        if style < 0.35:
            return "-".join(w.lower() for w in words)
        if style < 0.6:
            return "_".join(w.lower() for w in words)
        if style < 0.85:
            return "".join(w[:1].upper() + w[1:] for w in words)
        return "awesome-" + "-".join(w.lower() for w in words)

    def pick(self, topic: int, name: str, phrase: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.05:
            return _pick(rng, self.toolkits)
        pool = self.by_topic[topic] if rng.random() < 0.7 and self.by_topic[topic] else self.owners
        owner = _pick(rng, pool)
        repos = self.repos[owner]
        if rng.random() < 0.15:
            return owner, _pick(rng, repos)  # shared with earlier papers
        style = rng.random()
        if style < 0.45:
            repo = name
        elif style < 0.6:
            repo = name.lower()
        elif style < 0.75:
            repo = f"{name}-{_pick(rng, ['official', 'pytorch', 'jax', 'code'])}"
        else:
            repo = self._repo_from_phrase(phrase)
        repos.append(repo)
        return owner, repo

    def url(self, topic: int, name: str, phrase: str) -> tuple[str, bool]:
        """A noisy URL ending a sentence; the flag says whether it carries its own ending."""
        rng = self.rng
        owner, repo = self.pick(topic, name, phrase)
        gh = f"https://github.com/{owner}/{repo}"
        style = rng.random()
        if style < 0.36:
            return gh + _pick(rng, [".", ".", ".", ")", ","]), True
        if style < 0.46:
            sub = _pick(rng, SUBPATHS).format(r=repo.lower())
            return f"{gh}/tree/main/{sub}" + _pick(rng, ["", "."]), True
        if style < 0.53:
            return gh + ".git" + _pick(rng, ["", "."]), True
        if style < 0.60:
            return f"www.github.com/{owner}/{repo}.", True
        if style < 0.72:
            project = repo if rng.random() < 0.5 else name
            return f"https://{owner.lower()}.github.io/{project}/.", True
        if style < 0.79:
            return gh + _pick(rng, ["{here.}", "{code}", "{https://github.com}."]), True
        if style < 0.86:
            code = "".join(
                _pick(rng, "0123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
                for _ in range(7)
            )
            if rng.random() < 0.3:
                code = f"{name.lower()}-{_pick(rng, PIECES)}"
            return f"https://bit.ly/{code}", True
        if style < 0.93:
            return f"(code: {gh})", False
        return f"https://huggingface.co/{owner}/{name}-{_pick(rng, ['7B', 'base', 'large'])}.", True


class _PaperState:
    """What one abstract's sentences share: its phrases, name, acronym and used templates."""

    def __init__(
        self,
        rng: Random,
        phrases: list[str],
        areas: list[str],
        benches: list[str],
        name: str,
        acr_phrase: str | None,
    ) -> None:
        self.random = rng.random
        self.phrases = phrases
        self.name = name
        self.acr_phrase = acr_phrase
        self.acr_defined = False
        self.used: set[str] = set()
        # Slots filled by a plain pick from a list.
        self.lists: dict[str, Sequence[str]] = {
            **_LIST_SLOTS,
            "area": areas,
            "area2": areas,
            "bench": benches,
            "bench2": benches,
        }

    def phrase(self) -> str:
        rnd = self.random
        phrases = self.phrases
        # The paper's first phrase is its main keyphrase and recurs most.
        return self.phrase_of(phrases[0] if rnd() < 0.35 else phrases[int(rnd() * len(phrases))])

    def phrase_of(self, p: str) -> str:
        """The phrase as written here: defined as "long form (LF)" once, then "LF"."""
        if p == self.acr_phrase:
            if self.acr_defined:
                return _acronym(p)
            self.acr_defined = True
            return f"{p} ({_acronym(p)})"
        return p

    def special(self, key: str, taken: dict[str, str]) -> str:
        rnd = self.random
        if key[0] in "kK":
            p = self.phrase()
            if p in taken.values():  # keep "{k1} ... {k2}" distinct
                rest = [q for q in self.phrases if q not in taken.values()]
                p = self.phrase_of(rest[int(rnd() * len(rest))]) if rest else p
            return p[:1].upper() + p[1:] if key[0] == "K" else p
        if key == "name":
            return self.name
        if key == "a_adj":
            return _an(ADJECTIVES[int(rnd() * len(ADJECTIVES))])
        if key == "a_noun":
            return _an(NOUNS[int(rnd() * len(NOUNS))])
        if key == "n":
            return str(2 + int(rnd() * 11))
        if key == "x":
            return f"{1 + rnd() * 39:.1f}"
        raise KeyError(key)


def _sentence(state: _PaperState, templates: list[tuple[str, tuple[str, ...]]]) -> str:
    """Fill a template not yet used in this abstract (any one once all are used)."""
    rnd = state.random
    template, keys = templates[int(rnd() * len(templates))]
    for _ in range(6):
        if template not in state.used:
            break
        template, keys = templates[int(rnd() * len(templates))]
    state.used.add(template)
    values: dict[str, str] = {}
    lists = state.lists
    for key in keys:
        seq = lists.get(key)
        if seq is None:
            values[key] = state.special(key, values)
            continue
        value = seq[int(rnd() * len(seq))]
        if value in values.values():  # "{area} and {area2}" differ
            rest = [v for v in seq if v not in values.values()] or seq
            value = rest[int(rnd() * len(rest))]
        values[key] = value
    text = template.format_map(values)
    return text[:1].upper() + text[1:]


def _title(rng: Random, name: str, long_form: str | None, phrases: list[str], area: str) -> str:
    k1, k2 = phrases[0], _pick(rng, phrases[1:])
    k3 = _pick(rng, [p for p in phrases if p not in (k1, k2)] or [area])
    adj = _pick(rng, ADJECTIVES)
    style = rng.random()
    if style < 0.4:
        body = long_form or _pick(
            rng, [f"{adj} {k1} for {area}", f"{k1} via {k2}", f"towards {adj} {k1} with {k2}"]
        )
        if long_form and rng.random() < 0.6:
            body += f" for {area}"
        return f"{name}: {_title_case(body)}"
    options = [
        f"on the {_pick(rng, PROPERTIES)} of {k1} in {area}",
        f"{k1} meets {k2}: {adj} {_pick(rng, NOUNS)}s for {area}",
        f"scaling {k1} with {k2}",
        f"rethinking {k2} for {adj} {k1}",
        f"when does {k2} help {k1}?",
        f"learning {adj} {k1} from {k2}",
        f"{_an(adj)} benchmark for {k1} in {area}",
        f"{adj} {k1} via {k2} and {k3}",
        f"revisiting {k1}: {_an(adj)} perspective on {k2}",
        f"beyond {k2}: {adj} {k1} for {area}",
    ]
    return _title_case(_pick(rng, options))


def _meta(rng: Random) -> tuple[int | None, str | None, int | None]:
    if rng.random() >= 0.95:
        return None, None, None
    authors = min(30, max(1, round(rng.lognormvariate(1.45, 0.6))))
    month = rng.randrange(12)
    date = f"{MONTHS[month]} {rng.randint(1, MONTH_DAYS[month])}"
    if rng.random() < 0.7:
        date += f", {rng.choices(YEARS, YEAR_WEIGHTS)[0]}"
    upvotes = min(999, int(rng.paretovariate(0.9))) if rng.random() < 0.2 else None
    return authors, date, upvotes


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def _new_paper(
    rng: Random, links: _Links, benches: list[list[str]], seen: set[str]
) -> dict[str, object]:
    topic = rng.randrange(len(TOPICS))
    phrases, areas = TOPICS[topic]
    own = rng.sample(phrases, rng.randint(4, 5))
    areas = list(areas)
    if rng.random() < 0.25:  # a second topic contributes a phrase or two
        other = (topic + 1 + rng.randrange(len(TOPICS) - 1)) % len(TOPICS)
        other_phrases, other_areas = TOPICS[other]
        own += [p for p in rng.sample(other_phrases, rng.randint(1, 2)) if p not in own]
        extra = _pick(rng, other_areas)
        if extra not in areas:
            areas.append(extra)
    for _ in range(8):
        name, long_form = _method_name(rng, own)
        title = _title(rng, name, long_form, own, _pick(rng, areas))
        if 5 <= len(title.split()) <= 15 and _key(title) not in seen:
            break
    else:  # fall back to a name prefix, which is close to unique
        while True:
            name, long_form = _method_name(rng, own)
            title = f"{name}: {_title_case(f'{own[0]} for {areas[0]}')}"
            if _key(title) not in seen:
                break
    seen.add(_key(title))

    multiword = [p for p in own if " " in p or "-" in p]
    acr_phrase = _pick(rng, multiword) if multiword and rng.random() < 0.45 else None
    state = _PaperState(rng, own, areas, benches[topic], name, acr_phrase)
    target = rng.randint(120, 250)
    sentences = [_sentence(state, C_INTRO)]
    if rng.random() < 0.4:
        sentences.append(_sentence(state, C_INTRO))
    sentences.append(_sentence(state, C_GAP))
    if long_form and rng.random() < 0.7:
        adj = _pick(rng, ADJECTIVES)
        sentences.append(
            f"In this paper, we propose {long_form} ({name}), {_an(adj)} approach to {own[0]}."
        )
    else:
        sentences.append(_sentence(state, C_PROPOSE))
    words = sum(s.count(" ") + 1 for s in sentences)
    while words < target * 0.6:
        s = _sentence(state, C_METHOD)
        sentences.append(s)
        words += s.count(" ") + 1
    while words < target * 0.9:
        s = _sentence(state, C_EXPERIMENT)
        sentences.append(s)
        words += s.count(" ") + 1
    while words < target:
        s = _sentence(state, C_RESULT)
        sentences.append(s)
        words += s.count(" ") + 1
    if rng.random() < 0.2:
        url, ended = links.url(topic, name, own[0])
        if ended:
            line = _pick(rng, CODE).format(url=url)
        else:
            line = f"We release our implementation {url}."
        if rng.random() < 0.8:
            sentences.append(line)
        else:  # links in the middle of the abstract
            sentences.insert(rng.randint(3, len(sentences) - 1), line)
        if rng.random() < 0.1:
            owner, repo = links.pick(topic, name, own[0])
            sentences.append(f"Project page: https://{owner.lower()}.github.io/{repo}/")
    authors, date, upvotes = _meta(rng)
    return {
        "title": title,
        "abstract": " ".join(sentences),
        "authors": authors,
        "date": date,
        "upvotes": upvotes,
        "topic": topic,
        "repeat": False,
    }


def generate_papers(
    n: int, seed: int = 0, repeat_rate: float = 0.05
) -> Iterator[dict[str, object]]:
    """Yield ``n`` papers as dicts (title, abstract, authors, date, upvotes, topic, repeat).

    ``authors``/``date``/``upvotes`` are None when the paper has no metadata block (or no
    upvote count). About ``repeat_rate`` of the papers are exact repeats of an earlier one,
    drawn from a bounded reservoir of earlier papers, with ``repeat`` set to True.
    """
    rng = Random(seed)
    links = _Links(rng, n)
    benches = [_bench_names(rng, 3) for _ in TOPICS]
    seen: set[str] = set()
    reservoir: list[dict[str, object]] = []
    fresh = 0
    for _ in range(n):
        if reservoir and rng.random() < repeat_rate:
            yield {**_pick(rng, reservoir), "repeat": True}
            continue
        paper = _new_paper(rng, links, benches, seen)
        fresh += 1
        if len(reservoir) < 4096:
            reservoir.append(paper)
        else:
            slot = rng.randrange(fresh)
            if slot < 4096:
                reservoir[slot] = paper
        yield paper


def render_paper(paper: dict[str, object]) -> str:
    """The rich-layout text of one paper, ending with the blank line before the next one."""
    text = f"{paper['title']}\n\n{paper['abstract']}\n\n"
    if paper["date"] is not None:
        date = paper["date"] if paper["upvotes"] is None else f"{paper['date']} {paper['upvotes']}"
        text += f"  • {paper['authors']} authors\n·\n{date}\n\n"
    return text


def write_corpus(
    n: int,
    out_dir: Path | str,
    seed: int = 0,
    per_file: int = 2000,
    repeat_rate: float = 0.05,
) -> dict[str, int]:
    """Write ``n`` papers to OUT_DIR/page_NNNN.txt; return papers, distinct, files, bytes."""
    if per_file < 1:
        raise ValueError("per_file must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header_rng = Random(f"header-{seed}")
    files = size = distinct = 0
    handle = None
    try:
        for index, paper in enumerate(generate_papers(n, seed, repeat_rate)):
            if index % per_file == 0:
                if handle is not None:
                    handle.close()
                handle = (out / f"page_{files:04d}.txt").open("w", encoding="utf-8", newline="\n")
                month = header_rng.randrange(12)
                day = header_rng.randint(1, MONTH_DAYS[month])
                header = "\n\n".join((*HEADER_LINES, f"{MONTHS[month]} {day}")) + "\n\n"
                handle.write(header)
                size += len(header.encode("utf-8"))
                files += 1
            block = render_paper(paper)
            assert handle is not None
            handle.write(block)
            size += len(block.encode("utf-8"))
            distinct += not paper["repeat"]
    finally:
        if handle is not None:
            handle.close()
    return {"papers": n, "distinct": distinct, "files": files, "bytes": size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of papers to write (repeats included)")
    parser.add_argument("out_dir", type=Path, help="directory for page_NNNN.txt files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-file", type=int, default=2000, help="papers per page file")
    parser.add_argument("--repeat-rate", type=float, default=0.05, help="share of exact repeats")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = write_corpus(args.n, args.out_dir, args.seed, args.per_file, args.repeat_rate)
    print(
        f"wrote {counts['papers']:,} papers ({counts['distinct']:,} distinct) in "
        f"{counts['files']} files, {counts['bytes']:,} bytes "
        f"({counts['bytes'] / 2**20:.1f} MiB) to {args.out_dir} in "
        f"{time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
