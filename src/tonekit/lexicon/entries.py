"""The entries file (``NAME.csv``): one entry per row, read with every problem located
by line and field, checked against the declared categories, and written back exactly.

>>> problems = []
>>> rows = parse_entries("term,dimension,category,weight\\nstooge,hostility,epithet,2\\n", "t.csv", problems)
>>> [(line, e.term) for line, e in rows], problems
([(2, 'stooge')], [])
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .patterns import check_pattern
from .model import DIMENSIONS, ENTRY_COLUMNS, MATCH_MODES, Category, Entry, LexiconProblem, number_text


def parse_entries(
    text: str, file: str, problems: list[LexiconProblem]
) -> list[tuple[int, Entry]]:
    """Parse the CSV; rows that cannot become entries are reported and skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(LexiconProblem(file, 1, None, "empty file: no header"))
        return []
    except csv.Error as exc:
        problems.append(LexiconProblem(file, 1, None, f"malformed CSV: {exc}"))
        return []
    header = [h.strip() for h in header]
    # A repeated column would silently lose one of its values; blank names (trailing
    # commas from spreadsheets) carry no value and may repeat.
    repeated = sorted({h for h in header if h and header.count(h) > 1}, key=header.index)
    for column in repeated:
        problems.append(
            LexiconProblem(file, 1, column, f"column {column!r} appears {header.count(column)} times")
        )
    if repeated:
        return []
    missing = [c for c in ENTRY_COLUMNS[:4] if c not in header]
    if missing:
        problems.append(
            LexiconProblem(file, 1, None, f"missing column(s): {', '.join(missing)}")
        )
        return []
    rows: list[tuple[int, Entry]] = []
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(LexiconProblem(file, line, None, f"malformed CSV: {exc}"))
            break
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                LexiconProblem(
                    file,
                    start,
                    None,
                    f"expected {len(header)} fields, found {len(values)}",
                )
            )
            continue
        record = dict(zip(header, values))
        entry = entry_from_mapping(record, lambda f, m: problems.append(LexiconProblem(file, start, f, m)))
        if entry is not None:
            rows.append((start, entry))
    return rows


def entry_from_mapping(
    record: Mapping[str, Any], report: Callable[[str, str], None] | None = None
) -> Entry | None:
    """An Entry from a CSV row or dict; weight problems go to ``report(field, message)``
    when given, else raise."""
    raw_weight = record.get("weight", "")
    try:
        weight = float(raw_weight)
    except (TypeError, ValueError):
        if report is None:
            raise
        report("weight", f"weight must be a number, got {raw_weight!r}")
        return None
    match = str(record.get("match") or "lemma").strip() or "lemma"
    return Entry(
        term=str(record.get("term", "") or "").strip(),
        dimension=str(record.get("dimension", "") or "").strip(),
        category=str(record.get("category", "") or "").strip(),
        weight=weight,
        match=match,
        note=str(record.get("note", "") or "").strip(),
    )


def check_entries(
    rows: Iterable[tuple[int, Entry]],
    categories: Mapping[str, Category],
    max_weight: float,
    file: str,
    slots: Mapping[str, Any] | None = None,
) -> list[LexiconProblem]:
    """Problems of ``(line, entry)`` rows: terms, labels against the declared categories,
    weights within ``(0, max_weight]``, match modes, constructions (their slots among
    ``slots``), and repeated terms."""
    problems: list[LexiconProblem] = []
    first_seen: dict[str, tuple[int, Entry]] = {}
    for line, e in rows:
        def bad(field_name: str, message: str, line: int = line) -> None:
            problems.append(LexiconProblem(file, line, field_name, message))

        if not e.term:
            bad("term", "empty term")
        elif e.term != " ".join(e.term.split()):
            # Terms are matched token by token: a line break, tab or doubled space never
            # matches ordinary text, yet Entry.key would hide the difference.
            bad("term", f"a term is words separated by single spaces (no line break, tab, doubled or surrounding space), got {e.term!r}")
        if e.dimension not in DIMENSIONS:
            bad("dimension", f"dimension must be one of {DIMENSIONS}, got {e.dimension!r}")
        if e.category not in categories:
            bad("category", f"unknown category {e.category!r} (not declared in the metadata)")
        elif e.dimension in DIMENSIONS and categories[e.category].dimension != e.dimension:
            bad(
                "dimension",
                f"category {e.category!r} belongs to {categories[e.category].dimension}, "
                f"not {e.dimension}",
            )
        if not math.isfinite(e.weight) or e.weight <= 0 or e.weight > max_weight:
            if math.isfinite(max_weight):
                bad("weight", f"weight must be in (0, {number_text(max_weight)}], got {e.weight!r}")
            else:
                bad("weight", f"weight must be a finite number > 0, got {e.weight!r}")
        if e.match not in MATCH_MODES:
            bad("match", f"match must be one of {MATCH_MODES}, got {e.match!r}")
        elif e.match == "pattern" and e.term:
            problem = check_pattern(e.term, slots)
            if problem:
                bad("term", f"construction {e.term!r}: {problem}")
        if not e.term:
            continue
        if e.key in first_seen:
            prev_line, prev = first_seen[e.key]
            if (prev.dimension, prev.category, prev.weight) != (e.dimension, e.category, e.weight):
                bad(
                    "term",
                    f"{e.term!r} conflicts with line {prev_line} "
                    f"({prev.dimension}/{prev.category}/{number_text(prev.weight)} vs "
                    f"{e.dimension}/{e.category}/{number_text(e.weight)})",
                )
            else:
                bad("term", f"duplicate of line {prev_line}: {e.term!r}")
        else:
            first_seen[e.key] = (line, e)
    return problems


def entries_text(entries: Iterable[Entry]) -> str:
    """The entries file's text, with weights that read back exactly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ENTRY_COLUMNS)
    for e in entries:
        writer.writerow([e.term, e.dimension, e.category, number_text(e.weight), e.match, e.note])
    return buffer.getvalue()
