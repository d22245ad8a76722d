"""The ``tonekit`` command: a thin layer over the Python API.

Each verb lives in its own module with a ``register(subparsers)`` function that adds
its parser and sets ``func`` (returning the exit code): 0 ok, 1 findings (failed rows
with ``--strict``, failed checks), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..shared import __version__
from . import text, lexicon, snapshot, cases, score, compare, evaluate
from . import corpora, report
from .usage import UsageError

VERBS = (text, lexicon, snapshot, cases, score, compare, evaluate, corpora, report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tonekit",
        description="Measure hostility and courtesy in official statements, with the evidence.",
    )
    parser.add_argument("--version", action="version", version=f"tonekit {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for verb in VERBS:
        verb.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"tonekit {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
