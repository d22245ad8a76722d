"""Validation of corpus records: required columns, ids, texts and dates.

A reader hands over each chunk of records as parsed (a :class:`Raw`); a
:class:`Validator` checks it, remembering the ids of the chunks before, and builds
the ``id``, ``text`` and ``date`` columns and, in report mode, the ``error`` column.
The value helpers here are what other parts of tonekit use to judge a cell.

>>> parse_date("2019-11-30T09:00+09:00")
(datetime.date(2019, 11, 30), None)
>>> parse_date("30/11/2019")[1]
"unparseable date '30/11/2019' (expected an ISO date such as 2019-11-30)"
>>> is_missing(float("nan")), value_kind([1]), error_message(False)
(True, 'an array', None)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import CorpusProblem

__all__ = [
    "CORPUS_COLUMNS",
    "REQUIRED_COLUMNS",
    "STRING_DTYPE",
    "ABSENT",
    "StaleErrors",
    "is_missing",
    "value_kind",
    "parse_date",
    "error_message",
    "cell_text",
    "Raw",
    "Validator",
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

#: The dtype of the ``id`` and ``text`` columns read: pandas >= 3 has a real string
#: dtype; on pandas 2 strings live in object columns.
STRING_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
# Microseconds match what pd.to_datetime gives for strings on pandas 3.
_DATE_DTYPE = "datetime64[us]"
#: A record's cell where it has no such field (a short CSV row, a missing JSON key).
ABSENT: Any = object()

#: Whether a file's own ``error`` column, given the file's columns, is a previous run's.
StaleErrors = Callable[[list[str]], bool]
_Flag = Callable[[int, str, str], None]  # (position in chunk, field, message)


def is_missing(value: Any) -> bool:
    """Whether a cell holds no value: None, NA, NaT or NaN.

    >>> is_missing(None), is_missing(""), is_missing(pd.NaT)
    (True, False, True)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def value_kind(value: Any) -> str:
    """JSON-ish name of a value's type, for messages.

    >>> value_kind(3), value_kind({"a": 1}), value_kind(True)
    ('a number', 'an object', 'a boolean')
    """
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


def parse_date(value: Any) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, error message); missing values give (None, None).

    A time or UTC offset may follow the date; the calendar date as written is kept,
    because a statement is dated in its own time zone.

    >>> parse_date("20191130"), parse_date("")
    ((datetime.date(2019, 11, 30), None), (None, None))
    """
    if is_missing(value):
        return None, None
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date(), None
    if not isinstance(value, str):
        return None, f"date must be an ISO date string, not {value_kind(value)}"
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


def cell_text(value: Any) -> str:
    """A value as text where a column of text must hold it: its JSON text, where an
    integral number has no fraction (``1.0`` -> ``1``: the text then depends on the
    number alone, not on whether a column of it was made floating point), ``Infinity``
    for an infinite number, ``str()`` where JSON has no text (bytes).

    >>> cell_text(True), cell_text(2.0), cell_text(0.5), cell_text(["Japan", 1])
    ('true', '2', '0.5', '["Japan", 1]')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # bytes, and what else JSON has no text for
        return str(value)


def error_message(value: Any) -> str | None:
    """A cell of an ``error`` column as a message, or None: only a non-empty string is
    one (``false`` or ``0`` in a JSON ``error`` field says there was none).

    >>> error_message("missing id"), error_message(0), error_message("")
    ('missing id', None, None)
    """
    return value if isinstance(value, str) and value else None


def _joined(before: Any, now: str | None) -> str | None:
    """A row's error: the message the file already gave it, then the problems found now."""
    before = error_message(before)
    if before is None:
        return now
    if now is None or now in before:
        return before
    return f"{before}; {now}"


@dataclass
class Raw:
    """Records as parsed, before validation."""

    frame: pd.DataFrame  # every column; id/text/date get replaced after validation
    values: dict[str, list[Any]]  # raw id/text/date cells (ABSENT where lacking)
    lines: list[int | None]
    start: int  # 0-based record number of the first record
    pre: dict[int, list[CorpusProblem]] = field(default_factory=dict)  # parse problems
    broken: set[int] = field(default_factory=set)  # records that could not be parsed at all

    def where(self, i: int) -> int:
        """Where record ``i`` is: its line, or its row where the format has no lines."""
        line = self.lines[i]
        return line if line is not None else self.start + i


class Validator:
    """Checks records chunk by chunk; remembers ids across chunks."""

    def __init__(
        self,
        name: str,
        date: str | None,
        stale_errors: StaleErrors | None = None,
        string_dtype: Any = STRING_DTYPE,
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

    def check(self, raw: Raw, report: bool) -> tuple[pd.DataFrame, list[CorpusProblem]]:
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
                    if ids[i] is None:
                        ids[i] = self._kept(value)
            if text_cells is not None:
                value = text_cells[i]
                texts[i] = value if type(value) is str else self._check_text(value, i, flag, self.text)
                if texts[i] is None:
                    texts[i] = self._kept(value)
            if date_cells is not None:
                cell = date_cells[i]
                dates[i], msg = parse_date(None if cell is ABSENT else cell)
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

    def _kept(self, value: Any) -> Any:
        """A failed id or text cell as its column can hold it, so that it is written back
        as it was: itself in an object column, else its JSON text; None where missing."""
        if value is ABSENT or is_missing(value):
            return None
        return value if self.string_dtype is object else cell_text(value)

    def _check_id(self, value: Any, raw: Raw, i: int, flag: _Flag) -> str | None:
        if value is ABSENT:
            flag(i, "id", "missing id")
            return None
        if is_missing(value):
            flag(i, "id", "missing id (null)")
            return None
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            value = str(int(value))  # integer ids (JSON, Parquet) become strings
        if not isinstance(value, str):
            flag(i, "id", f"id must be a string or an integer, not {value_kind(value)}")
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
        if value is ABSENT:
            flag(i, col, "missing text")
            return None
        if is_missing(value):
            flag(i, col, "missing text (null)")
            return None
        if not isinstance(value, str):
            flag(i, col, f"text must be a string, not {value_kind(value)}")
            return None
        return value  # "" is a valid (empty) statement
