"""``tonekit text``: score statements given on the command line or stdin."""

from __future__ import annotations

import argparse
import re
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

    texts = _stdin_lines() if args.texts == ["-"] else args.texts
    for number, text in enumerate(texts, 1):
        where = "<stdin>, line" if args.texts == ["-"] else "argument"
        bad = _undecodable(text)
        if bad is not None:
            raise UsageError(f"{where} {number} is not valid UTF-8 ({bad})")
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


def _stdin_lines() -> list[str]:
    """The lines of standard input, decoded as UTF-8 whatever the locale; a byte that
    is not UTF-8 is kept as Python keeps one in an argument (a lone surrogate)."""
    from .usage import UsageError

    if sys.stdin is None:
        raise UsageError("cannot read: standard input is closed")
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream
        return [line.rstrip("\n") for line in sys.stdin]
    return [line.decode("utf-8", "surrogateescape").rstrip("\r\n") for line in buffer]


def _undecodable(text: str) -> str | None:
    """Where an argument holds bytes that are not UTF-8 (which Python passes on as lone
    surrogates, U+DC80 to U+DCFF), said for the user; None if nowhere."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if code >= 0xDC80 and code <= 0xDCFF:
        return f"byte 0x{code - 0xDC00:02x} at character {found.start()}"
    return f"an unpaired surrogate at character {found.start()}"


_SURROGATE = re.compile("[\ud800-\udfff]")
