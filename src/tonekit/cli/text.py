"""``tonekit text``: score statements given on the command line or stdin."""

from __future__ import annotations

import argparse
import sys

from ..lexicon import LexiconError
from ..pipeline import score


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "text",
        help="score one statement and show the markers behind the scores",
        description="Score statements (arguments, or one per line of stdin with '-').",
    )
    parser.add_argument("texts", nargs="+", metavar="TEXT", help="a statement, or '-' to read lines from stdin")
    parser.add_argument("--lexicon", help="bundled lexicon name or path to a lexicon CSV")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .usage import UsageError

    texts = [line.rstrip("\n") for line in sys.stdin] if args.texts == ["-"] else args.texts
    try:
        results = [score(t, lexicon=args.lexicon) for t in texts]
    except (LexiconError, KeyError, OSError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    for result in results:
        if args.json:
            print(result.to_json())
            continue
        print(
            f"hostility {result.hostility:.3f}  courtesy {result.courtesy:.3f}  "
            f"tone {result.tone:+.3f}  tokens {result.n_tokens}  [{result.lexicon}]"
        )
        for m in result.markers:
            mods = ", ".join(f"{x.kind} '{x.cue}' x{x.factor:g}" for x in m.modifiers)
            print(
                f"  {m.dimension:<9} {m.category:<16} {m.effective_weight:5.2f}  "
                f"{m.text!r}" + (f"  ({mods})" if mods else "")
            )
    return 0
