"""``tonekit compare``: compare the scores of groups of statements (eras, speakers, ...).

Problems of the table are named by their line in the file (``line 7``; a Parquet file
has rows, ``row 7``), as the other commands name them.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..compare import compare
from .usage import UsageError

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


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


class _Table:
    """A scores table read for comparing: its rows are indexed by their line in the file
    (or their row number, for Parquet), so that every message can point at them."""

    def __init__(self, path: str) -> None:
        self.path = path
        p = Path(path)
        self.format = _FORMATS.get(p.suffix.lower())
        if self.format is None:
            raise UsageError(f"{path}: unknown format {p.suffix!r} (use .csv, .jsonl or .parquet)")
        if not p.is_file():
            raise UsageError(f"{path}: no such file")
        try:
            self.frame = getattr(self, "_read_" + self.format)(p)
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
        except (ValueError, OSError, ImportError) as exc:
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{path}: cannot read scores ({text})") from exc

    def where(self, label: object, field: str | None = None) -> str:
        """``file, line 7, field 'date'`` for the row with index ``label``."""
        unit = "row" if self.format == "parquet" else "line"
        return f"{self.path}, {unit} {label}" + (f", field {field!r}" if field else "")

    @staticmethod
    def _read_csv(p: Path) -> pd.DataFrame:
        frame = pd.read_csv(p)
        # The line each record starts on (a quoted cell may span lines; blank lines are skipped).
        lines, end = [], 0
        with p.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            for record in reader:
                if record:
                    lines.append(end + 1)
                end = reader.line_num
        if len(lines) - 1 == len(frame):
            frame.index = lines[1:]
        else:  # the csv module and pandas disagree on some odd file: count records instead
            frame.index = range(2, len(frame) + 2)
        return frame

    def _read_jsonl(self, p: Path) -> pd.DataFrame:
        records, lines = [], []
        with p.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UsageError(f"{self.path}, line {number}: invalid JSON ({exc.msg})") from exc
                except RecursionError as exc:
                    raise UsageError(f"{self.path}, line {number}: JSON nested too deeply") from exc
                if not isinstance(record, dict):
                    kind = "an array" if isinstance(record, list) else type(record).__name__
                    raise UsageError(f"{self.path}, line {number}: a record must be a JSON object, not {kind}")
                records.append(record)
                lines.append(number)
        return pd.DataFrame.from_records(records, index=lines) if records else pd.DataFrame()

    @staticmethod
    def _read_parquet(p: Path) -> pd.DataFrame:
        frame = pd.read_parquet(p)
        frame.index = range(1, len(frame) + 1)
        return frame


def _with_eras(table: _Table, by: str) -> pd.DataFrame:
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


def _check_finite(table: _Table, scores: pd.DataFrame, metrics: list[str]) -> None:
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
    table = _Table(args.scores)
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
