"""Corpus file formats, told from a file name or given by name.

CSV (``.csv``), JSON Lines (``.jsonl``, ``.ndjson``) and Parquet (``.parquet``,
``.pq``); ``"-"`` means stdin/stdout, CSV unless a format is given.

>>> resolve_format("statements.ndjson", None)
'jsonl'
>>> resolve_format("-", "PQ")
'parquet'
"""

from __future__ import annotations

import os
from pathlib import Path

from ..shared import PathLike

__all__ = ["FORMATS", "STDIO", "resolve_format", "display_name"]

FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
#: The file name of standard input and output.
STDIO = "-"

_EXTENSIONS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_ALIASES = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "parquet": "parquet", "pq": "parquet"}


def resolve_format(path: PathLike, format: str | None) -> str:
    """The format of ``path``: ``format`` (an alias such as ``"pq"`` or ``"ndjson"``, any
    case) when given, else the one its extension says; a ValueError when neither tells.

    >>> resolve_format("scores.csv", None)
    'csv'
    """
    if format is not None:
        fmt = _ALIASES.get(str(format).lower())
        if fmt is None:
            raise ValueError(f"unknown corpus format {format!r}; use one of {', '.join(FORMATS)}")
        return fmt
    name = os.fspath(path)
    if name == STDIO:
        return "csv"
    fmt = _EXTENSIONS.get(Path(name).suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the format of {name!r} from its extension; "
            f"pass format= one of {', '.join(FORMATS)}"
        )
    return fmt


def display_name(path: PathLike) -> str:
    """The name messages give ``path`` (``<stdin>`` for ``"-"``).

    >>> display_name("-")
    '<stdin>'
    """
    name = os.fspath(path)
    return "<stdin>" if name == STDIO else name
