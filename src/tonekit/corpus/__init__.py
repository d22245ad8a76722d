"""Corpus files <-> pandas DataFrames, with validation and streaming.

A corpus holds one statement per record: a unique ``id``, the ``text`` and
optional metadata (:data:`CORPUS_COLUMNS`); any other column is kept as-is.
Supported formats are CSV (``.csv``), JSON Lines (``.jsonl``, ``.ndjson``) and
Parquet (``.parquet``, ``.pq``); ``"-"`` means stdin/stdout.

Every problem is reported with the file, the physical line (CSV, JSONL) or the
0-based row (Parquet) and the field, e.g.::

    statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)

The package's modules: :mod:`~tonekit.corpus.errors` (problems and the error),
:mod:`~tonekit.corpus.formats` (formats and file names),
:mod:`~tonekit.corpus.validate` (records and their cells),
:mod:`~tonekit.corpus.read` (readers), :mod:`~tonekit.corpus.jsonl` (a JSON Lines
record, without losing a value), :mod:`~tonekit.corpus.encode` (values as
CSV, JSON and Arrow) and :mod:`~tonekit.corpus.write` (the atomic writer).

Example
-------
>>> df = read_corpus("statements.csv")                      # doctest: +SKIP
>>> df = read_corpus("statements.jsonl", errors="report")   # doctest: +SKIP
>>> df[df["error"].notna()]                                 # doctest: +SKIP
>>> write_corpus(iter_corpus("big.jsonl"), "big.parquet")   # doctest: +SKIP
"""

from __future__ import annotations

from .errors import CorpusError, CorpusProblem
from .formats import FORMATS, display_name, resolve_format
from .read import Errors, iter_corpus, read_chunks, read_corpus
from .validate import (
    CORPUS_COLUMNS,
    REQUIRED_COLUMNS,
    STRING_DTYPE,
    error_message,
    is_missing,
    parse_date,
    value_kind,
)
from .write import CorpusWriter, write_corpus

__all__ = [
    "CORPUS_COLUMNS",
    "REQUIRED_COLUMNS",
    "FORMATS",
    "STRING_DTYPE",
    "CorpusProblem",
    "CorpusError",
    "CorpusWriter",
    "Errors",
    "read_corpus",
    "iter_corpus",
    "read_chunks",
    "write_corpus",
    "resolve_format",
    "display_name",
    "parse_date",
    "is_missing",
    "value_kind",
    "error_message",
]
