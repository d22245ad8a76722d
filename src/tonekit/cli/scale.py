"""``tonekit score --dask``: score a glob or directory of corpus files on a Dask cluster.

    tonekit score "archive/*.parquet" -o scores/ --dask
    tonekit score archive/ -o scores/ --dask --scheduler tcp://host:8786 --partition-on era

The output is a directory of Parquet parts, written to a temporary directory renamed at
the end. Without ``--scheduler`` a ``LocalCluster`` (``--workers`` processes, default one
per core) is started and shut down. Dask and distributed come with ``tonekit[dask]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import warnings
from functools import partial
from typing import Any

from ..batch import read_scoring_input, score_corpus
from ..corpus import CorpusError
from ..corpus.scale import corpus_files, read_files
from ..lexicon import LexiconError, resolve
from .usage import UsageError, one_line, show_warning


def add_options(parser: argparse.ArgumentParser) -> None:
    """The ``--dask`` option group of ``tonekit score``."""
    group = parser.add_argument_group("Dask (pip install \"tonekit[dask]\")")
    group.add_argument(
        "--dask", action="store_true",
        help="score on Dask: INPUT may be a glob or a directory (partitions of about 4 MB of file; "
        "--chunk-size does not apply), OUTPUT is a directory of Parquet parts",
    )
    where = group.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler (tcp://host:8786)")
    where.add_argument(
        "--workers", type=int, metavar="N", help="worker processes of the local cluster (default: one per core)",
    )
    group.add_argument("--partition-on", metavar="COL", help="one folder of parts per value of COL (e.g. era)")


def wanted(args: argparse.Namespace) -> bool:
    """Whether the command line asks for Dask (any of the group's options)."""
    return bool(args.dask or args.scheduler or args.workers is not None or args.partition_on)


def _refuse(args: argparse.Namespace) -> None:
    if not args.dask:
        raise UsageError("--scheduler, --workers and --partition-on need --dask")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, not {args.workers}")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be a positive integer, not {args.batch_size}")
    if args.model:
        raise UsageError("--model does not go with --dask: the workers build their pipeline from the lexicon")
    if args.n_process != 1:
        raise UsageError("--n-process is for one machine; with --dask the Dask workers score")
    if "-" in (args.input, args.output):
        raise UsageError("--dask reads files and writes a directory, not standard input or output")
    if os.path.exists(args.output) and not (os.path.isdir(args.output) and not os.listdir(args.output)):
        raise UsageError(f"output {args.output} exists and is not an empty directory")
    parent = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {args.output}: directory {parent} is missing or not writable")


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # the temporary directory is removed on the way out


def run(args: argparse.Namespace) -> int:
    """``tonekit score --dask``: exit 0, 1 (rows failed, with ``--strict``) or 2 (usage)."""
    _refuse(args)
    try:
        from ..scale import dask_client, write_parts
    except ImportError as exc:
        raise UsageError(str(exc)) from exc
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    previous = signal.signal(signal.SIGTERM, _terminate)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            files = corpus_files(args.input, args.format)
            reader = partial(read_scoring_input, text=args.text_col, format=args.format)
            scored = score_corpus(
                read_files(files, reader), text=args.text_col, lexicon=resolve(args.lexicon),
                batch_size=args.batch_size,
            )
            if args.partition_on and args.partition_on not in scored.columns:
                raise KeyError(f"no column {args.partition_on!r} to partition on; columns are {list(scored.columns)}")
            with dask_client(args.scheduler, args.workers) as client:
                rows, failed = write_parts(
                    scored, args.output, client, partition_on=args.partition_on, progress=progress,
                )
    except (CorpusError, LexiconError, KeyError, ValueError, OSError, ImportError) as exc:
        raise UsageError(one_line(exc)) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    seconds = time.perf_counter() - start
    print(
        f"tonekit score: {rows} rows from {len(files)} file{'s' * (len(files) > 1)}, {failed} failed, "
        f"{seconds:.1f} s -> {args.output}",
        file=sys.stderr,
    )
    return 1 if failed and args.strict else 0
