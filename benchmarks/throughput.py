"""Throughput of tonekit scoring against spaCy's bare tokenizer and VADER, in one run.

Machines are shared and noisy, so every figure is the best of several alternating
rounds over the same texts and is quoted as a ratio to the streamed tokenizer measured
in the same run::

    python benchmarks/throughput.py [--n 25000] [--rounds 3] [--shared ../shared/benchmarks]

Texts: short, realistic texts — the sentences of the bundled DPRK–Japan corpus plus, where
the development data is present, the sentences of the Stanford Politeness Corpus requests
and of the insult-detection comments — cycled up to ``--n``.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import tonekit
from accuracy import decode_comment
from tonekit.pipeline import pipeline_for

ROOT = Path(__file__).resolve().parents[1]


def sentences(texts) -> list[str]:
    return [s for t in texts for s in re.split(r"(?<=[.?!])\s+", str(t)) if s.strip()]


def realistic_texts(n: int, shared: Path) -> tuple[list[str], str]:
    corpus = tonekit.corpora.load("dprk_japan", era=False)
    texts = sentences(corpus["text"])
    sources = [f"{len(texts)} sentences of the dprk_japan corpus"]
    politeness = shared / "politeness" / "wikipedia.annotated.csv"
    if politeness.exists():
        requests = sentences(pd.read_csv(politeness)["Request"])
        texts += requests
        sources.append(f"{len(requests)} sentences of politeness requests")
    insults = shared / "insults" / "train.csv"
    if insults.exists():
        comments = sentences(decode_comment(c) for c in pd.read_csv(insults)["Comment"])
        texts += comments
        sources.append(f"{len(comments)} sentences of insult-detection comments")
    cycled = [texts[i % len(texts)] for i in range(n)]
    return cycled, " + ".join(sources)


def best_rate(runs: dict[str, Callable[[], None]], n: int, rounds: int) -> dict[str, float]:
    best = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, run in runs.items():  # alternate so that load spikes hit every contender
            start = time.perf_counter()
            run()
            best[name] = max(best[name], n / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=25_000, help="number of texts (default 25000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("TONEKIT_SHARED_BENCHMARKS", ROOT.parent / "shared" / "benchmarks")),
    )
    args = parser.parse_args()

    texts, source = realistic_texts(args.n, args.shared)
    nlp = pipeline_for(None)
    component = nlp.get_pipe("tonekit")
    tokenizer = nlp.tokenizer
    for _ in tokenizer.pipe(texts):  # warm the tokenizer cache for everyone
        pass

    def bare_tokenizer() -> None:
        for _ in tokenizer.pipe(texts):
            pass

    def tonekit_scores() -> None:  # the batch engine's path: every document-level score read out
        for doc in tokenizer.pipe(texts):
            _ = component.score_values(doc, lemmas=False)[0]

    def tonekit_docs() -> None:  # nlp.pipe with per-sentence results, Spans and Doc attributes
        for doc in nlp.pipe(texts):
            _ = doc._.tonekit.hostility

    runs = {"spaCy tokenizer (streamed)": bare_tokenizer, "tonekit scores": tonekit_scores,
            "tonekit Docs (nlp.pipe)": tonekit_docs}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        runs["VADER"] = lambda: [vader.polarity_scores(t)["compound"] for t in texts]
    except ImportError:
        print("vaderSentiment is not installed: VADER skipped (pip install vaderSentiment)")

    rates = best_rate(runs, len(texts), args.rounds)
    base = rates["spaCy tokenizer (streamed)"]
    print(f"tonekit {tonekit.__version__}, lexicon {component.lexicon.label}")
    print(f"{len(texts)} texts: {source}; best of {args.rounds} alternating rounds\n")
    print(f"| {'pipeline':<28} | {'docs/s':>8} | {'vs tokenizer':>12} |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 14}|")
    for name, value in rates.items():
        print(f"| {name:<28} | {value:>8.0f} | {value / base:>12.2f} |")
    if "VADER" in rates:
        print(f"\ntonekit scores vs VADER: {rates['tonekit scores'] / rates['VADER']:.2f}x")
    print("targets: tonekit scores >= 0.6 of the tokenizer and >= 1.25x VADER")


if __name__ == "__main__":
    main()
