"""Corpus files <-> pandas DataFrames, with validation and streaming.

A corpus holds one statement per record: a unique ``id``, the ``text`` and
optional metadata (:data:`CORPUS_COLUMNS`); any other column is kept as-is.
Supported formats are CSV (``.csv``), JSON Lines (``.jsonl``, ``.ndjson``) and
Parquet (``.parquet``, ``.pq``); ``"-"`` means stdin/stdout.

Every problem is reported with the file, the physical line (CSV, JSONL) or the
0-based row (Parquet) and the field, e.g.::

    statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)

Example
-------
>>> df = read_corpus("statements.csv")                      # doctest: +SKIP
>>> df = read_corpus("statements.jsonl", errors="report")   # doctest: +SKIP
>>> df[df["error"].notna()]                                 # doctest: +SKIP
>>> write_corpus(iter_corpus("big.jsonl"), "big.parquet")   # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import math
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import orjson
import pandas as pd

from .shared import PathLike, unpaired_surrogate

__all__ = [
    "CORPUS_COLUMNS",
    "REQUIRED_COLUMNS",
    "FORMATS",
    "CorpusProblem",
    "CorpusError",
    "CorpusWriter",
    "read_corpus",
    "iter_corpus",
    "write_corpus",
]

#: Documented optional columns (any other column is kept unchanged).
CORPUS_COLUMNS: tuple[str, ...] = (
    "date",
    "speaker",
    "speaker_role",
    "outlet",
    "addressee",
    "title",
    "source_url",
    "source_note",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "text")
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")

Errors = Literal["raise", "report"]
_Flag = Callable[[int, str, str], None]  # (position in chunk, field, message)
# Whether a file's own ``error`` column, given the file's columns, is a previous run's.
_StaleErrors = Callable[[list[str]], bool]

_STDIO = "-"
_STDIN_NAME = "<stdin>"
_EXTENSIONS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_ALIASES = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "parquet": "parquet", "pq": "parquet"}
# pandas >= 3 has a real string dtype; on pandas 2 strings live in object columns.
_STR_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
# Microseconds match what pd.to_datetime gives for strings on pandas 3.
_DATE_DTYPE = "datetime64[us]"
_ABSENT = object()  # the record has no such field (short CSV row, missing JSON key)
_READ_ALL = 1 << 62


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class CorpusProblem:
    """One problem in a corpus file.

    ``line`` is the 1-based physical line (CSV header = line 1), ``row`` the
    0-based record number (the DataFrame index); Parquet has rows only.

    >>> str(CorpusProblem("statements.jsonl", 2, 1, "text", "not valid JSON (Expecting ',' delimiter)"))
    "statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)"
    """

    file: str
    line: int | None
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


class CorpusError(ValueError):
    """Invalid corpus; ``.problems`` lists every :class:`CorpusProblem` found.

    >>> err = CorpusError([CorpusProblem("a.csv", 3, 1, "id", "empty id")])
    >>> print(err)
    1 problem in a.csv:
      a.csv, line 3, field 'id': empty id
    """

    def __init__(self, problems: Iterable[CorpusProblem]) -> None:
        self.problems: tuple[CorpusProblem, ...] = tuple(problems)
        files = ", ".join(dict.fromkeys(p.file for p in self.problems)) or "corpus"
        n = len(self.problems)
        head = f"{n} problem{'' if n == 1 else 's'} in {files}:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[Any, ...]:  # keep .problems through pickling (multiprocessing)
        return (type(self), (self.problems,))


# --------------------------------------------------------------------------- helpers


def _resolve_format(path: PathLike, format: str | None) -> str:
    if format is not None:
        fmt = _ALIASES.get(str(format).lower())
        if fmt is None:
            raise ValueError(f"unknown corpus format {format!r}; use one of {', '.join(FORMATS)}")
        return fmt
    name = os.fspath(path)
    if name == _STDIO:
        return "csv"
    fmt = _EXTENSIONS.get(Path(name).suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the format of {name!r} from its extension; "
            f"pass format= one of {', '.join(FORMATS)}"
        )
    return fmt


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def _kind(value: Any) -> str:
    """JSON-ish name of a value's type, for messages."""
    if isinstance(value, (bool, np.bool_)):
        return "a boolean"
    if isinstance(value, (int, float, np.number)):
        return "a number"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


_ISO_DATE = re.compile(
    r"\s*(?:(\d{4})-(\d{2})-(\d{2})|(\d{4})(\d{2})(\d{2}))"
    r"(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?\s*"
)


def _parse_date(value: Any) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, error message); missing values give (None, None).

    A time or UTC offset may follow the date; the calendar date as written is kept,
    because a statement is dated in its own time zone.
    """
    if _is_missing(value):
        return None, None
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date(), None
    if not isinstance(value, str):
        return None, f"date must be an ISO date string, not {_kind(value)}"
    if len(value) == 10:  # fast path for the usual YYYY-MM-DD
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            pass
    if not value.strip():
        return None, None
    m = _ISO_DATE.fullmatch(value)
    problem = "expected an ISO date such as 2019-11-30"
    if m:
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        hh, mm, ss = (int(x) if x else 0 for x in g[6:9])
        try:
            if hh > 23 or mm > 59 or ss > 60:
                raise ValueError("time out of range")
            return dt.date(int(y), int(mo), int(d)), None
        except ValueError as exc:
            problem = str(exc)
    return None, f"unparseable date {value!r} ({problem})"


def _json_error_field(line: str, pos: int) -> str | None:
    """Best guess of the key whose value holds a JSON syntax error."""
    keys = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', line[:pos])
    return keys[-1] if keys else None


# --------------------------------------------------------------------------- raw chunks


@dataclass
class _Raw:
    """Records as parsed, before validation."""

    frame: pd.DataFrame  # every column; id/text/date get replaced after validation
    values: dict[str, list[Any]]  # raw id/text/date cells (_ABSENT where lacking)
    lines: list[int | None]
    start: int  # 0-based record number of the first record
    pre: dict[int, list[CorpusProblem]] = field(default_factory=dict)  # parse problems
    broken: set[int] = field(default_factory=set)  # records that could not be parsed at all

    def where(self, i: int) -> int:
        """Where record ``i`` is: its line, or its row where the format has no lines."""
        line = self.lines[i]
        return line if line is not None else self.start + i


def _take(it: Iterator[Any], n: int | None) -> list[Any]:
    return list(itertools.islice(it, n if n is not None else _READ_ALL))


def _csv_records(fh: IO[str], name: str) -> Iterator[tuple[int, list[str]]]:
    """(starting physical line, fields) per record; blank lines skipped."""
    reader = csv.reader(fh, strict=True)
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
        except UnicodeDecodeError as exc:
            raise CorpusError(
                [CorpusProblem(name, prev + 1, None, None, f"not valid UTF-8 near this line ({exc.reason})")]
            ) from None
        start, prev = prev + 1, reader.line_num
        if record:
            yield start, record


# The largest field the csv module accepts (a C long: 2**31 - 1 on Windows).
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


@contextmanager
def _csv_fields_unlimited() -> Iterator[None]:
    """The csv module's field size limit (131,072 characters by default, process-wide)
    lifted while tonekit parses, then put back: a statement may be longer than that."""
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _csv_chunks(fh: IO[str], name: str, v: _Validator, chunksize: int | None) -> Iterator[_Raw]:
    records = _csv_records(fh, name)
    # Per chunk, not per record: between chunks (while the caller has control) the
    # process-wide limit is the caller's.
    with _csv_fields_unlimited():
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
        with _csv_fields_unlimited():
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
                cells[col].append(record[j] if j < len(record) else _ABSENT)
            lines.append(line)
        values = {c: cells[c] for c in ("id", v.text, v.date) if c in cells}
        # Validated columns are replaced later: a cheap placeholder keeps their position.
        frame = pd.DataFrame(
            {
                c: pd.Series([None] * len(xs), dtype=object)
                if c in values
                else pd.Series([None if x is _ABSENT else x for x in xs], dtype=_STR_DTYPE)
                for c, xs in cells.items()
            }
        )
        yield _Raw(frame, values, lines, start, pre)
        produced, start = True, start + len(batch)


_REREAD = frozenset({float, list, dict})


def _jsonl_records(fh: IO[bytes], name: str) -> Iterator[tuple[int, Any, CorpusProblem | None]]:
    """(line, record or None, problem) per non-blank line; a record with a problem is
    kept (and scored no further) where it is a JSON object."""
    for lineno, raw in enumerate(fh, 1):
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            rejected = True  # the standard library says what is wrong (or accepts it)
        else:
            # orjson reads integers beyond 64 bits as floats: a record with a float, or
            # with nested values, is read again by the standard library, which keeps them.
            if isinstance(record, dict) and _REREAD.isdisjoint(map(type, record.values())):
                yield lineno, record, None
                continue
            rejected = False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield lineno, None, CorpusProblem(name, lineno, None, None, f"not valid UTF-8 ({exc.reason})")
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            where = _json_error_field(text, exc.pos)
            yield lineno, None, CorpusProblem(name, lineno, None, where, f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield lineno, None, CorpusProblem(name, lineno, None, None, f"expected a JSON object, found {_kind(record)}")
            continue
        # Valid JSON, but an escape such as "\ud800" (which orjson rejects) is no Unicode
        # that UTF-8, and so a file or a pandas string column, can hold.
        unpaired = [key for key, value in record.items() if _has_unpaired_surrogate([key, value])] if rejected else []
        if unpaired:
            fields = ", ".join(map(_escape_unpaired, unpaired))
            message = "not valid Unicode: an unpaired surrogate, kept as the text of its \\u escape"
            yield lineno, _escape_unpaired(record), CorpusProblem(name, lineno, None, fields, message)
            continue
        yield lineno, record, None


def _has_unpaired_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escape_unpaired(value: Any) -> Any:
    """``value`` with unpaired surrogates written as ``\\udXXX`` text (strings in lists and
    objects too)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escape_unpaired(v) for v in value]
    if isinstance(value, dict):
        return {_escape_unpaired(k): _escape_unpaired(v) for k, v in value.items()}
    return value


def _jsonl_chunks(fh: IO[bytes], name: str, v: _Validator, chunksize: int | None) -> Iterator[_Raw]:
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
        values = {k: [d.pop(k, _ABSENT) for d in dicts] for k in ("id", v.text, v.date) if k}
        # (Stops at the first record with the key: the first, as a rule.)
        lacking_text = all(x is _ABSENT for x in values[v.text]) if not produced and v.need_text_key else False
        if lacking_text and len(broken) < len(dicts):  # records, not only broken lines
            v.missing.add(v.text)
            v.file_problem(None, v.text, f"missing required column {v.text!r} (no record of the first chunk has it)")
        others = [c for c in columns if c not in values]
        frame = pd.DataFrame.from_records(dicts, columns=others) if others else pd.DataFrame(index=range(len(dicts)))
        _exact_integers(frame, dicts)
        frame = frame.reindex(columns=columns)
        lines: list[int | None] = [line for line, _, _ in batch]
        yield _Raw(frame, values, lines, start, pre, broken)
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


def _parquet_chunks(source: Any, name: str, v: _Validator, chunksize: int | None) -> Iterator[_Raw]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise CorpusError([CorpusProblem(name, None, None, None, f"not a readable Parquet file ({exc})")]) from None
    v.require(pf.schema_arrow.names, None)
    batches: Iterable[Any]
    if chunksize is None:
        batches = [pf.read()]
    else:
        batches = pf.iter_batches(batch_size=chunksize)
    start, produced = 0, False
    for batch in itertools.chain(batches, [None]):
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
        yield _Raw(frame, values, [None] * n, start)
        produced, start = True, start + n


# --------------------------------------------------------------------------- validation


class _Validator:
    """Checks records chunk by chunk; remembers ids across chunks."""

    def __init__(
        self,
        name: str,
        date: str | None,
        stale_errors: _StaleErrors | None = None,
        string_dtype: Any = _STR_DTYPE,
        text: str = "text",
        need_text_key: bool = False,
    ) -> None:
        self.name = name
        self.date = date
        self.text = text  # the required text column (scoring may name another one)
        # JSON Lines has no header: with this, a first chunk whose records all lack the
        # text key is a file problem, as a CSV header without it is.
        self.need_text_key = need_text_key
        self.stale_errors = stale_errors
        self.string_dtype = string_dtype  # of the id and text columns
        self.seen: dict[str, int] = {}  # id -> line (row for Parquet) where first seen
        self.missing: set[str] = set()  # required columns absent from the header
        self.file_problems: list[CorpusProblem] = []
        self._reported = False

    def file_problem(self, line: int | None, col: str | None, message: str) -> None:
        self.file_problems.append(CorpusProblem(self.name, line, None, col, message))

    def require(self, columns: Iterable[str], header_line: int | None) -> None:
        present = set(columns)
        for col in ("id", self.text):
            if col not in present:
                self.missing.add(col)
                self.file_problem(header_line, col, f"missing required column {col!r}")

    def check(self, raw: _Raw, report: bool) -> tuple[pd.DataFrame, list[CorpusProblem]]:
        n = len(raw.lines)
        # Only rows with problems get an entry: most rows are fine.
        per_row: dict[int, list[CorpusProblem]] = {i: list(ps) for i, ps in raw.pre.items()}

        def flag(i: int, col: str, message: str) -> None:
            per_row.setdefault(i, []).append(CorpusProblem(self.name, raw.lines[i], raw.start + i, col, message))

        ids: list[str | None] = [None] * n
        texts: list[str | None] = [None] * n
        dates: list[dt.date | None] = [None] * n
        id_cells = None if "id" in self.missing else raw.values["id"]
        text_cells = None if self.text in self.missing else raw.values[self.text]
        date_cells = raw.values.get(self.date) if self.date and self.date in raw.frame.columns else None
        seen = self.seen
        for i in range(n):
            if raw.broken and i in raw.broken:
                continue
            if id_cells is not None:
                value = id_cells[i]
                # The common case first: a new, non-blank string id.
                if type(value) is str and value and not value.isspace() and value not in seen:
                    seen[value] = raw.where(i)
                    ids[i] = value
                else:
                    ids[i] = self._check_id(value, raw, i, flag)
            if text_cells is not None:
                value = text_cells[i]
                texts[i] = value if type(value) is str else self._check_text(value, i, flag, self.text)
            if date_cells is not None:
                cell = date_cells[i]
                dates[i], msg = _parse_date(None if cell is _ABSENT else cell)
                if msg:
                    flag(i, self.date, msg)

        frame = raw.frame
        index = pd.RangeIndex(raw.start, raw.start + n)
        frame.index = index
        for pos, col, vals in ((0, "id", ids), (1, self.text, texts)):
            series = pd.Series(vals, index=index, dtype=self.string_dtype)
            if col in frame.columns:
                frame[col] = series
            else:
                frame.insert(min(pos, frame.shape[1]), col, series)
        if self.date and self.date in frame.columns:
            days = np.array(dates, dtype="datetime64[D]").astype(_DATE_DTYPE)
            frame[self.date] = pd.Series(days, index=index)

        problems = [] if self._reported else list(self.file_problems)
        self._reported = True
        problems.extend(p for i in sorted(per_row) for p in per_row[i])
        if report:
            # Each row's error names its location, so a scored output row can be traced to the input.
            shared = [str(p) for p in self.file_problems]
            if shared or per_row:
                errors = ["; ".join(shared + [str(p) for p in per_row.get(i, ())]) or None for i in range(n)]
            else:
                errors = [None] * n
            if "error" in frame.columns and not (self.stale_errors and self.stale_errors(list(frame.columns))):
                errors = [_joined(before, now) for before, now in zip(frame["error"].tolist(), errors)]
            frame["error"] = pd.Series(errors, index=index, dtype=object)
        return frame, problems

    def _check_id(self, value: Any, raw: _Raw, i: int, flag: _Flag) -> str | None:
        if value is _ABSENT:
            flag(i, "id", "missing id")
            return None
        if _is_missing(value):
            flag(i, "id", "missing id (null)")
            return None
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            value = str(int(value))  # integer ids (JSON, Parquet) become strings
        if not isinstance(value, str):
            flag(i, "id", f"id must be a string or an integer, not {_kind(value)}")
            return None
        if not value.strip():
            flag(i, "id", "empty id")
            return None
        if value in self.seen:  # the later record is flagged; both are kept
            unit = "line" if raw.lines[i] is not None else "row"
            flag(i, "id", f"duplicate id {value!r} (first used on {unit} {self.seen[value]})")
        else:
            self.seen[value] = raw.where(i)
        return value

    @staticmethod
    def _check_text(value: Any, i: int, flag: _Flag, col: str = "text") -> str | None:
        if value is _ABSENT:
            flag(i, col, "missing text")
            return None
        if _is_missing(value):
            flag(i, col, "missing text (null)")
            return None
        if not isinstance(value, str):
            flag(i, col, f"text must be a string, not {_kind(value)}")
            return None
        return value  # "" is a valid (empty) statement


def _error_message(value: Any) -> str | None:
    """A cell of an ``error`` column as a message, or None: only a non-empty string is
    one (``false`` or ``0`` in a JSON ``error`` field says there was none)."""
    return value if isinstance(value, str) and value else None


def _joined(before: Any, now: str | None) -> str | None:
    """A row's error: the message the file already gave it, then the problems found now."""
    before = _error_message(before)
    if before is None:
        return now
    if now is None or now in before:
        return before
    return f"{before}; {now}"


# --------------------------------------------------------------------------- reading


def _display_name(path: PathLike) -> str:
    name = os.fspath(path)
    return _STDIN_NAME if name == _STDIO else name


def _raw_chunks(path: PathLike, fmt: str, chunksize: int | None, v: _Validator) -> Iterator[_Raw]:
    """The records of a corpus file (or stdin), chunk by chunk, not yet checked."""
    name = v.name
    stdin = os.fspath(path) == _STDIO
    if fmt == "csv":
        if stdin:
            buffer = getattr(sys.stdin, "buffer", None)
            fh: Any = sys.stdin if buffer is None else io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
            try:
                yield from _csv_chunks(fh, name, v, chunksize)
            finally:
                if buffer is not None:
                    fh.detach()  # leave sys.stdin usable
        else:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                yield from _csv_chunks(fh, name, v, chunksize)
    elif fmt == "jsonl":
        if stdin:
            buffer = getattr(sys.stdin, "buffer", None)
            src: Any = buffer if buffer is not None else io.BytesIO(sys.stdin.read().encode("utf-8"))
            yield from _jsonl_chunks(src, name, v, chunksize)
        else:
            with open(path, "rb") as fb:
                yield from _jsonl_chunks(fb, name, v, chunksize)
    else:
        # Parquet needs a seekable source: buffer stdin.
        source: Any = io.BytesIO(sys.stdin.buffer.read()) if stdin else os.fspath(path)
        if not stdin and not os.path.exists(source):
            raise FileNotFoundError(f"no such corpus file: {source!r}")
        yield from _parquet_chunks(source, name, v, chunksize)


def read_corpus(
    path: PathLike,
    *,
    format: str | None = None,
    errors: Errors = "raise",
    date: str | None = "date",
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

    >>> df = read_corpus("corpora/dprk_japan/statements.csv")   # doctest: +SKIP
    >>> df = read_corpus("-", format="jsonl", errors="report")  # doctest: +SKIP
    """
    _check_errors(errors)
    # Without a chunk size the whole file is one chunk, so raise mode lists every problem.
    (df,) = _frames(path, _resolve_format(path, format), None, date, errors == "report")
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
    return _frames(path, _resolve_format(path, format), chunksize, date, errors == "report")


def _frames(
    path: PathLike,
    fmt: str,
    chunksize: int | None,
    date: str | None,
    report: bool,
    stale_errors: _StaleErrors | None = None,
    string_dtype: Any = _STR_DTYPE,
    text: str = "text",
    need_text_key: bool = False,
) -> Iterator[pd.DataFrame]:
    """The checked chunks of :func:`iter_corpus` (the whole file as one when ``chunksize``
    is None). In report mode, the ``error`` column a file already has is kept and the new
    problems appended, unless ``stale_errors(columns)`` says it is a previous run's (the
    new problems then replace it). ``string_dtype`` is the dtype of the id and text
    columns; ``text`` names the required text column; with ``need_text_key``, JSON Lines
    whose first chunk has no record with that key lacks the column, as a CSV header would."""
    v = _Validator(_display_name(path), date, stale_errors, string_dtype, text, need_text_key)
    for raw in _raw_chunks(path, fmt, chunksize, v):
        frame, problems = v.check(raw, report)
        if problems and not report:
            raise CorpusError(problems)
        if report:
            frame.attrs["problems"] = problems
        yield frame


# --------------------------------------------------------------------------- writing


def _iso(value: dt.date) -> str:
    # Midnight timestamps are dates: write them as dates so they read back as dates.
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    return value.isoformat()


def _json_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(x) for x in value]
    if isinstance(value, dict):
        return {str(k): _json_value(x) for k, x in value.items()}
    if _is_missing(value):
        return None
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.datetime64):
        return _iso(pd.Timestamp(value))
    if isinstance(value, dt.date):
        return _iso(value)
    return str(value)


def _plain_values(s: pd.Series) -> list[Any]:
    """A column as a list of JSON values (dates as ISO text, missing and non-finite
    numbers as None), converted for the whole column: the per-cell work stays small."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [None if _is_missing(v) else _iso(v) for v in s.astype(object)]
    if pd.api.types.is_float_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        values = s.to_numpy()
        finite = np.isfinite(values)
        column = values.tolist()
        if not finite.all():
            for i in np.flatnonzero(~finite).tolist():
                column[i] = None
        return column
    if s.dtype.kind in "iub" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        return s.tolist()
    if s.dtype.kind in "iub":  # nullable integers and booleans: Python values or NA
        return [None if v is pd.NA else v for v in s.tolist()]
    # strings, objects, categoricals, other nullable numbers
    return [v if type(v) is str or v is None else _json_value(v) for v in s.tolist()]


# Rows encoded at a time: a block's text values are held as separate strings at once.
_WRITE_BLOCK = 5_000


def _jsonl_bytes(df: pd.DataFrame) -> bytes:
    """The rows of ``df`` as JSON Lines in UTF-8: one JSON object per row, each ending
    in "\n".

    Each column is encoded on its own as its rows' ``"key":value`` members, then the
    members of all rows are joined in one go: far less than building a dict and calling
    the encoder per row, which made writing the main cost after scoring. The standard
    library encodes the values orjson refuses (integers beyond 64 bits; unpaired
    surrogates, which it writes as ``\\ud800`` escapes, as UTF-8 needs), so the output
    does not depend on it.
    """
    if df.shape[1] == 0:
        return b"{}\n" * len(df)
    keys = [(b"{" if i == 0 else b",") + _json_bytes(str(c)) + b":" for i, c in enumerate(df.columns)]
    return b"".join(_rows_of_cells(df, _json_column, keys, b"null", b"}\n"))


def _rows_of_cells(
    df: pd.DataFrame, encode: Callable[[pd.Series], list[Any]], prefixes: list[Any], missing: Any, end: Any
) -> list[Any]:
    """The pieces of ``df``'s records in order: per row, each column's prefix and
    encoded value, then ``end``. Joined, they are the records.

    Laid out by strided slice assignment (a loop in C, where zipping the columns would
    be one in Python). A column of numbers holds few distinct values (most scores of
    most texts are 0.0): each is encoded and joined to its prefix once, and the rows
    share the result.
    """
    stride = df.shape[1] + 1
    pieces = [end] * (len(df) * stride)
    for i, ((_, s), prefix) in enumerate(zip(df.items(), prefixes)):
        factorized = _factorized(s)
        if factorized is None:
            pieces[i::stride] = [prefix + text for text in encode(s)]
        else:
            codes, distinct = factorized
            cells = [prefix + text for text in encode(distinct)] + [prefix + missing]  # the last for code -1
            pieces[i::stride] = np.array(cells, dtype=object)[codes].tolist()
    return pieces


def _factorized(s: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """``(codes, distinct values)`` of a column of numbers or booleans (a missing value
    has code -1), None for other columns."""
    if s.dtype.kind in "iub":
        codes, uniques = pd.factorize(s.array)
        return codes, pd.Series(uniques)
    if s.dtype.kind == "f" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        # By their bits: 0.0 and -0.0 are equal, but written differently.
        values = np.ascontiguousarray(s.to_numpy())
        codes, bits = pd.factorize(values.view(f"i{values.itemsize}"))
        return codes, pd.Series(bits.view(values.dtype))
    return None


def _json_column(s: pd.Series) -> list[bytes]:
    """The JSON text of each value of ``s`` (the values of :func:`_plain_values`)."""
    if s.dtype == np.float64:  # the scores: orjson writes NaN and infinities as null
        numbers = np.ascontiguousarray(s.to_numpy())
        return orjson.dumps(numbers, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].split(b",")
    values = _plain_values(s)
    if s.dtype.kind in "iufb":  # numbers, booleans and None only
        try:
            return orjson.dumps(values)[1:-1].split(b",")
        except TypeError:
            pass
    try:
        return list(map(orjson.dumps, values))
    except TypeError:
        return [_json_bytes(v) for v in values]


def _json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()


def _csv_lines(df: pd.DataFrame) -> str:
    """The rows of ``df`` as CSV records ending in "\n" (quoted as :func:`_csv_line`
    quotes), with the values of :func:`_csv_text`."""
    if df.shape[1] == 0:
        return ""
    prefixes = [""] + [","] * (df.shape[1] - 1)
    pieces = _rows_of_cells(df, _csv_column, prefixes, "", "\n")
    if df.shape[1] == 1:  # a lone empty cell must not look like a blank line
        pieces = [p or '""' for p in pieces]
    return "".join(pieces)


def _csv_column(s: pd.Series) -> list[str]:
    return [_csv_quoted(_csv_text(v)) for v in _plain_values(s)]


def _csv_text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if type(value) in (int, float):
        return str(value)
    return _csv_cell(value)


def _csv_cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_quoted(cell: str) -> str:
    # By hand: the csv module (before Python 3.12) leaves a lone "\r" unquoted when the
    # line terminator is "\n", which breaks the record on reading.
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell


def _csv_line(cells: list[str]) -> str:
    """One CSV record ending in "\n"."""
    return (",".join(map(_csv_quoted, cells)) or '""') + "\n"  # a lone empty cell must not look like a blank line


def _plain_kind(series: pd.Series) -> type | None:
    """``bool`` for an object column of booleans, ``int`` for one of integers, ``float``
    for one of integers mixed with fractions, with nulls (None or NaN) or not; None for
    any other object column.

    JSON Lines chunks give such columns (pandas makes booleans with a gap ``object``),
    and so does concatenating chunks: they get the type a column without the gaps
    would, so that a Parquet column's type does not depend on where a null falls.
    """
    if not len(series) or isinstance(series.iloc[0], str):  # text: no need to look further
        return None
    kinds = {type(x) for x in series if not _is_missing(x)}
    if kinds and kinds <= {bool, np.bool_}:
        return bool
    if kinds == {int}:
        return int
    return float if kinds == {int, float} else None


def _arrow_array(series: pd.Series) -> Any:
    """Arrow array with a type that does not depend on the chunk's contents."""
    import pyarrow as pa

    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        tz = getattr(series.dtype, "tz", None)
        return pa.array(series.dt.as_unit("us"), type=pa.timestamp("us", tz=None if tz is None else str(tz)))
    kind = _plain_kind(series) if series.dtype == object else None
    if kind is not None:
        values = [None if _is_missing(x) else kind(x) for x in series]
        try:
            return pa.array(values, type=pa.from_numpy_dtype(np.dtype(kind)))
        except OverflowError:  # integers beyond 64 bits: kept exactly, as text
            pass
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        # Strings stay strings; anything else in an object column becomes its JSON text.
        vals = [None if _is_missing(x) else (x if isinstance(x, str) else _csv_cell(x)) for x in series]
        return pa.array(vals, type=pa.string())
    arr = pa.array(series, from_pandas=True)
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.string())
    return arr


def _unencodable(df: pd.DataFrame) -> str | None:
    """Where ``df`` holds text that UTF-8 cannot encode (which only an object column can
    hold), said for the user; None if nowhere."""
    for name in df.columns:
        series = df[name]
        if series.dtype != object:
            continue
        for label, value in series.items():
            where = unpaired_surrogate(value) if isinstance(value, str) else None
            if where is not None:
                return (
                    f"row with index {label!r}, column {name!r}: not valid Unicode ({where}); "
                    "JSON Lines keeps it as an escape, CSV and Parquet cannot"
                )
    return None


def _merged_columns(known: list[str], columns: list[str]) -> list[str]:
    """``known`` with the ``columns`` it lacks, each inserted before the first known
    column that follows it in ``columns`` (at the end where none does).

    >>> _merged_columns(["id", "text", "hostility", "error"], ["id", "text", "note", "hostility", "error"])
    ['id', 'text', 'note', 'hostility', 'error']
    """
    merged = list(known)
    present = set(known)
    for i, col in enumerate(columns):
        if col in present:
            continue
        following = next((c for c in columns[i + 1 :] if c in present), None)
        merged.insert(len(merged) if following is None else merged.index(following), col)
    return merged


def _lines_between(source: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The lines of ``source`` from byte ``start`` to byte ``end`` (both at the start of
    a line), read as they are needed."""
    source.seek(start)
    while start < end and (line := source.readline()):
        start += len(line)
        yield line


def _widen_csv(lines: Iterable[bytes], target: IO[bytes], old: list[str], columns: list[str]) -> None:
    """Write the CSV records in ``lines`` (columns ``old``, no header) to ``target`` with
    the columns ``columns``: an empty cell in those ``old`` lacks, the others quoted as
    the writer quotes them (so the result equals writing all at once)."""
    where = {c: j for j, c in enumerate(old)}
    picks = [where.get(c) for c in columns]
    with _csv_fields_unlimited():
        for record in csv.reader(codecs.iterdecode(lines, "utf-8"), strict=True):
            target.write(_csv_line(["" if j is None else record[j] for j in picks]).encode("utf-8"))


def _widen_jsonl(lines: Iterable[bytes], target: IO[bytes], old: list[str], columns: list[str]) -> None:
    """Write the JSON Lines records in ``lines`` (written with the members ``old``, in
    that order) to ``target`` with the members ``columns``: ``null`` in the added ones,
    the others as written (byte for byte, so the result equals writing all at once)."""
    scan = json.JSONDecoder().raw_decode
    where = {c: j for j, c in enumerate(old)}
    added = {c: _json_bytes(c) + b":null" for c in columns if c not in where}
    for raw in lines:
        line = raw.decode("utf-8")
        members: list[bytes] = []
        pos = 1  # after "{"; the writer puts no spaces between tokens
        while line[pos] != "}":
            _, end = scan(line, pos)  # the key
            _, end = scan(line, end + 1)  # its value, after ":"
            members.append(line[pos:end].encode("utf-8"))
            pos = end + 1 if line[end] == "," else end
        target.write(b"{" + b",".join(added[c] if c in added else members[where[c]] for c in columns) + b"}\n")


def _copy_to_stdout(spool: IO[bytes]) -> None:
    """Copy the spooled output to standard output as UTF-8 bytes, whatever the console
    encoding (stdin is read as UTF-8 too)."""
    spool.seek(0)
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (e.g. io.StringIO): decoded
        decoder = codecs.getincrementaldecoder("utf-8")()
        while block := spool.read(1 << 20):
            sys.stdout.write(decoder.decode(block))
        sys.stdout.write(decoder.decode(b"", final=True))
    else:
        shutil.copyfileobj(spool, out, 1 << 20)
        out.flush()
    sys.stdout.flush()


class CorpusWriter:
    """Write a corpus chunk by chunk, atomically.

    Output goes to a hidden temporary file next to the destination, which is
    moved into place with :func:`os.replace` only when the writer is closed
    without error. An exception, Ctrl-C or a killed process therefore never
    leaves a partial file at the destination (a killed process may leave the
    hidden ``.name.*.tmp`` file behind). ``"-"`` writes CSV/JSONL to stdout, in
    UTF-8, all at once on close (spooled in an anonymous temporary file meanwhile).

    The output does not depend on how the rows were split into chunks. The first
    chunk gives the columns; a later chunk may have them in any order, lack some (null
    in its rows) or add some: an added column is inserted before the first known
    column that follows it in that chunk, and the rows already written get nulls in
    it (CSV and JSON Lines: in one copy of the temporary file on close, however many
    columns came; Parquet: when the column comes). A Parquet column takes the type
    that holds all its values, as one chunk of all the rows would have given it (an
    integer column that meets fractions becomes double); where no type holds them
    without loss (text, then numbers), :meth:`write` raises a ValueError. The index
    is not written. Datetimes are written as ISO dates (``2019-11-30``) when they fall
    on midnight, else as ISO datetimes; NaN/NaT/None become empty CSV cells, JSON
    ``null`` or Parquet nulls.

    >>> with CorpusWriter("out.parquet") as w:             # doctest: +SKIP
    ...     for chunk in iter_corpus("in.jsonl"):
    ...         w.write(chunk)
    """

    def __init__(self, path: PathLike, *, format: str | None = None) -> None:
        self.format = _resolve_format(path, format)
        self.path = os.fspath(path)
        self.stdout = self.path == _STDIO
        if self.stdout and self.format == "parquet":
            raise ValueError("Parquet cannot be written to stdout; give a file name")
        self.rows = 0
        self.closed = False
        self._tmp: str | None = None
        self._fh: Any = None
        self._columns: list[str] | None = None
        # CSV, JSON Lines: (byte offset, columns) of each run of rows written with the same columns.
        self._segments: list[tuple[int, list[str]]] = []
        self._parquet: Any = None
        self._schema: Any = None
        self._provisional: set[str] = set()  # Parquet columns with only nulls so far
        self._int_bounds: dict[str, tuple[int, int]] = {}  # of the Parquet integer columns
        self._chunk = 0

    # -- lifecycle
    def __enter__(self) -> CorpusWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:  # never leave temp files from a forgotten writer
        try:
            if not self.closed:
                self.abort()
        except Exception:
            pass

    def _open(self) -> None:
        if self._fh is None:
            self._tmp, self._fh = self._new_file()

    def _new_file(self) -> tuple[str | None, Any]:
        """A new hidden temporary file: its path (None for stdout's) and its handle, text
        in UTF-8 for CSV, binary otherwise.

        Standard output is spooled to an anonymous temporary file and copied out on
        close: a column that first appears in a later chunk can then still be added to
        the rows before (see :meth:`_widen_segments`), and a failed run writes nothing.
        """
        if self.stdout:
            tmp, binary = None, tempfile.TemporaryFile("w+b")
        else:
            dest = Path(self.path)
            while True:
                path = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
                try:
                    # 0o666 so the umask applies as for any new file (mkstemp would force 0o600).
                    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                    fd = os.open(path, flags, 0o666)
                    break
                except FileExistsError:
                    continue
            tmp, binary = str(path), os.fdopen(fd, "w+b")
        if self.format == "csv":
            return tmp, io.TextIOWrapper(binary, encoding="utf-8", newline="")
        return tmp, binary

    def _binary(self) -> IO[bytes]:
        """The temporary file's bytes (under the text layer of CSV)."""
        return self._fh.buffer if self.format == "csv" else self._fh

    def write(self, df: pd.DataFrame) -> None:
        """Append the rows of ``df``."""
        if self.closed:
            raise ValueError(f"writer for {self.path!r} is closed")
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
        self._chunk += 1
        df = self._align(df)
        self._open()
        try:
            if self.format == "parquet":
                self._write_parquet(df)
            else:
                self._mark_segment()
                encode = _csv_lines if self.format == "csv" else _jsonl_bytes
                for start in range(0, len(df), _WRITE_BLOCK):
                    self._fh.write(encode(df.iloc[start : start + _WRITE_BLOCK]))
        except UnicodeEncodeError as exc:
            raise ValueError(f"{self.path}: {_unencodable(df) or exc}") from None
        self.rows += len(df)

    def _align(self, df: pd.DataFrame) -> pd.DataFrame:
        columns = [str(c) for c in df.columns]
        if len(set(columns)) != len(columns):
            raise ValueError(f"chunk {self._chunk} has duplicate column names: {columns}")
        df = df.set_axis(columns, axis=1)
        if self._columns is None:
            self._columns = columns
            return df
        if columns == self._columns:  # the common case
            return df
        if not set(columns) <= set(self._columns):
            self._columns = _merged_columns(self._columns, columns)
        # A column earlier chunks had and this one lacks is null in its rows.
        return df.reindex(columns=self._columns)

    def _mark_segment(self) -> None:
        """Note where the CSV or JSON Lines rows written with the present columns start
        (after the CSV header, written with the first chunk's columns).

        Rows are written with the columns known when they come; :meth:`_widen_segments`
        gives them all the final columns on close. Rewriting the file whenever a column
        came would copy it once per new column: quadratic, where a JSON Lines corpus
        brings a new key every chunk.
        """
        columns = self._columns or []
        if self._segments and self._segments[-1][1] == columns:
            return
        if not self._segments and self.format == "csv":
            self._fh.write(_csv_line(columns))
        self._fh.flush()
        self._segments.append((self._binary().tell(), columns))

    def _widen_segments(self) -> None:
        """Give the rows of every segment (see :meth:`_mark_segment`) the final columns,
        null in the ones they lack, in one copy of the temporary file; nothing to do
        when the columns never changed.

        Rows are copied as written, line by line (memory stays bounded), with empty
        cells or ``null`` members added: the file equals one written in one chunk.
        """
        columns = self._columns or []
        if all(old == columns for _, old in self._segments):
            return
        self._fh.flush()
        source = self._binary()
        ends = [offset for offset, _ in self._segments[1:]] + [source.seek(0, os.SEEK_END)]
        widen = _widen_csv if self.format == "csv" else _widen_jsonl

        def copy(fh: Any) -> None:
            target = fh.buffer if self.format == "csv" else fh
            if self.format == "csv":
                target.write(_csv_line(columns).encode("utf-8"))
            for (start, old), end in zip(self._segments, ends):
                lines = _lines_between(source, start, end)
                if old == columns:
                    target.writelines(lines)
                else:
                    widen(lines, target, old, columns)

        self._rewrite(copy)

    def _rewrite(self, fill: Callable[[Any], Any]) -> Any:
        """Continue in a new temporary file written by ``fill(fh)`` (its result is
        returned); the previous file is removed, or the new one if ``fill`` fails."""
        tmp, fh = self._new_file()
        try:
            result = fill(fh)
        except BaseException:
            fh.close()
            if tmp is not None:
                os.unlink(tmp)
            raise
        self._fh.close()
        if self._tmp is not None:
            os.unlink(self._tmp)
        self._tmp, self._fh = tmp, fh
        return result

    def _write_parquet(self, df: pd.DataFrame) -> None:
        """Append ``df`` as a row group; the first chunk gives the schema, which later
        ones may widen (see :meth:`_widen_schema`)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        columns = self._columns or []
        arrays = [_arrow_array(df.iloc[:, i]) for i in range(len(columns))]
        if self._parquet is None:
            self._schema = pa.schema([pa.field(col, arr.type) for col, arr in zip(columns, arrays)])
            self._provisional = {col for col, arr in zip(columns, arrays) if arr.null_count == len(arr)}
            self._parquet = pq.ParquetWriter(self._fh, self._schema)
        else:
            self._widen_schema(columns, arrays)
        for i, (col, arr) in enumerate(zip(columns, arrays)):
            want = self._schema.field(col).type
            if arr.type != want:  # a lossless cast (see _widen_schema), or a column of nulls
                arrays[i] = pa.nulls(len(arr), want) if arr.null_count == len(arr) else arr.cast(want)
        self._parquet.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        # Whether a float type holds the integers written so far (see _common_type).
        for col, arr in zip(columns, arrays):
            if pa.types.is_integer(arr.type) and arr.null_count < len(arr):
                extremes = pc.min_max(arr)
                low, high = extremes["min"].as_py(), extremes["max"].as_py()
                before = self._int_bounds.get(col, (low, high))
                self._int_bounds[col] = (min(before[0], low), max(before[1], high))

    def _widen_schema(self, columns: list[str], arrays: list[Any]) -> None:
        """Make the Parquet schema hold this chunk's ``arrays`` (one per column): where
        it must change, the row groups written so far are written again, once.

        A column it brings is added (null in the rows before); a column with only
        nulls so far got a stand-in type, and takes that of its first values; a column
        whose values need a wider type gets it (:meth:`_common_type`), and its values
        so far are cast. The types then do not depend on the chunk size. Raises a
        ValueError, before anything changes, where no type holds both without loss.
        """
        import pyarrow as pa

        types: dict[str, Any] = {}
        provisional = set(self._provisional)
        for col, arr in zip(columns, arrays):
            empty = arr.null_count == len(arr)
            if col not in self._schema.names:
                types[col] = arr.type
                if empty:
                    provisional.add(col)
                continue
            have = self._schema.field(col).type
            if arr.type == have or empty:
                continue
            if col in provisional:
                provisional.discard(col)
                types[col] = arr.type
            elif (wider := self._common_type(col, have, arr)) != have:
                types[col] = wider
        if types:
            self._rewrite_parquet(
                pa.schema([pa.field(c, types[c] if c in types else self._schema.field(c).type) for c in columns])
            )
        self._provisional = provisional

    def _common_type(self, col: str, have: Any, arr: Any) -> Any:
        """The type of column ``col`` that holds both its values so far (of type
        ``have``) and those of ``arr``, exactly: for numbers, the type pandas gives a
        column of both (int64 and double make double), if every value survives the
        cast; anything else has none (text and numbers, booleans and numbers), a
        ValueError naming the column, the chunk and both types."""
        import pyarrow as pa

        def numeric(t: Any) -> bool:
            return pa.types.is_integer(t) or pa.types.is_floating(t)

        clash = f"column {col!r} of chunk {self._chunk} is {arr.type}, but {have} in the chunks before"
        if not (numeric(have) and numeric(arr.type)):
            raise ValueError(
                f"{clash}, and no Parquet type holds both without loss (CSV and JSON Lines keep each value as it is)"
            )
        wider = pa.from_numpy_dtype(np.promote_types(have.to_pandas_dtype(), arr.type.to_pandas_dtype()))
        try:
            arr.cast(wider)
            if pa.types.is_integer(have) and col in self._int_bounds:  # the values so far
                pa.array(list(self._int_bounds[col]), have).cast(wider)
        except pa.ArrowInvalid as exc:
            raise ValueError(f"{clash}, and {wider} cannot hold them all exactly ({exc})") from None
        return wider

    def _rewrite_parquet(self, schema: Any) -> None:
        """Write the Parquet file again with ``schema``: a column it adds is null in the
        rows written, one whose type it changes is cast (see :meth:`_widen_schema`)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        old = self._schema
        self._parquet.close()
        self._parquet = None
        self._fh.flush()
        self._fh.seek(0)
        source = pq.ParquetFile(self._fh)

        def column(group: Any, f: Any) -> Any:
            if f.name not in old.names:
                return pa.nulls(group.num_rows, f.type)
            values = group.column(f.name)
            if values.type == f.type:
                return values
            # A column of nulls has a stand-in type, which not every type casts from.
            return pa.nulls(len(values), f.type) if values.null_count == len(values) else values.cast(f.type)

        def copy(fh: Any) -> Any:
            writer = pq.ParquetWriter(fh, schema)
            for i in range(source.num_row_groups):
                group = source.read_row_group(i)
                writer.write_table(pa.Table.from_arrays([column(group, f) for f in schema], schema=schema))
            return writer

        self._parquet, self._schema = self._rewrite(copy), schema

    def close(self) -> None:
        """Finish the file and move it into place (idempotent)."""
        if self.closed:
            return
        if self._columns is None:  # nothing written: still produce a valid, empty corpus
            self.write(pd.DataFrame({"id": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)}))
        self.closed = True
        try:
            if self.format != "parquet":
                self._widen_segments()
            elif self._parquet is not None:
                self._parquet.close()
            self._fh.flush()
            if self.stdout:
                _copy_to_stdout(self._binary())
                self._fh.close()
            else:
                os.fsync(self._fh.fileno())
                self._fh.close()
                os.replace(self._tmp, self.path)  # atomic: the destination is all or nothing
                self._tmp = None
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Discard everything written; the destination is left untouched."""
        self.closed = True
        for closer in (self._parquet, self._fh):
            try:
                if closer is not None:
                    closer.close()
            except Exception:
                pass
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None


def write_corpus(
    data: pd.DataFrame | Iterable[pd.DataFrame],
    path: PathLike,
    *,
    format: str | None = None,
) -> int:
    """Write a DataFrame, or an iterable of DataFrames, to a corpus file atomically.

    The format comes from the extension (or ``format=``); ``"-"`` is stdout
    (CSV/JSONL). Returns the number of rows written. See :class:`CorpusWriter`.

    >>> write_corpus(df, "statements.jsonl")                          # doctest: +SKIP
    >>> write_corpus(iter_corpus("in.csv"), "out.parquet")            # doctest: +SKIP
    """
    frames = [data] if isinstance(data, pd.DataFrame) else data
    with CorpusWriter(path, format=format) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.rows
