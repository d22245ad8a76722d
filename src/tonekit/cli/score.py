"""``tonekit score``: score a corpus file, streaming, into a scores file.

    tonekit score statements.jsonl -o scores.parquet
    cat statements.csv | tonekit score - -o - --no-progress > scores.csv

The input is read in chunks and every chunk is written as soon as it is scored, so
corpora larger than memory stream through. The output goes to a temporary file
renamed at the end (standard output: copied out at the end, in UTF-8): an interrupted
run leaves no output behind. A JSON Lines key that only some records have becomes a
column, wherever it first appears. Paths are checked before any scoring.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..batch import DEFAULT_BATCH_SIZE, WorkerError, read_scoring_input, score_chunks
from ..corpus import FORMATS, CorpusError, CorpusWriter
from ..lexicon import LexiconError, resolve
from . import scale
from .usage import one_line, show_warning


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score every statement of a corpus file (CSV, JSONL, Parquet)",
        description=(
            "Score every statement of a corpus file. One output row per input row, in order, "
            "with the input columns, the scores, one column per lexicon category and 'error'. "
            "Formats follow the extensions (.csv, .jsonl, .parquet); '-' is stdin/stdout."
        ),
    )
    parser.add_argument("input", metavar="INPUT", help="corpus file, bundled corpus name, or '-' for stdin")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT", help="scores file, or '-' for stdout")
    parser.add_argument("--lexicon", help="bundled lexicon name or path to a lexicon CSV")
    parser.add_argument(
        "--model", metavar="NAME|PATH",
        help="a spaCy pipeline (installed name or path) to run before tonekit, e.g. one with a parser",
    )
    parser.add_argument("--text-col", default="text", metavar="NAME", help="column holding the text (default: text)")
    parser.add_argument("--n-process", type=int, default=1, metavar="N", help="worker processes (default: 1)")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="B",
        help=f"texts per batch given to a scorer (default: {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--chunk-size", type=int, default=10_000, metavar="C",
        help="rows read and written at a time; bounds memory (default: 10000)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, metavar="F",
        help=f"input format ({', '.join(FORMATS)}) when the extension does not tell; stdin, pipes and devices "
        "default to csv. "
        "Standard output gets the input's format (csv for parquet input)",
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when any row failed")
    parser.add_argument(
        "--force", action="store_true",
        help="replace an output file that is write-protected (its permissions are kept)",
    )
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    scale.add_options(parser)
    parser.set_defaults(func=run)


def _positive(name: str, value: int) -> None:
    from .usage import UsageError

    if value < 1:
        raise UsageError(f"{name} must be a positive integer, not {value}")


def _stream(path: str) -> bool:
    """Whether ``path`` is a pipe or device (``/dev/stdout``), written into, not replaced."""
    return os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path)


def _output_format(args: argparse.Namespace) -> str | None:
    """The output's format: its extension's; standard output, a pipe or a device without
    one gets the input's (CSV for Parquet input, which a terminal cannot show)."""
    from ..corpus import resolve_format

    if args.output != "-":
        if not _stream(args.output):
            return None  # from the extension
        try:
            return resolve_format(args.output, None)
        except ValueError:
            pass
    fmt = args.format or resolve_format(args.input, None)
    return "csv" if fmt == "parquet" else fmt


def _terminate(signum: int, frame: Any) -> None:
    # Turn SIGTERM into an exception so the writer discards its temporary file.
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    """``tonekit score``; Ctrl-C at any point gives one line and exit status 130."""
    try:
        return _run(args)
    except KeyboardInterrupt:
        # The writer has discarded its temporary file; worker processes ignore SIGINT.
        print("tonekit score: interrupted; no output written", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from .usage import UsageError

    if scale.wanted(args):
        return scale.run(args)
    for name in ("n_process", "batch_size", "chunk_size"):
        _positive("--" + name.replace("_", "-"), getattr(args, name))
    args.input = _bundled_corpus(args.input)
    _check_paths(args.input, args.output, args.force)
    args.format = _input_format(args.input, args.format)
    try:
        if args.model:
            from ..pipeline import load

            nlp, lexicon = load(args.lexicon, model=args.model), None
        else:
            nlp, lexicon = None, resolve(args.lexicon)
        out_format = _output_format(args)
        writer = CorpusWriter(args.output, format=out_format)
    except (LexiconError, KeyError, OSError, ValueError) as exc:
        raise UsageError(one_line(exc)) from exc
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    previous = signal.signal(signal.SIGTERM, _terminate)
    start = time.perf_counter()
    failed = 0
    try:
        with writer, warnings.catch_warnings():
            warnings.showwarning = show_warning
            chunks: Iterator[pd.DataFrame] = read_scoring_input(
                args.input, text=args.text_col, format=args.format, chunksize=args.chunk_size,
                python_strings=True,
            )
            for scored in score_chunks(
                chunks, text=args.text_col, lexicon=lexicon, nlp=nlp, batch_size=args.batch_size,
                n_process=args.n_process, progress=progress,
            ):
                failed += int(scored["error"].notna().sum())
                writer.write(scored)
    except BrokenPipeError:
        raise
    except WorkerError as exc:
        raise UsageError(f"{exc}; no output written") from exc
    except (CorpusError, ValueError, OSError) as exc:
        raise UsageError(one_line(exc)) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    seconds = time.perf_counter() - start
    where = "<stdout>" if args.output == "-" else args.output
    print(
        f"tonekit score: {writer.rows} rows, {failed} failed, {seconds:.1f} s -> {where}",
        file=sys.stderr,
    )
    return 1 if failed and args.strict else 0


def _bundled_corpus(source: str) -> str:
    """The data file of a bundled corpus named instead of a file (``tonekit score
    dprk_japan``), as the other verbs take it; any other input as given."""
    if source == "-" or os.path.exists(source):
        return source
    from .. import corpora

    try:
        return str(corpora.path(source))
    except (KeyError, FileNotFoundError):
        return source


def _check_paths(source: str, output: str, force: bool = False) -> None:
    """Refuse, before any scoring, paths that cannot work, naming the user's path.

    The input may be any readable file, pipe or device (``/dev/stdin``, ``<(...)``); an
    output file that is write-protected is replaced only with ``--force``, as ``mv -i``
    and ``cp -i`` ask first.
    """
    from .usage import UsageError, check_output

    if source != "-":
        if os.path.isdir(source):
            raise UsageError(f"input is a directory, not a corpus file: {source}")
        if not os.path.exists(source):
            raise UsageError(f"no such input file: {source}")
        if not os.access(source, os.R_OK):
            raise UsageError(f"cannot read {source}: permission denied")
    if source != "-" and os.path.exists(output) and os.path.samefile(source, output):
        raise UsageError(f"output {output} is the input file; write the scores to another file")
    check_output(output, force)


def _input_format(source: str, format: str | None) -> str:
    """The input's format: ``--format``, else its name's extension, else that of the file a
    link leads to (``/dev/stdin`` redirected from ``statements.jsonl``); a pipe or device
    without one is CSV, as standard input is."""
    from ..corpus import resolve_format
    from .usage import UsageError

    if format is not None:
        return resolve_format(source, format)
    for name in (source, os.path.realpath(source)):
        try:
            return resolve_format(name, None)
        except ValueError:
            pass
    if not os.path.isfile(source):
        return "csv"
    raise UsageError(f"cannot tell the format of {source} from its name; pass --format ({', '.join(FORMATS)})")
