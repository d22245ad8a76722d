"""``tonekit lexicon``: show, copy (``init``), validate or diff lexicons (optionally on a corpus)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..lexicon import Lexicon, LexiconError, resolve
from .usage import add_text_col


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lexicon",
        help="show, copy, validate or diff lexicons",
        description="Read a lexicon's categories, start a lexicon of your own, validate one file, or diff two lexicons.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    show = actions.add_parser(
        "show",
        help="categories with their definitions and examples, and entry counts",
        description="Describe a lexicon (bundled name or CSV path; default: the bundled one).",
    )
    show.add_argument("lexicon", nargs="?", default=None, metavar="LEXICON")
    show.add_argument("--format", choices=("text", "csv", "json"), default="text",
                      help="text: categories; csv: all entries; json: the metadata")
    show.set_defaults(func=run_show)

    init = actions.add_parser(
        "init",
        help="start a lexicon of your own: a copy of another, with its own name and version",
        description=(
            "Write PATH (the entries CSV) and its metadata JSON beside it (same stem): a copy of "
            "--from under its own name and version, ready to edit and to pass to --lexicon."
        ),
    )
    init.add_argument("path", metavar="PATH", help="lexicon CSV to write, e.g. mine.csv (mine.json is written beside it)")
    init.add_argument("--from", dest="source", metavar="LEXICON",
                      help="bundled lexicon name or CSV path to copy (default: the bundled one)")
    init.add_argument("--name", help="name of the new lexicon (default: the file's stem)")
    init.add_argument("--version", default="0.1.0", help="version of the new lexicon (default: 0.1.0)")
    init.add_argument("--force", action="store_true", help="replace existing files")
    init.set_defaults(func=run_init)

    validate = actions.add_parser(
        "validate",
        help="report every problem of a lexicon with its line and field (exit 1 if any)",
        description="Check a lexicon CSV and its metadata JSON (same stem).",
    )
    validate.add_argument("path", metavar="PATH", help="lexicon CSV (its metadata JSON sits beside it)")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="text: one line per problem; json: the problems as data (default: text)")
    validate.set_defaults(func=run_validate)

    diff = actions.add_parser(
        "diff",
        help="entries added/removed/relabelled/reweighted and, with --corpus, the documents that moved",
        description="Compare two lexicons (bundled names or CSV paths).",
    )
    diff.add_argument("old", metavar="OLD", help="bundled lexicon name or CSV path")
    diff.add_argument("new", metavar="NEW", help="bundled lexicon name or CSV path")
    diff.add_argument("--corpus", help="corpus file (csv/jsonl/parquet) or bundled corpus name")
    diff.add_argument("--group", help="column to average the changes by (e.g. era)")
    add_text_col(diff)
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                      help="text: readable; markdown: tables for a pull request; json: the full diff (default: text)")
    diff.add_argument("--top", type=int, default=20, help="documents to list (default 20; 0 lists all)")
    diff.set_defaults(func=run_diff)


def run_show(args: argparse.Namespace) -> int:
    from .usage import UsageError

    try:
        lexicon = resolve(args.lexicon)
    except (LexiconError, KeyError, OSError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    if args.format == "csv":
        print(lexicon.to_strings()[0], end="")
        return 0
    if args.format == "json":
        print(json.dumps(lexicon.metadata_dict(), ensure_ascii=False, indent=2))
        return 0
    counts = lexicon.to_frame().groupby("category").size()
    print(f"{lexicon.label}: {len(lexicon)} entries. {lexicon.description}")
    for dimension in ("hostility", "courtesy"):
        print(f"\n{dimension.upper()}")
        for name in lexicon.categories_of(dimension):
            category = lexicon.categories[name]
            print(f"  {name} ({counts.get(name, 0)} entries): {category.definition}")
            if category.example:
                print(f"      e.g. {category.example}")
    return 0


def run_init(args: argparse.Namespace) -> int:
    from .usage import UsageError

    path = Path(args.path)
    if path.suffix.lower() != ".csv":
        raise UsageError(f"a lexicon is written as a .csv file (with its .json beside it), not {path}")
    targets = [path, path.with_suffix(".json")]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not args.force:
        raise UsageError(f"{' and '.join(existing)} already exist{'s' * (len(existing) == 1)}; pass --force to replace")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: no such directory {path.parent}")
    try:
        source = resolve(args.source)
        copy = source.replace(
            name=path.stem if args.name is None else args.name,
            version=args.version,
            metadata={**source.metadata, "derived_from": source.label},
        )
        copy.to_csv(path)
    except LexiconError as exc:
        raise UsageError("; ".join(str(p) for p in exc.problems)) from exc
    except (KeyError, OSError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    print(
        f"wrote {path} and {path.with_suffix('.json')}: {copy.label}, {len(copy)} entries, "
        f"copied from {source.label}; check it with 'tonekit lexicon validate {path}'"
    )
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from .usage import UsageError

    path = Path(args.path)
    if path.suffix.lower() == ".json":
        path = path.with_suffix(".csv")
    if not path.is_file():
        raise UsageError(f"no such lexicon file: {path}")
    if not path.with_suffix(".json").is_file():
        raise UsageError(f"no metadata file beside the lexicon: {path.with_suffix('.json')}")
    lexicon: Lexicon | None = None
    try:
        lexicon = Lexicon.from_csv(path)
        problems: tuple = ()
    except LexiconError as exc:
        problems = exc.problems
    if args.format == "json":
        print(json.dumps(
            {
                "path": str(path),
                "valid": not problems,
                "lexicon": lexicon.label if lexicon else None,
                "entries": len(lexicon) if lexicon else None,
                "problems": [
                    {"file": p.file, "line": p.line, "field": p.field, "message": p.message} for p in problems
                ],
            },
            ensure_ascii=False,
            indent=2,
        ))
    elif problems:
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s) in {path}")
    else:
        print(f"OK {lexicon.label}: {len(lexicon)} entries, {len(lexicon.categories)} categories ({path})")
    return 1 if problems else 0


def run_diff(args: argparse.Namespace) -> int:
    from ..corpus import CorpusError
    from ..regression import diff
    from .usage import UsageError

    if args.top < 0:
        raise UsageError("--top must be 0 (all) or more")
    try:
        old, new = resolve(args.old), resolve(args.new)
        report = diff(old, new, corpus=args.corpus, group=args.group, text=args.text_col)
    except LexiconError as exc:
        raise UsageError("invalid lexicon: " + "; ".join(str(p) for p in exc.problems)) from exc
    except CorpusError as exc:
        raise UsageError("; ".join(str(p) for p in exc.problems)) from exc
    except (KeyError, OSError, ValueError) as exc:
        raise UsageError(str(exc).strip('"')) from exc
    top = args.top or None
    if args.format == "json":
        print(report.to_json(indent=2))
    elif args.format == "markdown":
        print(report.to_markdown(top=top), end="")
    else:
        print(report.to_text(top=top))
    return 0
