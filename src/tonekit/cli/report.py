"""``tonekit report``: one self-contained HTML page of a comparison, for anyone to open."""

from __future__ import annotations

import argparse
import sys

from .table import Table
from .usage import add_force, check_output

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write one self-contained HTML report of a comparison between groups",
        description=(
            "Write one HTML page (no scripts, no network: plots inline as SVG) that compares the "
            "scores of a scored table (CSV, JSONL or Parquet, as written by 'tonekit score') "
            "between groups: the question and the answer, the numbers, the plots, the words "
            "and the statements behind them, and the method. If --by is 'era' and the table has "
            "no era column, eras are assigned from its 'date' column (Japanese prime ministers)."
        ),
    )
    parser.add_argument("scores", metavar="SCORES", help="scored table: .csv, .jsonl or .parquet")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the HTML file to write")
    parser.add_argument("--by", default="era", help="group column (default: era)")
    parser.add_argument("--groups", nargs="+", metavar="GROUP",
                        help="groups to compare, in this order; the answer contrasts the first and the last")
    parser.add_argument("--title", help="page title (default: from the groups)")
    add_force(parser)
    parser.add_argument("--lexicon", help="the lexicon that made the scores (bundled name or CSV path)")
    parser.add_argument("--samples", type=int, default=2, metavar="N",
                        help="most hostile and most courteous statements shown per group (default 2)")
    parser.add_argument("--n-boot", type=int, default=10_000, help="bootstrap and permutation resamples (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # the command line never needs a window

    from ..lexicon import LexiconError
    from ..report import write_report
    from .usage import UsageError

    check_output(args.output, args.force)
    scores = Table(args.scores, what="scores").frame.reset_index(drop=True)
    if args.samples < 0:
        raise UsageError(f"--samples must be 0 or more, not {args.samples}")
    try:
        out = write_report(scores, args.output, by=args.by, groups=args.groups, title=args.title,
                           lexicon=args.lexicon, n_samples=args.samples, n_boot=args.n_boot, seed=args.seed)
    except (KeyError, ValueError, TypeError, LexiconError) as exc:
        raise UsageError(f"{args.scores}: {str(exc).strip(chr(34))}") from exc
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc}") from exc
    print(f"report written to {out}", file=sys.stderr)
    return 0
