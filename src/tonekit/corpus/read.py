"""Reading corpus files: CSV, JSON Lines and Parquet, whole or chunk by chunk.

Each format's reader parses records chunk by chunk; the
:class:`~tonekit.corpus.validate.Validator` checks them. :func:`read_corpus` reads
a whole file, :func:`iter_corpus` streams it, and :func:`read_chunks` is the engine
behind both, with the options batch scoring needs.

Example
-------
>>> df = read_corpus("statements.csv")                      # doctest: +SKIP
>>> df = read_corpus("statements.jsonl", errors="report")   # doctest: +SKIP
>>> df[df["error"].notna()]                                 # doctest: +SKIP
>>> for chunk in iter_corpus("big.jsonl", chunksize=50_000):  # doctest: +SKIP
...     process(chunk)
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from ..shared import PathLike
from .errors import CorpusError, CorpusProblem
from .formats import STDIO, display_name, resolve_format
from .jsonl import parse_record
from .validate import ABSENT, STRING_DTYPE, Raw, StaleErrors, Validator

__all__ = ["Errors", "read_corpus", "iter_corpus", "read_chunks", "csv_fields_unlimited"]

Errors = Literal["raise", "report"]
_READ_ALL = 1 << 62


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")


def _take(it: Iterator[Any], n: int | None) -> list[Any]:
    return list(itertools.islice(it, n if n is not None else _READ_ALL))


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

# Two ASCII characters as UTF-32 or UTF-16 (little or big endian) write them.
_NUL_PATTERNS = (
    (re.compile(rb"[^\x00]\x00\x00\x00[^\x00]\x00\x00\x00|\x00\x00\x00[^\x00]\x00\x00\x00[^\x00]"), "UTF-32"),
    (re.compile(rb"[^\x00]\x00[^\x00]\x00|\x00[^\x00]\x00[^\x00]"), "UTF-16"),
)


def _foreign_encoding(head: bytes) -> str | None:
    """Why the first bytes of a text file say it is not UTF-8 (UTF-16 or UTF-32, by its
    byte order mark or the NUL bytes between ASCII characters), or None.

    >>> _foreign_encoding("id".encode("utf-16"))
    'the file is UTF-16 (it begins with a UTF-16 byte order mark); save it as UTF-8'
    >>> _foreign_encoding(b"id,text")
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return f"the file is {encoding} (it begins with a {encoding} byte order mark); save it as UTF-8"
    for pattern, encoding in _NUL_PATTERNS:
        if pattern.match(head):
            return f"the file looks like {encoding} (NUL bytes between its characters); save it as UTF-8"
    return None


def _check_encoding(head: bytes, name: str) -> None:
    """A file-level error where the first line says the file is UTF-16 or UTF-32."""
    reason = _foreign_encoding(head)
    if reason is not None:
        raise CorpusError([CorpusProblem(name, 1, None, None, f"not valid UTF-8: {reason}")])


# A lone "\r" ends a line too (as in a text file opened with newline="").
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _text_lines(fb: IO[bytes], name: str) -> Iterator[str]:
    """The lines of a UTF-8 file as the csv module wants them (ends kept, a lone
    carriage return ending a line too), decoded line by line: a byte that is not UTF-8
    is an error that names its own line, not the first of a block."""
    lineno = 0
    for raw in fb:
        if lineno == 0:
            _check_encoding(raw, name)
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = lineno + 1 + raw.count(b"\r", 0, exc.start)
            problem = CorpusProblem(name, line, None, None, f"not valid UTF-8 ({exc.reason})")
            raise CorpusError([problem]) from None
        if "\r" in (text[:-2] if text.endswith("\r\n") else text[:-1]):
            pieces = [piece for piece in _LONE_CR.split(text) if piece]
            lineno += len(pieces)
            yield from pieces
        else:
            lineno += 1
            yield text


def _csv_records(lines: Iterable[str], name: str) -> Iterator[tuple[int, list[str]]]:
    """(starting physical line, fields) per record; blank lines skipped."""
    reader = csv.reader(lines, strict=True)
    prev = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            msg = str(exc)
            if "unexpected end of data" in msg:
                msg = "unterminated quoted field"
            raise CorpusError([CorpusProblem(name, prev + 1, None, None, f"invalid CSV ({msg})")]) from None
        start, prev = prev + 1, reader.line_num
        if record:
            yield start, record


# The largest field the csv module accepts (a C long: 2**31 - 1 on Windows).
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


@contextmanager
def csv_fields_unlimited() -> Iterator[None]:
    """The csv module's field size limit (131,072 characters by default, process-wide)
    lifted while tonekit parses, then put back: a statement may be longer than that."""
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _csv_chunks(fh: Iterable[str], name: str, v: Validator, chunksize: int | None) -> Iterator[Raw]:
    records = _csv_records(fh, name)
    # Per chunk, not per record: between chunks (while the caller has control) the
    # process-wide limit is the caller's.
    with csv_fields_unlimited():
        first = next(records, None)
    if first is None:
        raise CorpusError([CorpusProblem(name, None, None, None, "empty file: no header line")])
    header_line, header = first
    columns: list[str] = []
    for col in header:
        if col in columns:  # keep both, pandas-style, but say so
            v.file_problem(header_line, col, f"duplicate column {col!r} in header")
            n = 1
            while f"{col}.{n}" in columns:
                n += 1
            col = f"{col}.{n}"
        columns.append(col)
    v.require(columns, header_line)
    width = len(columns)
    start, produced = 0, False
    while True:
        with csv_fields_unlimited():
            batch = _take(records, chunksize)
        if not batch and produced:
            return
        cells: dict[str, list[Any]] = {c: [] for c in columns}
        lines: list[int | None] = []
        pre: dict[int, list[CorpusProblem]] = {}
        for i, (line, record) in enumerate(batch):
            if len(record) != width:
                msg = f"expected {width} fields as in the header, found {len(record)}"
                pre[i] = [CorpusProblem(name, line, start + i, None, msg)]
            for j, col in enumerate(columns):
                cells[col].append(record[j] if j < len(record) else ABSENT)
            lines.append(line)
        values = {c: cells[c] for c in ("id", v.text, v.date) if c in cells}
        # Validated columns are replaced later: a cheap placeholder keeps their position.
        frame = pd.DataFrame(
            {
                c: pd.Series([None] * len(xs), dtype=object)
                if c in values
                else pd.Series([None if x is ABSENT else x for x in xs], dtype=STRING_DTYPE)
                for c, xs in cells.items()
            }
        )
        yield Raw(frame, values, lines, start, pre)
        produced, start = True, start + len(batch)


def _jsonl_records(fh: IO[bytes], name: str) -> Iterator[tuple[int, Any, CorpusProblem | None]]:
    """(line, record or None, problem) per non-blank line; a record with a problem is
    kept (and scored no further) where it is a JSON object."""
    for lineno, raw in enumerate(fh, 1):
        if lineno == 1:
            _check_encoding(raw, name)
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        record, problem = parse_record(raw)
        yield lineno, record, None if problem is None else CorpusProblem(name, lineno, None, *problem)


def _jsonl_chunks(fh: IO[bytes], name: str, v: Validator, chunksize: int | None) -> Iterator[Raw]:
    records = _jsonl_records(fh, name)
    start, produced = 0, False
    # Every key seen so far, in the order keys first appear in the file: each chunk has
    # all of them (null where its records lack one), so a key that is optional, or
    # first appears late, gives the same columns in the same order whatever the chunk size.
    known: dict[str, None] = {}
    while True:
        batch = _take(records, chunksize)
        if not batch and produced:
            return
        dicts: list[dict[str, Any]] = []
        pre: dict[int, list[CorpusProblem]] = {}
        broken: set[int] = set()
        for i, (line, record, problem) in enumerate(batch):
            if problem is not None:
                pre[i] = [CorpusProblem(problem.file, line, start + i, problem.field, problem.message)]
                if record is None:  # not a record at all
                    broken.add(i)
                    record = {}
            dicts.append(record)
        # id, text and date are taken out of the records (validation builds their
        # columns); the others make the frame, in the order the keys first appear.
        known.update(dict.fromkeys(itertools.chain.from_iterable(dicts)))
        columns = list(known)
        values = {k: [d.pop(k, ABSENT) for d in dicts] for k in ("id", v.text, v.date) if k}
        # (Stops at the first record with the key: the first, as a rule.)
        lacking_text = all(x is ABSENT for x in values[v.text]) if not produced and v.need_text_key else False
        if lacking_text and len(broken) < len(dicts):  # records, not only broken lines
            v.missing.add(v.text)
            v.file_problem(None, v.text, f"missing required column {v.text!r} (no record of the first chunk has it)")
        others = [c for c in columns if c not in values]
        frame = pd.DataFrame.from_records(dicts, columns=others) if others else pd.DataFrame(index=range(len(dicts)))
        _exact_integers(frame, dicts)
        frame = frame.reindex(columns=columns)
        lines: list[int | None] = [line for line, _, _ in batch]
        yield Raw(frame, values, lines, start, pre, broken)
        produced, start = True, start + len(batch)


_INT64_RANGE = (-(1 << 63), (1 << 63) - 1)


def _exact_integers(frame: pd.DataFrame, dicts: list[dict[str, Any]]) -> None:
    """Turn back into integers the columns pandas made float only because some records
    lack the key or hold null, or mix integers with fractions (1 would become 1.0,
    1234567890123456789 lose digits): the JSON text says which numbers are integers.

    Only float columns holding a whole number are looked at record by record, so a
    chunk of integers without gaps (an integer column), or of fractions, costs nothing
    more. Integers mixed with fractions are kept as written in an object column.
    """
    for col in frame.columns:
        if frame[col].dtype.kind != "f":
            continue
        numbers = frame[col].to_numpy()
        if not (numbers == np.trunc(numbers)).any():  # NaN is never equal
            continue  # fractions (and gaps) only: no integer became a float
        cells = [d.get(col) for d in dicts]
        kinds = set(map(type, cells))
        if int not in kinds:
            continue  # floats such as 1.0 stay floats
        ints = [c for c in cells if type(c) is int]
        if kinds <= {int, type(None)} and _INT64_RANGE[0] <= min(ints) and max(ints) <= _INT64_RANGE[1]:
            frame[col] = pd.array(cells, dtype="Int64")
        else:  # beyond 64 bits, or with fractions: Python numbers, exactly
            frame[col] = pd.Series(cells, index=frame.index, dtype=object)


def _nullable_integer(arrow_type: Any) -> Any:
    """The pandas nullable dtype of an Arrow integer type (``types_mapper`` of to_pandas)."""
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        prefix = "UInt" if pa.types.is_unsigned_integer(arrow_type) else "Int"
        return pd.api.types.pandas_dtype(f"{prefix}{arrow_type.bit_width}")
    return None


def _parquet_batches(pf: Any, name: str, chunksize: int | None) -> Iterator[Any]:
    """The record batches of a Parquet file (one table when ``chunksize`` is None); a
    damaged page is an error naming the first row not read."""
    import pyarrow as pa

    batches = iter([None]) if chunksize is None else pf.iter_batches(batch_size=chunksize)
    row, rows = 0, pf.metadata.num_rows
    while True:
        try:
            batch = next(batches)
            if batch is None:
                batch = pf.read()
            batch.validate(full=True)  # a damaged file can hold text that is not UTF-8
        except StopIteration:
            if row != rows:  # a damaged page can end the data early
                problem = CorpusProblem(name, None, row, None, f"not a readable Parquet file ({rows} rows, {row} read)")
                raise CorpusError([problem]) from None
            return
        except (pa.ArrowException, OSError) as exc:
            problem = CorpusProblem(name, None, row, None, f"not a readable Parquet file ({exc})")
            raise CorpusError([problem]) from None
        row += batch.num_rows
        yield batch


def _parquet_chunks(source: Any, name: str, v: Validator, chunksize: int | None) -> Iterator[Raw]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(source)
        pf.schema_arrow
    except Exception as exc:  # a damaged footer fails in many ways
        raise CorpusError([CorpusProblem(name, None, None, None, f"not a readable Parquet file ({exc})")]) from None
    v.require(pf.schema_arrow.names, None)
    start, produced = 0, False
    for batch in itertools.chain(_parquet_batches(pf, name, chunksize), [None]):
        if batch is None:
            if produced:
                return
            batch = pf.schema_arrow.empty_table()
        names = batch.schema.names
        frame = batch.to_pandas()
        frame.index = pd.RangeIndex(len(frame))
        for i, col in enumerate(batch.columns):
            # pandas would make an integer column with nulls float: keep it nullable integer.
            if pa.types.is_integer(col.type) and col.null_count:
                frame.isetitem(i, col.to_pandas(types_mapper=_nullable_integer).array)
        values = {c: batch.column(c).to_pylist() for c in ("id", v.text, v.date) if c and c in names}
        n = batch.num_rows
        yield Raw(frame, values, [None] * n, start)
        produced, start = True, start + n


def _stdin(name: str) -> Any:
    """Standard input as bytes (as text where it is a text-only stream, e.g. in tests)."""
    if sys.stdin is None:  # closed: `tonekit score - <&-`
        raise CorpusError([CorpusProblem(name, None, None, None, "cannot read: standard input is closed")])
    return getattr(sys.stdin, "buffer", None) or sys.stdin


def _raw_chunks(path: PathLike, fmt: str, chunksize: int | None, v: Validator) -> Iterator[Raw]:
    """The records of a corpus file (or stdin), chunk by chunk, not yet checked."""
    name = v.name
    if os.fspath(path) == STDIO:
        source = _stdin(name)
        binary = not isinstance(source, io.TextIOBase)
        if fmt == "csv":
            yield from _csv_chunks(_text_lines(source, name) if binary else source, name, v, chunksize)
        elif fmt == "jsonl":
            yield from _jsonl_chunks(source if binary else io.BytesIO(source.read().encode("utf-8")), name, v, chunksize)
        else:  # Parquet needs a seekable source
            data = source.read() if binary else source.read().encode("utf-8", "surrogateescape")
            yield from _parquet_chunks(io.BytesIO(data), name, v, chunksize)
        return
    if fmt == "parquet":
        if not os.path.exists(path):
            raise FileNotFoundError(f"no such corpus file: {os.fspath(path)!r}")
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe: Parquet needs a seekable source
            with open(path, "rb") as fb:
                yield from _parquet_chunks(io.BytesIO(fb.read()), name, v, chunksize)
        else:
            yield from _parquet_chunks(os.fspath(path), name, v, chunksize)
        return
    with open(path, "rb") as fb:
        if fmt == "csv":
            yield from _csv_chunks(_text_lines(fb, name), name, v, chunksize)
        else:
            yield from _jsonl_chunks(fb, name, v, chunksize)


def read_corpus(
    path: PathLike,
    *,
    format: str | None = None,
    errors: Errors = "raise",
    date: str | None = "date",
    engine: Literal["pandas", "dask"] = "pandas",
) -> pd.DataFrame:
    """Read a whole corpus file into a DataFrame and validate it.

    Required columns: ``id`` (unique, non-empty; integer ids become strings) and
    ``text`` (a string; ``""`` is valid). CSV cells are read as strings. The
    ``date`` column (if present; ``date=None`` to skip) is parsed from ISO dates
    into ``datetime64``; empty cells become NaT.

    ``errors="raise"``: raise :class:`CorpusError` listing every problem.
    ``errors="report"``: return every record as a row, in input order, with an
    ``error`` column (None, or the messages joined by ``"; "``, after the message
    the file's own ``error`` column gives the row, if any) and
    ``df.attrs["problems"]``. Unreadable files (no CSV header, broken quoting,
    not Parquet) raise :class:`CorpusError` in both modes.

    ``engine="dask"`` (with the ``tonekit[dask]`` extra) reads a glob, a directory or a
    list of files into a lazy Dask DataFrame, each file by this function on a worker
    (see :func:`tonekit.corpus.scale.read_files`); ids are unique within each file.

    >>> df = read_corpus("corpora/dprk_japan/statements.csv")   # doctest: +SKIP
    >>> df = read_corpus("-", format="jsonl", errors="report")  # doctest: +SKIP
    >>> ddf = read_corpus("archive/*.parquet", engine="dask")    # doctest: +SKIP
    """
    _check_errors(errors)
    if engine == "dask":
        from functools import partial

        from .scale import read_files

        return read_files(path, partial(iter_corpus, format=format, errors=errors, date=date))
    if engine != "pandas":
        raise ValueError(f"engine must be 'pandas' or 'dask', not {engine!r}")
    # Without a chunk size the whole file is one chunk, so raise mode lists every problem.
    (df,) = read_chunks(path, resolve_format(path, format), None, date, errors == "report")
    return df


def iter_corpus(
    path: PathLike,
    *,
    format: str | None = None,
    chunksize: int = 10_000,
    errors: Errors = "report",
    date: str | None = "date",
) -> Iterator[pd.DataFrame]:
    """Stream a corpus as DataFrames of at most ``chunksize`` rows.

    Validation is the same as :func:`read_corpus` (duplicate ids are detected
    across chunks); the index continues across chunks, so ``pd.concat`` of the
    chunks equals ``read_corpus(path, errors=...)``. ``errors="report"``
    (default) adds the ``error`` column and ``attrs["problems"]`` per chunk;
    ``errors="raise"`` raises :class:`CorpusError` at the first chunk with problems.

    >>> for chunk in iter_corpus("big.jsonl", chunksize=50_000):  # doctest: +SKIP
    ...     process(chunk[chunk["error"].isna()])
    """
    _check_errors(errors)
    if not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be a positive integer, not {chunksize!r}")
    return read_chunks(path, resolve_format(path, format), chunksize, date, errors == "report")


def read_chunks(
    path: PathLike,
    fmt: str,
    chunksize: int | None,
    date: str | None,
    report: bool,
    stale_errors: StaleErrors | None = None,
    string_dtype: Any = STRING_DTYPE,
    text: str = "text",
    need_text_key: bool = False,
) -> Iterator[pd.DataFrame]:
    """The checked chunks of a corpus file in format ``fmt`` (one of
    :data:`~tonekit.corpus.FORMATS`, see :func:`~tonekit.corpus.resolve_format`): what
    :func:`iter_corpus` yields, or the whole file as one chunk when ``chunksize`` is
    None. ``report`` is ``errors="report"``, else a :class:`CorpusError` is raised at the
    first chunk with problems.

    In report mode, the ``error`` column a file already has is kept and the new
    problems appended, unless ``stale_errors(columns)`` says it is a previous run's (the
    new problems then replace it). ``string_dtype`` is the dtype of the id and text
    columns; ``text`` names the required text column; with ``need_text_key``, JSON Lines
    whose first chunk has no record with that key lacks the column, as a CSV header would.

    >>> chunks = read_chunks("speeches.jsonl", "jsonl", 10_000, None, True, text="body")  # doctest: +SKIP
    """
    v = Validator(display_name(path), date, stale_errors, string_dtype, text, need_text_key)
    for raw in _raw_chunks(path, fmt, chunksize, v):
        frame, problems = v.check(raw, report)
        if problems and not report:
            raise CorpusError(problems)
        if report:
            frame.attrs["problems"] = problems
        yield frame
