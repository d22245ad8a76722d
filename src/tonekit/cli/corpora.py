"""``tonekit corpora``: the bundled corpora, which every verb taking a corpus accepts by name.

    tonekit corpora
    tonekit score dprk_japan -o scores.csv
"""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "corpora",
        help="list the bundled corpora (name, rows, description, file)",
        description=(
            "List the bundled corpora. A corpus name can be given wherever a command takes a "
            "corpus file (score, snapshot, check, lexicon diff --corpus)."
        ),
    )
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text",
                        help="text: one corpus a line; csv or json: the table as data (default: text)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import corpora
    from .usage import UsageError

    try:
        table = corpora.list()
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    table = table.rename(columns={"n_statements": "rows"})
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif args.format == "json":
        print(json.dumps(table.to_dict("records"), ensure_ascii=False, indent=2))
    elif table.empty:
        print("no bundled corpora found")
    else:
        width = max(map(len, table["name"]))
        for row in table.itertuples(index=False):
            print(f"{row.name:<{width}}  {row.rows:>6} rows  {row.description}")
            print(f"{'':<{width}}  {row.path}")
    return 0
