"""``tonekit compare``: compare the scores of groups of statements (eras, speakers, ...)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

from ..compare import compare

_READERS = {
    ".csv": lambda p: pd.read_csv(p),
    ".jsonl": lambda p: pd.read_json(p, lines=True),
    ".ndjson": lambda p: pd.read_json(p, lines=True),
    ".parquet": lambda p: pd.read_parquet(p),
    ".pq": lambda p: pd.read_parquet(p),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare scores between groups: bootstrap CIs, permutation tests, Cliff's delta",
        description=(
            "Compare the scores of a scored table (CSV, JSONL or Parquet, as written by "
            "'tonekit score') between groups. If --by is 'era' and the table has no era "
            "column, eras are assigned from its 'date' column (Japanese prime ministers)."
        ),
    )
    parser.add_argument("scores", metavar="SCORES", help="scored table: .csv, .jsonl or .parquet")
    parser.add_argument("--by", default="era", help="group column (default: era)")
    parser.add_argument("--groups", nargs="+", metavar="GROUP", help="groups to compare, in this order")
    parser.add_argument("--metric", nargs="+", dest="metrics", metavar="METRIC",
                        default=["hostility", "courtesy", "tone"], help="metric columns (default: hostility courtesy tone)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    parser.add_argument("--table", choices=("pairs", "groups"), default="pairs",
                        help="which table --format csv prints (default: pairs)")
    parser.add_argument("--plot", metavar="OUT.png", help="also save a plot of the comparison")
    parser.add_argument("--n-boot", type=int, default=10_000, help="bootstrap and permutation resamples (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.set_defaults(func=run)


def _read(path: str) -> pd.DataFrame:
    from .usage import UsageError

    p = Path(path)
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        raise UsageError(f"{path}: unknown format {p.suffix!r} (use .csv, .jsonl or .parquet)")
    if not p.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        return reader(p)
    except (ValueError, OSError) as exc:
        raise UsageError(f"{path}: cannot read scores ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from exc


def _json_safe(records: list[dict]) -> list[dict]:
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]


def run(args: argparse.Namespace) -> int:
    from .usage import UsageError

    scores = _read(args.scores)
    if args.by not in scores.columns and args.by == "era" and "date" in scores.columns:
        from ..eras import assign_era

        try:
            scores = assign_era(scores)
        except ValueError as exc:
            raise UsageError(f"{args.scores}: {exc}") from exc
    try:
        result = compare(scores, by=args.by, groups=args.groups, metrics=args.metrics,
                         n_boot=args.n_boot, seed=args.seed)
    except (KeyError, ValueError, TypeError) as exc:
        raise UsageError(f"{args.scores}: {str(exc).strip(chr(34))}") from exc
    if args.format == "table":
        print(repr(result))
    elif args.format == "csv":
        result.to_frame(args.table).to_csv(sys.stdout, index=False)
    else:
        payload = {
            "by": result.by, "groups_order": list(result.group_order), "metrics": list(result.metrics),
            "n_boot": result.n_boot, "n_perm": result.n_perm, "seed": result.seed, "confidence": result.confidence,
            "groups": _json_safe(result.groups.to_dict("records")),
            "pairs": _json_safe(result.pairs.to_dict("records")),
        }
        print(json.dumps(payload, indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o)))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")  # the command line never needs a window
        import matplotlib.pyplot as plt

        from ..viz import plot_comparison

        drawn = plot_comparison(result)
        fig = drawn if hasattr(drawn, "savefig") else drawn.figure
        try:
            fig.savefig(args.plot, dpi=120, bbox_inches="tight")
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot write plot {args.plot}: {exc}") from exc
        finally:
            plt.close(fig)
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0
