"""Batch scoring (``tonekit score``): throughput, multiprocessing and memory, in one run.

    python benchmarks/batch.py [--rows 50000] [--rounds 7] [--shared ../shared/benchmarks] [--memory-only]

Prints five measurements, each quoted as a ratio measured in the same run:

1. rows/s of the ``tonekit score`` engine (file -> chunks -> scores -> file, the code
   the command runs, called in-process) against spaCy's bare tokenizer streamed over the
   same texts (``for doc in nlp.tokenizer.pipe(texts): pass``). Target ratio >= 0.5.
2. ``--n-process 2`` against 1 on the same file. Target speed-up >= 1.6 on 2 cores.
   Quoted with and without the workers' start-up (each builds its pipeline once).
3. peak memory (RSS high-water mark, ``VmHWM`` in a fresh process each) of
   ``tonekit score`` streaming 10k and 200k rows from a file. Target: within 1.25x.
4. the same for 10k and 300k rows of unique tokens (every row has words no other row
   has: spaCy's string store would keep them all without memory zones). Target: within 1.25x.
5. peak memory of scoring one 20 MB marker-dense text (``tonekit score`` on a one-row
   file) above the peak of a one-row file of one sentence. Target: <= 300 MB. Also
   ``tonekit.score()`` of a 5 MB text (whose result holds every marker), above its baseline.

``--memory-only`` runs sections 3 to 5 alone (they measure fresh processes, so they can
measure another version of tonekit: put its ``src`` first on ``PYTHONPATH``).

Statements: 1 to 4 consecutive sentences (seeded) of the bundled DPRK–Japan corpus and,
where the development data is present, of the Stanford Politeness Corpus requests.
Every timing is the best of ``--rounds`` runs (for 1., block by block), after a warm-up
of the tokenizer cache. Section 1 also prints the median and quartiles of the paired
ratios: the tokenizer's time over the engine's on the same block, measured one right
after the other, in every round (a load spike then moves one ratio, not a contender's
best time). Seven rounds, not three: with three, the file-to-file ratio of the same
code moved between 0.41 and 0.60 from run to run on this machine; with seven, between
0.47 and 0.49 on a quiet day and between 0.45 and 0.51 on a busy one.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import tonekit
from tonekit.batch import read_scoring_input, score_chunks
from tonekit.corpus import CorpusWriter, write_corpus
from tonekit.pipeline import pipeline_for

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 10_000


def sentences(texts) -> list[str]:
    return [s for t in texts for s in re.split(r"(?<=[.?!])\s+", str(t)) if s.strip()]


def realistic_corpus(n: int, shared: Path, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """``n`` statements of 1-4 consecutive sentences from real texts."""
    pools = {"the dprk_japan corpus": sentences(tonekit.corpora.load("dprk_japan")["text"])}
    politeness = shared / "politeness" / "wikipedia.annotated.csv"
    if politeness.exists():
        pools["politeness requests"] = sentences(pd.read_csv(politeness)["Request"])
    rng = random.Random(seed)
    names = list(pools)
    texts = []
    for _ in range(n):
        pool = pools[rng.choice(names)]
        k = rng.randint(1, 4)
        start = rng.randrange(len(pool) - k)
        texts.append(" ".join(pool[start : start + k]))
    source = " + ".join(f"{len(p)} sentences of {name}" for name, p in pools.items())
    if len(pools) == 1:
        source += f" (politeness requests absent: {politeness})"
    frame = pd.DataFrame({"id": [f"b{i}" for i in range(n)], "text": texts})
    return frame, source


def run_engine(src: Path, dst: Path, n_process: int) -> tuple[float, float]:
    """What ``tonekit score SRC -o DST --n-process N --no-progress`` runs:
    (total seconds, seconds after the first scored chunk)."""
    start = time.perf_counter()
    first = None
    with CorpusWriter(dst) as writer:
        chunks = read_scoring_input(src, chunksize=CHUNK, python_strings=True)
        for scored in score_chunks(chunks, n_process=n_process, progress=False):
            if first is None:
                first = time.perf_counter()
            writer.write(scored)
    end = time.perf_counter()
    return end - start, end - (first or start)


# The child's own high-water mark: on Linux ru_maxrss survives fork and exec, so a
# child would report at least this (large) process's peak; VmHWM is the new process's.
PEAK = (
    "def peak_kb():\n"
    "    try:\n"
    "        with open('/proc/self/status') as f:\n"
    "            return next(int(line.split()[1]) for line in f if line.startswith('VmHWM:'))\n"
    "    except OSError:\n"
    "        import resource\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
)


def print_peaks(title: str, rss: dict[int, float]) -> None:
    """The peak of each run and the ratio of the largest to the smallest (target <= 1.25)."""
    print(title)
    for rows, mb in rss.items():
        print(f"   {rows:>9,} rows streamed: {mb:8.0f} MB")
    small, large = min(rss), max(rss)
    print(f"   ratio {large // 1000}k / {small // 1000}k: {rss[large] / rss[small]:.2f}   (target <= 1.25)\n")


def peak_rss_mb(src: Path, dst: Path) -> float:
    """Peak RSS of ``tonekit score`` in a fresh process."""
    code = PEAK + (
        "import sys\n"
        "from tonekit.cli import main\n"
        "rc = main(['score', sys.argv[1], '-o', sys.argv[2], '--no-progress'])\n"
        "print(peak_kb(), file=sys.stderr if rc else sys.stdout)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(src), str(dst)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def score_peak_rss_mb(src: Path) -> float:
    """Peak RSS of ``tonekit.score()`` of the text in file ``src``, in a fresh process."""
    code = PEAK + (
        "import sys, tonekit\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "r = tonekit.score(text)\n"
        "print(peak_kb())\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def unique_token_corpus(rows: int) -> pd.DataFrame:
    """``rows`` statements, each with eight words that no other row has (constructed)."""
    def word(i: int) -> str:
        digits = ""
        while True:
            i, d = divmod(i, 26)
            digits += chr(ord("a") + d)
            if not i:
                return "zq" + digits

    texts = [
        "The envoy {} met {} and {} in {}; the puppet {} praised {}, {} and {}.".format(
            *(word(8 * r + k) for k in range(8))
        )
        for r in range(rows)
    ]
    return pd.DataFrame({"id": [f"u{r}" for r in range(rows)], "text": texts})


def marker_dense_text(chars: int) -> str:
    """A text of ``chars`` characters with a hostile and a courteous marker per sentence."""
    paragraph = (
        "Abe is a political dwarf and a puppet of the United States. "
        "We express deep condolences and sympathy to Your Excellency. (constructed)\n\n"
    )
    return (paragraph * (chars // len(paragraph) + 1))[:chars]


def memory(tmp: Path, df: pd.DataFrame) -> None:
    """Sections 3 to 5: peak memory in fresh processes."""
    rss = {}
    for rows in (10_000, 200_000):
        big = tmp / f"rows{rows}.jsonl"
        repeats = -(-rows // len(df))
        frame = pd.concat([df] * repeats, ignore_index=True).head(rows)
        frame["id"] = [f"m{i}" for i in range(rows)]
        write_corpus(frame, big)
        del frame
        rss[rows] = peak_rss_mb(big, tmp / f"out{rows}.jsonl")
        big.unlink()
    print_peaks("3. peak memory of tonekit score, fresh process each", rss)

    rss = {}
    for rows in (10_000, 300_000):
        big = tmp / f"unique{rows}.jsonl"
        write_corpus(unique_token_corpus(rows), big)
        rss[rows] = peak_rss_mb(big, tmp / f"out{rows}.jsonl")
        big.unlink()
    print_peaks("4. peak memory of tonekit score, rows of unique tokens (8 new words a row), fresh process each", rss)

    small, big = tmp / "one.jsonl", tmp / "huge.jsonl"
    sentence = "Abe is a political dwarf. (constructed)"
    write_corpus(pd.DataFrame({"id": ["one"], "text": [sentence]}), small)
    write_corpus(pd.DataFrame({"id": ["huge"], "text": [marker_dense_text(20_000_000)]}), big)
    base, huge = peak_rss_mb(small, tmp / "one.csv"), peak_rss_mb(big, tmp / "huge.csv")
    (tmp / "one.txt").write_text(sentence, encoding="utf-8")
    (tmp / "five.txt").write_text(marker_dense_text(5_000_000), encoding="utf-8")
    score_base, score_five = score_peak_rss_mb(tmp / "one.txt"), score_peak_rss_mb(tmp / "five.txt")
    print("5. peak memory of one long marker-dense text, fresh process each")
    print(f"   tonekit score, one sentence:        {base:8.0f} MB")
    print(f"   tonekit score, one 20 MB text:      {huge:8.0f} MB   (+{huge - base:.0f} MB; target <= +300 MB)")
    print(f"   tonekit.score(), one sentence:      {score_base:8.0f} MB")
    print(f"   tonekit.score(), one 5 MB text:     {score_five:8.0f} MB   (+{score_five - score_base:.0f} MB, result included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("TONEKIT_SHARED", ROOT.parent / "shared" / "benchmarks")))
    parser.add_argument("--memory-only", action="store_true", help="only the memory sections (3 to 5)")
    args = parser.parse_args()

    df, source = realistic_corpus(args.rows, args.shared)
    texts = df["text"].tolist()
    chars = sum(map(len, texts)) / len(texts)
    print(f"statements: {len(texts):,} ({chars:.0f} characters on average) from {source}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()} (load average {load}), tonekit {tonekit.__version__}, chunks of {CHUNK:,} rows\n")

    nlp = pipeline_for(None)
    if args.memory_only:
        with tempfile.TemporaryDirectory() as tmp:
            memory(Path(tmp), df)
        return
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "statements.jsonl", Path(tmp) / "scores.jsonl"
        write_corpus(df, src)
        for _ in nlp.tokenizer.pipe(texts):  # warm the tokenizer cache for both contenders
            pass
        run_engine(src, dst, 1)

        # 1. throughput against the bare tokenizer, block by block (a block is one chunk
        # of the command, in a file of its own): each contender's time is the sum over
        # blocks of its best round, so a load spike on the machine costs one block one round.
        blocks = []
        for i, start in enumerate(range(0, len(df), CHUNK)):
            block = df.iloc[start : start + CHUNK]
            write_corpus(block, Path(tmp) / f"block{i}.jsonl")
            blocks.append((block, Path(tmp) / f"block{i}.jsonl"))
        times = {name: [float("inf")] * len(blocks) for name in ("tok", "engine", "memory")}
        paired = []  # tokenizer / engine on the same block, one right after the other
        for _ in range(args.rounds):
            for b, (block, path) in enumerate(blocks):
                start = time.perf_counter()
                for _ in nlp.tokenizer.pipe(block["text"].tolist()):
                    pass
                tok = time.perf_counter() - start
                engine = run_engine(path, dst, 1)[0]
                paired.append(tok / engine)
                times["tok"][b] = min(times["tok"][b], tok)
                times["engine"][b] = min(times["engine"][b], engine)
                start = time.perf_counter()
                for _ in score_chunks([block], progress=False):
                    pass
                times["memory"][b] = min(times["memory"][b], time.perf_counter() - start)
        best_tok, best_one, best_mem = (sum(times[k]) for k in ("tok", "engine", "memory"))
        n = len(texts)
        print(f"1. throughput (blocks of {CHUNK:,} rows, best of {args.rounds} rounds each)")
        print(f"   {'spaCy tokenizer.pipe':<34}{n / best_tok:>12,.0f} rows/s")
        print(f"   {'tonekit score (file to file)':<34}{n / best_one:>12,.0f} rows/s")
        print(f"   {'score_chunks (in memory, no I/O)':<34}{n / best_mem:>12,.0f} rows/s")
        print(f"   ratio tonekit score / tokenizer: {best_tok / best_one:.2f}   (target >= 0.5)")
        print(f"   ratio in memory / tokenizer:     {best_tok / best_mem:.2f}")
        low, median, high = statistics.quantiles(paired, n=4)
        print(f"   paired ratios tonekit score / tokenizer: median {median:.2f}, quartiles {low:.2f}-{high:.2f}\n")

        # 2. two worker processes against one, on the whole file
        best_two = best_two_steady = best_one = best_one_steady = float("inf")
        for _ in range(args.rounds):
            total, steady = run_engine(src, dst, 2)
            best_two, best_two_steady = min(best_two, total), min(best_two_steady, steady)
            total, steady = run_engine(src, dst, 1)
            best_one, best_one_steady = min(best_one, total), min(best_one_steady, steady)
        print(f"2. --n-process 2 vs 1 (best of {args.rounds})")
        print(f"   {'':<34}{'rows/s':>12}{'after 1st chunk':>18}")
        print(f"   {'n_process=1':<34}{n / best_one:>12,.0f}{'':>18}")
        print(f"   {'n_process=2 (incl. start-up)':<34}{n / best_two:>12,.0f}{best_two - best_two_steady:>15.1f} s start")
        print(f"   speed-up incl. worker start-up: {best_one / best_two:.2f}")
        print(
            f"   speed-up after the first chunk: {best_one_steady / best_two_steady:.2f}   (target >= 1.6)\n"
        )

        memory(Path(tmp), df)


if __name__ == "__main__":
    main()
