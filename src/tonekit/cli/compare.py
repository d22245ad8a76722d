"""``tonekit compare``: compare the scores of groups of statements (eras, speakers, ...).

Problems of the table are named by their line in the file (``line 7``; a Parquet file
has rows, ``row 7``), as the other commands name them (see :class:`~tonekit.cli.table.Table`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings

import numpy as np
import pandas as pd

from ..compare import compare
from .table import Table
from .usage import UsageError

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare scores between groups: bootstrap CIs, permutation tests, Cliff's delta",
        description=(
            "Compare the scores of a scored table (CSV, JSONL or Parquet, as written by "
            "'tonekit score') between groups. If --by is 'era' and the table has no era "
            "column, eras are assigned from its 'date' column (Japanese prime ministers). "
            "Rows with an error (e.g. an empty text) are left out and counted."
        ),
    )
    parser.add_argument("scores", metavar="SCORES", help="scored table: .csv, .jsonl or .parquet")
    parser.add_argument("--by", default="era",
                        help="group column (default: era, assigned from 'date' when the table has no era column)")
    parser.add_argument("--groups", nargs="+", metavar="GROUP",
                        help="groups to compare, in this order (needed when the column has many groups)")
    parser.add_argument("--metric", nargs="+", dest="metrics", metavar="METRIC",
                        default=["hostility", "courtesy", "tone"], help="metric columns (default: hostility courtesy tone)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table: readable summary; csv: one table (see --table); json: everything (default: table)")
    parser.add_argument("--table", choices=("pairs", "groups"), default="pairs",
                        help="which table --format csv prints (default: pairs)")
    parser.add_argument("--plot", metavar="OUT.png", help="also save a plot of the comparison")
    parser.add_argument("--n-boot", type=int, default=10_000, help="bootstrap and permutation resamples (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.set_defaults(func=run)


def _with_eras(table: Table, by: str) -> pd.DataFrame:
    """The table with the group column ``by``: eras assigned from dates when asked."""
    scores = table.frame
    columns = ", ".join(map(str, scores.columns))
    if by in scores.columns:
        return scores
    if by != "era":
        raise UsageError(f"{table.path}: no column {by!r} to group by; pass --by COLUMN (columns: {columns})")
    if "date" not in scores.columns:
        raise UsageError(
            f"{table.path}: no 'era' column, nor a 'date' column to assign eras from; "
            f"pass --by with the column that holds the groups (columns: {columns})"
        )
    from ..corpus import parse_date
    from ..eras import assign_era

    for label, value in scores["date"].items():
        _, problem = parse_date(value)
        if problem:
            raise UsageError(f"{table.where(label, 'date')}: {problem}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = assign_era(scores)
    for w in caught:  # dates outside every tenure: named by their lines, not by "rows"
        unit = "rows" if table.format == "parquet" else "lines"
        print(f"warning: {table.path}: {str(w.message).replace('(rows ', f'({unit} ')}", file=sys.stderr)
    return scores


def _check_finite(table: Table, scores: pd.DataFrame, metrics: list[str]) -> None:
    for metric in metrics:
        column = scores.get(metric)
        if column is None or not pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue  # compare() names the problem
        infinite = np.isinf(column.to_numpy(dtype=float, na_value=np.nan))
        if infinite.any():
            label = scores.index[infinite][0]
            more = int(infinite.sum()) - 1
            raise UsageError(
                f"{table.where(label, metric)}: infinite score {float(column.loc[label])!r}"
                + (f" (and {more} more)" if more else "") + "; scores are finite: fix or drop those rows"
            )


def _json_safe(records: list[dict]) -> list[dict]:
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]


def run(args: argparse.Namespace) -> int:
    table = Table(args.scores, what="scores")
    if not len(table.frame):
        raise UsageError(f"{args.scores}: no rows to compare")
    scores = _with_eras(table, args.by)
    _check_finite(table, scores, args.metrics)
    try:
        result = compare(scores, by=args.by, groups=args.groups, metrics=args.metrics,
                         n_boot=args.n_boot, seed=args.seed)
    except (KeyError, ValueError, TypeError) as exc:
        message = str(exc).strip(chr(34)).replace("(groups=, --groups)", "(--groups)")
        raise UsageError(f"{args.scores}: {message}") from exc
    if args.format == "table":
        print(repr(result))
    elif args.format == "csv":
        result.to_frame(args.table).to_csv(sys.stdout, index=False)
        if result.n_errors:
            print(f"tonekit compare: {result.n_errors} row(s) with an error left out", file=sys.stderr)
    else:
        payload = {
            "by": result.by, "groups_order": list(result.group_order), "metrics": list(result.metrics),
            "n_boot": result.n_boot, "n_perm": result.n_perm, "seed": result.seed, "confidence": result.confidence,
            "n_errors": result.n_errors,
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
