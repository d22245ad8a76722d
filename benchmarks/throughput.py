"""Throughput of tonekit scoring against spaCy's bare tokenizer and VADER, in one run.

Machines are shared and noisy, so the texts are timed in blocks of 1,000: in each of
several rounds every contender runs on every block in turn, a contender's time is the
sum over blocks of its best round, and every figure is quoted as a ratio to the
streamed tokenizer measured in the same run::

    python benchmarks/throughput.py [--n 25000] [--rounds 5] [--shared ../shared/benchmarks]

A last table times Korean and Japanese scoring (``diplomatic-ko``, ``diplomatic-ja``)
against each language's own bare tokenizer (kiwipiepy, SudachiPy), on the sentences of
the Korean parallel corpus (``corpora/dprk_japan_ko``, where present) and of the
behaviour cases of each language (constructed). ``--languages 0`` skips it.

Texts: short, realistic texts — the sentences of the bundled DPRK–Japan corpus plus, where
the development data is present, the sentences of the Stanford Politeness Corpus requests
and of the insult-detection comments (decoded as in ``accuracy.py``) — cycled up to
``--n``. The pooled texts give the headline figures; a second table times each source
alone, because the ratios depend on the kind of text: official statements carry several
markers per sentence, web comments few, and VADER's cost grows with characters where
spaCy's tokenizer caches words.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from accuracy import decode_comment

import tonekit
from tonekit.engine import TextScorer
from tonekit.pipeline import pipeline_for

ROOT = Path(__file__).resolve().parents[1]


def sentences(texts) -> list[str]:
    return [s for t in texts for s in re.split(r"(?<=[.?!])\s+", str(t)) if s.strip()]


def text_sources(shared: Path) -> dict[str, list[str]]:
    """Sentences by source: the bundled corpus always, the development data when present."""
    sources = {"official statements (dprk_japan)": sentences(tonekit.corpora.load("dprk_japan", era=False)["text"])}
    politeness = shared / "politeness" / "wikipedia.annotated.csv"
    if politeness.exists():
        sources["Wikipedia requests (politeness)"] = sentences(pd.read_csv(politeness)["Request"])
    insults = shared / "insults" / "train.csv"
    if insults.exists():
        sources["web comments (insults)"] = sentences(decode_comment(c) for c in pd.read_csv(insults)["Comment"])
    return sources


def cycled(texts: list[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


BLOCK = 1_000  # texts per timed block, and the batch engine's default batch size


def best_rate(runs: dict[str, Callable[[list[str]], None]], texts: list[str], rounds: int) -> dict[str, float]:
    """Texts per second of each contender: the sum over blocks of its best round.

    Contenders alternate block by block, so a load spike on the machine hits one block
    of one round, and the best round of each block discards it.
    """
    blocks = [texts[i : i + BLOCK] for i in range(0, len(texts), BLOCK)]
    best = {name: [float("inf")] * len(blocks) for name in runs}
    for _ in range(rounds):
        for b, block in enumerate(blocks):
            for name, run in runs.items():
                start = time.perf_counter()
                run(block)
                best[name][b] = min(best[name][b], time.perf_counter() - start)
    return {name: len(texts) / sum(times) for name, times in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=25_000, help="number of pooled texts (default 25000)")
    parser.add_argument("--per-source", type=int, default=5_000, help="texts per source in the second table")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--languages", type=int, default=2_000, help="texts per language in the last table (0: skip)")
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("TONEKIT_SHARED_BENCHMARKS", ROOT.parent / "shared" / "benchmarks")),
    )
    args = parser.parse_args()

    sources = text_sources(args.shared)
    pooled = cycled([t for texts in sources.values() for t in texts], args.n)
    nlp = pipeline_for(None)
    component = nlp.get_pipe("tonekit")
    tokenizer = nlp.tokenizer
    scorer = TextScorer(nlp, BLOCK)
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
    except ImportError:
        vader = None
        print("vaderSentiment is not installed: VADER skipped (pip install vaderSentiment)")

    def contenders(texts: list[str], docs: bool) -> dict[str, Callable[[list[str]], None]]:
        def bare_tokenizer(block: list[str]) -> None:
            for _ in tokenizer.pipe(block):
                pass

        def tonekit_scores(block: list[str]) -> None:
            # The batch engine's scoring step (tonekit.batch, as score_corpus and
            # `tonekit score` run it): texts in, every document score out.
            scores, _ = scorer.score(list(enumerate(block)))
            _ = scores[:, 0]

        def tonekit_docs(block: list[str]) -> None:  # nlp.pipe: per-sentence results, Spans, Doc attributes
            for doc in nlp.pipe(block):
                _ = doc._.tonekit.hostility

        runs = {"spaCy tokenizer (streamed)": bare_tokenizer, "tonekit scores": tonekit_scores}
        if docs:
            runs["tonekit Docs (nlp.pipe)"] = tonekit_docs
        if vader is not None:
            runs["VADER"] = lambda block: [vader.polarity_scores(t)["compound"] for t in block]
        for _ in tokenizer.pipe(texts):  # warm the tokenizer cache for everyone
            pass
        return runs

    rates = best_rate(contenders(pooled, docs=True), pooled, args.rounds)
    base = rates["spaCy tokenizer (streamed)"]
    described = " + ".join(f"{len(texts)} sentences of {name}" for name, texts in sources.items())
    print(f"tonekit {tonekit.__version__}, lexicon {component.lexicon.label}")
    print(f"{len(pooled)} pooled texts: {described}; blocks of {BLOCK}, best of {args.rounds} rounds each\n")
    print(f"| {'pipeline':<28} | {'docs/s':>8} | {'vs tokenizer':>12} |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 14}|")
    for name, value in rates.items():
        print(f"| {name:<28} | {value:>8.0f} | {value / base:>12.2f} |")
    if "VADER" in rates:
        print(f"\ntonekit scores vs VADER: {rates['tonekit scores'] / rates['VADER']:.2f}x")
    print("floors: tonekit scores >= 0.6 of the tokenizer (pooled) and >= 2x VADER on official statements\n")

    print(f"By source ({args.per_source} texts each, cycled; ratios to the tokenizer on the same texts):\n")
    print(f"| {'source':<34} | {'chars':>5} | {'tokenizer docs/s':>16} | {'tonekit':>7} | {'VADER':>5} | {'tonekit/VADER':>13} |")
    print(f"|{'-' * 36}|{'-' * 7}|{'-' * 18}|{'-' * 9}|{'-' * 7}|{'-' * 15}|")
    for name, texts in sources.items():
        texts = cycled(texts, args.per_source)
        r = best_rate(contenders(texts, docs=False), texts, args.rounds)
        tok = r["spaCy tokenizer (streamed)"]
        chars = sum(map(len, texts)) / len(texts)
        v = r.get("VADER", float("nan"))
        print(
            f"| {name:<34} | {chars:>5.0f} | {tok:>16.0f} | {r['tonekit scores'] / tok:>7.2f} "
            f"| {v / tok:>5.2f} | {r['tonekit scores'] / v:>12.2f}x |"
        )

    if args.languages:
        language_table(args.languages, args.rounds)


def language_sentences(language: str) -> list[str]:
    """Sentences of one language: the parallel corpus (Korean) and the behaviour cases."""
    import json

    texts = []
    parallel = ROOT / "corpora" / "dprk_japan_ko" / "statements.csv"
    if language == "ko" and parallel.exists():
        texts += [s for t in pd.read_csv(parallel)["text"] for s in re.split(r"(?<=[.?!。])\s*", str(t)) if s.strip()]
    cases = ROOT / "tests" / "cases" / f"diplomatic-{language}.jsonl"
    texts += [json.loads(line)["text"] for line in cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def language_table(n: int, rounds: int) -> None:
    """Korean and Japanese docs/s, each against its own bare tokenizer."""
    print(f"\nKorean and Japanese ({n} texts each, cycled; ratio to the language's tokenizer):\n")
    print(f"| {'lexicon':<16} | {'texts':>5} | {'tokenizer docs/s':>16} | {'tonekit docs/s':>14} | {'vs tokenizer':>12} |")
    print(f"|{'-' * 18}|{'-' * 7}|{'-' * 18}|{'-' * 16}|{'-' * 14}|")
    for language in ("ko", "ja"):
        try:
            nlp = pipeline_for(f"diplomatic-{language}")
        except ImportError as exc:
            print(f"| diplomatic-{language:<5} | skipped: {exc} |")
            continue
        source = language_sentences(language)
        texts = cycled(source, n)
        scorer = TextScorer(nlp, BLOCK)

        def bare(block: list[str], tokenizer=nlp.tokenizer) -> None:
            for _ in tokenizer.pipe(block):
                pass

        def scores(block: list[str], scorer=scorer) -> None:
            scorer.score(list(enumerate(block)))

        r = best_rate({"tokenizer": bare, "tonekit": scores}, texts, rounds)
        print(f"| diplomatic-{language:<5} | {len(source):>5} | {r['tokenizer']:>16.0f} | {r['tonekit']:>14.0f} "
              f"| {r['tonekit'] / r['tokenizer']:>12.2f} |")


if __name__ == "__main__":
    main()
