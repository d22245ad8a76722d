"""Tenure tables (who held office when) and era assignment for dated statements.

Rule: a tenure covers ``start <= date < end`` (``end`` None = still in office).
On a hand-over day the statement belongs to the *incoming* office-holder, the
one appointed that day. Dates before the first tenure, after the last one or
in a gap between tenures get era NA and are counted in a ``UserWarning`` (rows
are never dropped), unless ``outside="raise"`` or ``outside="<label>"``.
Missing dates get era NA silently.

The bundled table :func:`japan_prime_ministers` starts with Koizumi
(2001-04-26); each start date is the day the prime minister was appointed.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"date": ["2019-11-30", "2020-09-16"]})
>>> df.pipe(assign_era)["era"].tolist()
['Abe', 'Suga']
>>> japan_prime_ministers().era_of("2024-03-26")
'Kishida'
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import IO, Any

import numpy as np
import pandas as pd

from .shared import PathLike
from .corpus import parse_date

__all__ = ["Tenure", "TenureTable", "TenureError", "japan_prime_ministers", "assign_era"]

_TENURE_COLUMNS = ("label", "person", "start", "end", "note")
_REQUIRED = ("label", "start", "end")


class TenureError(ValueError):
    """Invalid tenure table; the message lists every problem with file, line and field."""


def _as_date(value: Any) -> dt.date | None:
    """A calendar date from a date, datetime, Timestamp, numpy datetime or ISO string."""
    day, problem = parse_date(value)
    if problem:
        raise ValueError(problem)
    return day


@dataclass(frozen=True)
class Tenure:
    """One term of office covering ``start <= date < end`` (``end`` None = ongoing).

    >>> t = Tenure("Suga", dt.date(2020, 9, 16), dt.date(2021, 10, 4), "Yoshihide Suga")
    >>> t.covers(dt.date(2021, 10, 4))   # hand-over day belongs to the successor
    False
    """

    label: str
    start: dt.date
    end: dt.date | None
    person: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(f"tenure label must be a non-empty string, not {self.label!r}")
        # Normalise datetimes/strings to plain dates so comparisons are by calendar day.
        start = _as_date(self.start)
        if start is None:
            raise ValueError(f"tenure {self.label!r} needs a start date")
        end = _as_date(self.end)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if end is not None and end <= start:
            raise ValueError(f"tenure {self.label!r} ends ({end}) on or before it starts ({start})")

    def covers(self, day: dt.date) -> bool:
        """True if ``start <= day < end``."""
        return self.start <= day and (self.end is None or day < self.end)


def _overlap(a: Tenure, b: Tenure) -> bool:
    """Whether ``b`` (starting no earlier than ``a``) overlaps ``a``."""
    return a.end is None or b.start < a.end


def _span(t: Tenure) -> str:
    return f"{t.start}..{t.end if t.end else 'ongoing'}"


@dataclass(frozen=True)
class TenureTable:
    """Non-overlapping tenures in chronological order, with unique labels.

    >>> table = TenureTable((Tenure("A", dt.date(2000, 1, 1), dt.date(2001, 1, 1)),
    ...                      Tenure("B", dt.date(2001, 1, 1), None)))
    >>> table.labels, table.era_of("2001-01-01"), table.era_of("1999-12-31")
    (('A', 'B'), 'B', None)
    """

    tenures: tuple[Tenure, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.tenures, key=lambda t: t.start))
        object.__setattr__(self, "tenures", ordered)
        problems = []
        seen: set[str] = set()
        for t in ordered:
            if t.label in seen:
                problems.append(f"duplicate label {t.label!r}")
            seen.add(t.label)
        for a, b in zip(ordered, ordered[1:]):
            if _overlap(a, b):
                problems.append(f"{b.label!r} ({_span(b)}) overlaps {a.label!r} ({_span(a)})")
        if problems:
            raise TenureError("invalid tenure table:\n" + "\n".join(f"  {p}" for p in problems))
        object.__setattr__(self, "_starts", tuple(t.start for t in ordered))

    @classmethod
    def from_csv(cls, path: PathLike) -> TenureTable:
        """Read a CSV with columns ``label,person,start,end,note`` (person, note optional).

        Dates are ``YYYY-MM-DD``; an empty ``end`` means still in office. Errors name
        the file, line and field (bad date, end before start, overlap, duplicate label).

        >>> TenureTable.from_csv("my_tenures.csv")   # doctest: +SKIP
        """
        name = os.fspath(path)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return cls._read(fh, name)

    @classmethod
    def _read(cls, fh: IO[str], name: str) -> TenureTable:
        problems: list[str] = []
        where = lambda line, col: f"{name}, line {line}" + (f", field {col!r}" if col else "")  # noqa: E731
        reader = csv.reader(fh, strict=True)
        rows: list[tuple[int, dict[str, str]]] = []
        header: list[str] | None = None
        prev = 0
        try:
            for record in reader:
                start_line, prev = prev + 1, reader.line_num
                if not record or not any(x.strip() for x in record):
                    continue
                if header is None:
                    header = [h.strip() for h in record]
                    lacking = [c for c in _REQUIRED if c not in header]
                    if lacking:
                        raise TenureError(f"{where(start_line, None)}: missing column(s) {', '.join(lacking)}")
                    continue
                rows.append((start_line, dict(zip(header, (x.strip() for x in record)))))
        except csv.Error as exc:
            raise TenureError(f"{where(prev + 1, None)}: invalid CSV ({exc})") from None
        if header is None:
            raise TenureError(f"{name}: empty file: no header line")

        parsed: list[tuple[int, Tenure]] = []
        for line, row in rows:
            bad = False
            days: dict[str, dt.date | None] = {}
            for col in ("start", "end"):
                text = row.get(col, "")
                try:
                    days[col] = dt.date.fromisoformat(text) if text else None
                except ValueError:
                    problems.append(f"{where(line, col)}: bad date {text!r} (expected YYYY-MM-DD)")
                    bad = True
            label = row.get("label", "")
            if not label:
                problems.append(f"{where(line, 'label')}: empty label")
                bad = True
            if not bad and days["start"] is None:
                problems.append(f"{where(line, 'start')}: missing start date")
                bad = True
            if not bad and days["end"] is not None and days["end"] <= days["start"]:  # type: ignore[operator]
                problems.append(f"{where(line, 'end')}: end {days['end']} is not after start {days['start']}")
                bad = True
            if not bad:
                tenure = Tenure(label, days["start"], days["end"], row.get("person", ""), row.get("note", ""))  # type: ignore[arg-type]
                parsed.append((line, tenure))

        first_line: dict[str, int] = {}
        for line, t in parsed:
            if t.label in first_line:
                problems.append(f"{where(line, 'label')}: duplicate label {t.label!r} (first on line {first_line[t.label]})")
            first_line.setdefault(t.label, line)
        chrono = sorted(parsed, key=lambda lt: lt[1].start)
        for (line_a, a), (line_b, b) in zip(chrono, chrono[1:]):
            if _overlap(a, b):
                problems.append(
                    f"{where(line_b, 'start')}: {b.label!r} ({_span(b)}) overlaps "
                    f"{a.label!r} on line {line_a} ({_span(a)})"
                )
        if problems:
            raise TenureError(f"{len(problems)} problem(s) in {name}:\n" + "\n".join(f"  {p}" for p in problems))
        return cls(tuple(t for _, t in parsed))

    def __iter__(self) -> Iterator[Tenure]:
        return iter(self.tenures)

    def __len__(self) -> int:
        return len(self.tenures)

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels in chronological order."""
        return tuple(t.label for t in self.tenures)

    def era_of(self, day: Any) -> str | None:
        """Label of the tenure covering ``day`` (date, datetime or ISO string), else None."""
        d = _as_date(day)
        if d is None:
            return None
        i = bisect.bisect_right(self._starts, d) - 1  # type: ignore[attr-defined]
        if i >= 0 and self.tenures[i].covers(d):
            return self.tenures[i].label
        return None

    def to_frame(self) -> pd.DataFrame:
        """DataFrame with columns label, person, start, end (NaT = ongoing), note."""
        return pd.DataFrame(
            {
                "label": [t.label for t in self.tenures],
                "person": [t.person for t in self.tenures],
                "start": pd.to_datetime(pd.Series([t.start for t in self.tenures], dtype=object)),
                "end": pd.to_datetime(pd.Series([t.end for t in self.tenures], dtype=object)),
                "note": [t.note for t in self.tenures],
            }
        )


@functools.cache
def japan_prime_ministers() -> TenureTable:
    """Japanese prime ministers from Koizumi (2001-04-26) to the present (cached).

    Start = the day of appointment (Prime Minister's Office of Japan, list of
    successive prime ministers). Abe's two terms are ``"Abe I"`` (2006-2007) and
    ``"Abe"`` (2012-2020).

    >>> japan_prime_ministers().era_of("2007-01-01")
    'Abe I'
    """
    res = resources.files("tonekit") / "data" / "tenures" / "japan_prime_ministers.csv"
    with res.open("r", encoding="utf-8-sig", newline="") as fh:
        return TenureTable._read(fh, "japan_prime_ministers.csv")


def _table(tenures: TenureTable | PathLike | None) -> TenureTable:
    if tenures is None:
        return japan_prime_ministers()
    if isinstance(tenures, TenureTable):
        return tenures
    if isinstance(tenures, (str, os.PathLike)):
        return TenureTable.from_csv(tenures)
    raise TypeError(f"tenures must be a TenureTable, a CSV path or None, not {type(tenures).__name__}")


def calendar_days(series: pd.Series, date: str) -> np.ndarray:
    """Calendar days (datetime64[D], NaT for missing) from a date column."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dtype, "tz", None) is not None:
            series = series.dt.tz_localize(None)  # keep the local calendar date
        return series.to_numpy().astype("datetime64[D]")
    days, bad = [], []
    for label, value in series.items():
        day, problem = parse_date(value)
        if problem:
            bad.append(f"{label!r} ({problem})")
        days.append(day)
    if bad:
        shown = ", ".join(bad[:10]) + (f", ... ({len(bad)} in all)" if len(bad) > 10 else "")
        raise ValueError(f"column {date!r} has unparseable dates in rows {shown}")
    return np.array(days, dtype="datetime64[D]")


def assign_era(
    df: pd.DataFrame,
    date: str = "date",
    tenures: TenureTable | PathLike | None = None,
    column: str = "era",
    *,
    outside: str | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` with an ordered categorical ``column`` of tenure labels.

    A tenure covers ``start <= date < end``, so a hand-over day belongs to the
    incoming office-holder. Dates outside every tenure (before the first, after
    the last, in a gap) get NA and one ``UserWarning`` counts them; rows are never
    dropped. ``outside="raise"`` raises ``ValueError`` naming those rows;
    ``outside="<label>"`` gives them that label instead. Missing dates get NA.

    ``date`` may hold datetimes or ISO date strings; ``tenures`` is a
    :class:`TenureTable`, a CSV path, or None for :func:`japan_prime_ministers`.

    >>> df = pd.DataFrame({"date": ["2019-11-30", "2024-03-26"]})
    >>> df.pipe(assign_era)["era"].tolist()
    ['Abe', 'Kishida']
    """
    table = _table(tenures)
    if date not in df.columns:
        raise KeyError(f"no date column {date!r} to assign eras from; columns are {list(df.columns)}")
    days = calendar_days(df[date], date)
    missing = np.isnat(days)
    starts = np.array([t.start for t in table], dtype="datetime64[D]")
    ends = np.array([t.end for t in table], dtype="datetime64[D]")  # NaT = ongoing
    idx = np.searchsorted(starts, days, side="right") - 1
    safe = idx.clip(0, max(len(table) - 1, 0))
    end = ends[safe] if len(table) else np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
    with np.errstate(invalid="ignore"):
        inside = ~missing & (idx >= 0) & (np.isnat(end) | (days < end))
    codes = np.where(inside, idx, -1)
    categories = list(table.labels)
    out_of_table = ~missing & ~inside
    n_out = int(out_of_table.sum())
    if n_out:
        rows = [f"{label!r} ({day})" for label, day in zip(df.index[out_of_table][:10], days[out_of_table][:10])]
        shown = ", ".join(rows) + (f", ... ({n_out} in all)" if n_out > 10 else "")
        span = f"{table.tenures[0].start}..{table.tenures[-1].end or 'ongoing'}" if len(table) else "empty table"
        if outside == "raise":
            raise ValueError(f"{n_out} date(s) fall outside every tenure ({span}) in rows {shown}")
        if outside is not None:
            if outside not in categories:
                categories.append(outside)
            codes[out_of_table] = categories.index(outside)
        else:
            warnings.warn(
                f"{n_out} of {len(df)} date(s) fall outside every tenure ({span}) or in a gap; "
                f"their {column!r} is NA (rows {shown})",
                UserWarning,
                stacklevel=2,
            )
    era = pd.Categorical.from_codes(codes, categories=categories, ordered=True)
    result = df.copy()
    result[column] = pd.Series(era, index=df.index)
    return result
