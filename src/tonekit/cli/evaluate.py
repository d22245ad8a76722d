"""``tonekit evaluate``: agreement of a score with the labels of a corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..corpus import is_missing, value_kind
from ..evaluate import evaluate
from ..lexicon import LexiconError
from ..shared import EMPTY_TEXT, is_empty_text
from .table import Table



def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="measure how well a score agrees with human labels (ROC AUC, accuracy, correlations)",
        description=(
            "Score the texts of CORPUS and compare a score with a label column: ROC AUC, "
            "accuracy and F1 at a threshold chosen on other folds, Spearman and Pearson, "
            "and a bootstrap interval on the main figure."
        ),
    )
    parser.add_argument("corpus", metavar="CORPUS", help="a .csv, .tsv, .jsonl or .parquet file")
    parser.add_argument("--label-col", required=True, help="column of labels (0/1 or graded numbers)")
    parser.add_argument("--text-col", default="text", metavar="NAME", help="column holding the text (default: text)")
    parser.add_argument(
        "--score", default="courtesy",
        help="courtesy, hostility, tone, a rate or a category (default: courtesy)",
    )
    parser.add_argument("--lexicon", help="bundled lexicon name or path to a lexicon CSV")
    parser.add_argument("--folds", type=int, default=5, help="folds for choosing the threshold (default: 5)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of folds and bootstrap (default: 0)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table: the figures, readable; json: the whole evaluation (default: table)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .usage import UsageError

    table = Table(args.corpus, (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet"), what="corpus")
    frame, path = table.frame, Path(args.corpus)
    for option, column in (("--text-col", args.text_col), ("--label-col", args.label_col)):
        if column not in frame.columns:
            raise UsageError(f"{path}: no column {column!r} ({option}); columns: {', '.join(map(str, frame.columns))}")
    labels = pd.to_numeric(frame[args.label_col], errors="coerce")
    bad = labels.isna()
    if bad.any():
        line = frame.index[bad.to_numpy()][0]
        raise UsageError(
            f"{table.where(line, args.label_col)}: label {frame[args.label_col].loc[line]!r} is not a number"
        )
    texts = frame[args.text_col]
    for line, value in texts.items():
        if isinstance(value, str):
            problem = EMPTY_TEXT if is_empty_text(value) else None
        else:
            problem = "missing text" if is_missing(value) else f"text must be a string, not {value_kind(value)}"
        if problem:
            raise UsageError(f"{table.where(line, args.text_col)}: {problem}")
    try:
        result = evaluate(
            texts, labels, score=args.score, lexicon=args.lexicon, folds=args.folds,
            n_bootstrap=args.bootstrap, seed=args.seed,
        )
    except (LexiconError, KeyError, OSError, ValueError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    if args.format == "json":
        print(result.to_json())
        return 0
    print(
        f"{path.name}: {args.score} vs {args.label_col}  n={result.n} ({result.kind} labels, "
        f"{result.n_positive} positive)  [{result.lexicon}]"
    )
    table = result.to_frame()
    level = f"{result.confidence:.0%} CI"
    for row in table.itertuples(index=False):
        ci = f"  {level} [{row.ci_low:.3f}, {row.ci_high:.3f}]" if row.metric == result.main else ""
        print(f"  {row.metric:<9} {row.value:6.3f}{ci}")
    print(f"  threshold {result.threshold:.4g} (accuracy and F1 use thresholds chosen on other folds)")
    return 0
