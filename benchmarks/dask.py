"""Scoring on Dask (``tonekit score --dask``): scaling with workers, against ``--n-process``.

    python benchmarks/dask.py [-n 200000] [--rounds 3] [--shared ../shared/benchmarks]

One JSON Lines file of ``n`` statements (1 to 4 consecutive sentences, seeded, as in
``benchmarks/batch.py``) is scored three ways, each writing its output:

1. ``tonekit score FILE -o DIR --dask --scheduler ADDR`` on a local cluster of 1 worker
   process, then of 2 (one thread each). Target on 2 cores: 2 workers >= 1.7x faster.
2. ``tonekit score FILE -o FILE.parquet --n-process 2`` (the engine the command runs, in
   this process). Target: 2 Dask workers within 15% of it.
3. the peak memory (RSS high-water mark) of every Dask worker process.

Each cluster is started, and its workers have built their pipeline, before the timing
(start-up is printed apart); every timing is the best of ``--rounds``. The file is cut
into partitions of about 4 MB (``tonekit.corpus.scale.BLOCKSIZE``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the package it measures: keep its folder off the import path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from distributed import Client, LocalCluster  # noqa: E402

import tonekit  # noqa: E402
from tonekit.batch import read_scoring_input, score_chunks  # noqa: E402
from tonekit.cli import main as tonekit_main  # noqa: E402
from tonekit.corpus import CorpusWriter, write_corpus  # noqa: E402
from tonekit.pipeline import pipeline_for  # noqa: E402

sys.path.insert(0, str(HERE))
from batch import realistic_corpus  # noqa: E402

sys.path.remove(str(HERE))

ROOT = HERE.parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def warm() -> str:
    """Build this worker's pipeline (the first partition would, once)."""
    pipeline_for(None)
    return "ready"


def run_dask(address: str, src: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    rc = tonekit_main(["score", str(src), "-o", str(out), "--dask", "--scheduler", address, "--no-progress"])
    assert rc == 0, rc
    return time.perf_counter() - start


def run_n_process(src: Path, out: Path, n_process: int) -> float:
    """What ``tonekit score SRC -o OUT --n-process N --no-progress`` runs."""
    start = time.perf_counter()
    with CorpusWriter(out) as writer:
        for scored in score_chunks(read_scoring_input(src, python_strings=True), n_process=n_process, progress=False):
            writer.write(scored)
    return time.perf_counter() - start


def dask_rounds(workers: int, src: Path, out: Path, rounds: int) -> tuple[float, float, list[float]]:
    """(cluster start-up incl. pipelines, best run, peak MB per worker)."""
    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(warm)
        startup = time.perf_counter() - start
        best = min(run_dask(cluster.scheduler_address, src, out) for _ in range(rounds))
        memory = sorted(client.run(peak_rss_mb).values())
    return startup, best, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("TONEKIT_SHARED", ROOT.parent / "shared" / "benchmarks")))
    args = parser.parse_args()

    df, source = realistic_corpus(args.rows, args.shared)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"statements: {len(df):,} from {source}")
    print(f"cores: {os.cpu_count()} (load average {load}), tonekit {tonekit.__version__}, best of {args.rounds}\n")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "statements.jsonl"
        write_corpus(df, src)
        size = src.stat().st_size / 1e6
        pipeline_for(None)  # built once here: the forked --n-process workers inherit it

        one = dask_rounds(1, src, Path(tmp) / "dask1", args.rounds)
        two = dask_rounds(2, src, Path(tmp) / "dask2", args.rounds)
        n_process = min(run_n_process(src, Path(tmp) / "scores.parquet", 2) for _ in range(args.rounds))

    rows = len(df)
    print(f"file: {size:.0f} MB of JSON Lines")
    print(f"   {'':<36}{'seconds':>9}{'rows/s':>10}{'start-up s':>12}")
    print(f"   {'Dask, 1 worker':<36}{one[1]:>9.1f}{rows / one[1]:>10,.0f}{one[0]:>12.1f}")
    print(f"   {'Dask, 2 workers':<36}{two[1]:>9.1f}{rows / two[1]:>10,.0f}{two[0]:>12.1f}")
    print(f"   {'tonekit score --n-process 2':<36}{n_process:>9.1f}{rows / n_process:>10,.0f}")
    print(f"   speed-up 2 workers / 1:              {one[1] / two[1]:.2f}   (target >= 1.7)")
    print(f"   2 Dask workers / --n-process 2 time: {two[1] / n_process:.2f}   (target <= 1.15)")
    print(f"   peak memory per worker, 1 worker:   {', '.join(f'{m:.0f}' for m in one[2])} MB")
    print(f"   peak memory per worker, 2 workers:  {', '.join(f'{m:.0f}' for m in two[2])} MB")


if __name__ == "__main__":
    main()
