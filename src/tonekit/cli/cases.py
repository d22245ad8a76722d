"""``tonekit cases run``: behaviour cases (minimum functionality, invariance, directional)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cases",
        help="run behaviour cases against a lexicon",
        description="Behaviour cases written as data (JSONL or YAML).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run_parser = actions.add_parser(
        "run",
        help="run a case file; every failing case is reported with its expectation and measurement (exit 1 on failure)",
    )
    run_parser.add_argument("file", metavar="FILE", help="case file (.jsonl, .yaml or .yml)")
    run_parser.add_argument("--lexicon", help="bundled lexicon name or path to a lexicon CSV")
    run_parser.add_argument("--format", choices=("text", "json"), default="text",
                            help="text: a readable report; json: every case's result (default: text)")
    run_parser.add_argument("-v", "--verbose", action="store_true", help="list every case, not only failures")
    run_parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..lexicon import LexiconError
    from ..regression import CaseFileError, run_cases
    from .usage import UsageError

    if not Path(args.file).is_file():
        raise UsageError(f"no such case file: {args.file}")
    try:
        report = run_cases(args.file, lexicon=args.lexicon)
    except CaseFileError as exc:
        raise UsageError("; ".join(exc.problems)) from exc
    except LexiconError as exc:
        raise UsageError("invalid lexicon: " + "; ".join(str(p) for p in exc.problems)) from exc
    except (KeyError, OSError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        if args.verbose:
            for r in report.results:
                if r.ok:
                    print(f"  {r.describe()}")
        print(report)
    return 0 if report.passed else 1
