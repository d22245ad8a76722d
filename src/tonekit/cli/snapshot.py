"""``tonekit snapshot`` and ``tonekit check``: store per-document scores, and fail when they drift."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..shared import write_text_file
from .usage import add_force, add_text_col, check_output


def register(subparsers: argparse._SubParsersAction) -> None:
    snap = subparsers.add_parser(
        "snapshot",
        help="store per-document scores of a corpus as a golden CSV",
        description="Score a corpus and write id, scores, markers, lexicon name/version and tonekit version.",
    )
    snap.add_argument("corpus", metavar="CORPUS", help="corpus file (csv/jsonl/parquet) or bundled corpus name")
    snap.add_argument("-o", "--output", required=True, help="golden CSV to write ('-' for stdout)")
    add_force(snap)
    _common(snap)
    snap.set_defaults(func=run_snapshot)

    check = subparsers.add_parser(
        "check",
        help="compare a corpus's scores and markers with a golden snapshot "
        "(exit 1 on drift, added or missing documents)",
        description="Score a corpus again and compare with a snapshot written by 'tonekit snapshot': scores and "
        "rates within their tolerances, and each document's markers (term, category, effective weight) exactly.",
    )
    check.add_argument("corpus", metavar="CORPUS", help="corpus file (csv/jsonl/parquet) or bundled corpus name")
    check.add_argument("--golden", required=True, help="snapshot CSV written by 'tonekit snapshot'")
    check.add_argument("--tolerance", type=float, default=0.01, help="allowed change of each score (default 0.01)")
    check.add_argument("--rate-tolerance", type=float, help="allowed change of each rate, in weighted markers per "
                       "100 tokens (default: 10 x --tolerance); any marker added, removed or reweighted fails")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text: a readable report; json: the full report (default: text)")
    _common(check)
    check.set_defaults(func=run_check)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lexicon", help="bundled lexicon name or path to a lexicon CSV")
    add_text_col(parser)
    parser.add_argument("--id", default="id", help="id column (default: id)")


def _guard(call):
    """Run ``call`` turning input problems into one-line usage errors."""
    from ..corpus import CorpusError
    from ..lexicon import LexiconError
    from .usage import UsageError

    try:
        return call()
    except (LexiconError, CorpusError) as exc:
        raise UsageError("; ".join(str(p) for p in exc.problems)) from exc
    except (KeyError, OSError, ValueError) as exc:
        raise UsageError(str(exc).strip('"')) from exc


def run_snapshot(args: argparse.Namespace) -> int:
    from ..regression import snapshot

    check_output(args.output, args.force)
    golden = _guard(lambda: snapshot(args.corpus, args.lexicon, text=args.text_col, id=args.id))
    if args.output == "-":
        print(golden.to_csv(index=False), end="")
        return 0
    out = Path(args.output)
    # Beside the target, then renamed: an interrupted run leaves the old snapshot intact.
    write_text_file(out, lambda fh: golden.to_csv(fh, index=False))
    print(f"wrote {len(golden)} documents to {out} [{golden['lexicon'].iloc[0] if len(golden) else ''}]")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ..regression import check
    from .usage import UsageError

    if not Path(args.golden).is_file():
        raise UsageError(f"no such snapshot file: {args.golden}")
    report = _guard(lambda: check(args.corpus, args.golden, args.tolerance, args.lexicon, text=args.text_col, id=args.id,
                                  rate_tolerance=args.rate_tolerance))
    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.format == "json" else report)
    return 0 if report.passed else 1
