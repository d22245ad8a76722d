"""Snapshots: per-document scores and markers stored as a golden file, and the check that
fails when they drift from it (``tonekit snapshot`` / ``tonekit check``).

Scores saturate: in a text already hostile, a marker reweighted moves hostility by less
than any useful tolerance. So the check compares the rates too, and the markers of each
document, ``(term, category, effective weight)``, which must not change at all. A
snapshot written before markers were stored is still read; its markers are not checked.

>>> golden = snapshot("dprk_japan")
>>> report = check("dprk_japan", golden, tolerance=0)
>>> report.passed, report.n_checked == len(golden)
(True, True)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..lexicon import resolve
from ..shared import __version__
from .documents import (
    CHECKED_COLUMNS,
    MARKERS_COLUMN,
    RATE_COLUMNS,
    RATE_TOLERANCE_PER_SCORE,
    SNAPSHOT_COLUMNS,
    CorpusLike,
    LexiconLike,
    MarkerKey,
    document_ids,
    document_markers,
    document_texts,
    load_corpus,
    markers_cell,
    parse_markers_cell,
    score_rows,
)


def snapshot(
    corpus: CorpusLike, lexicon: LexiconLike = None, *, text: str = "text", id: str = "id"
) -> pd.DataFrame:
    """Per-document scores and markers to store as a golden file, with the lexicon and
    tonekit version. The ``markers`` column holds each document's markers as a JSON list of
    ``[term, category, effective weight]``.

    >>> golden = snapshot("dprk_japan")
    >>> list(golden.columns[:4])
    ['id', 'hostility', 'courtesy', 'tone']
    """
    lex = resolve(lexicon)
    df = load_corpus(corpus, text)
    ids, texts = document_ids(df, id), document_texts(df, text)
    rows = score_rows(texts, lex)
    out = pd.DataFrame({"id": ids})
    for column in SNAPSHOT_COLUMNS:
        out[column] = rows[column].array if len(rows) else []  # counts stay integers beside NA
    out[MARKERS_COLUMN] = [markers_cell(m) for m in document_markers(texts, lex)]
    out["lexicon"] = lex.label
    out["lexicon_hash"] = lex.content_hash[:12]
    out["tonekit_version"] = __version__
    return out


@dataclass(frozen=True)
class MarkerDrift:
    """A marker of a document added, removed or reweighted since the snapshot
    (``old_weight``/``new_weight`` None when it was absent)."""

    change: str  # added | removed | reweighted
    term: str
    category: str
    old_weight: float | None
    new_weight: float | None

    def describe(self) -> str:
        if self.old_weight is None or self.new_weight is None:
            weights = f"{self.new_weight if self.old_weight is None else self.old_weight:g}"
        else:
            weights = f"{self.old_weight:g} -> {self.new_weight:g}"
        return f"{self.change} {self.term!r} ({self.category}) {weights}"


@dataclass(frozen=True)
class Drift:
    """A document whose scores or rates moved beyond the tolerance, or whose markers changed."""

    id: str
    old: Mapping[str, float]
    new: Mapping[str, float]
    markers: tuple[MarkerDrift, ...] = ()

    def describe(self) -> str:
        """The scores, the rates that moved, and the markers that changed, on one line."""
        parts = [
            f"{m} {self.old[m]:.4f} -> {self.new[m]:.4f} ({self.new[m] - self.old[m]:+.4f})"
            for m in (*CHECKED_COLUMNS, *RATE_COLUMNS)
            if m in self.old and (m in CHECKED_COLUMNS or self.new[m] != self.old[m])
        ]
        text = f"{self.id}: " + ", ".join(parts)
        if self.markers:
            text += "; markers: " + ", ".join(m.describe() for m in self.markers)
        return text

    @property
    def size(self) -> float:
        """The largest change of a score: the ranking key."""
        return max(abs(self.new[m] - self.old[m]) for m in CHECKED_COLUMNS)


def marker_drifts(old: Sequence[MarkerKey], new: Sequence[MarkerKey]) -> tuple[MarkerDrift, ...]:
    """How the markers of a document changed: per term and category, the weights found in
    both are left out, the others paired in order as reweighted, the rest added or removed.

    >>> [d.describe() for d in marker_drifts([("puppet", "epithet", 2.0)], [("puppet", "epithet", 0.5)])]
    ["reweighted 'puppet' (epithet) 2 -> 0.5"]
    """
    before, after = Counter(old), Counter(new)
    gone, came = sorted((before - after).elements()), sorted((after - before).elements())
    by_marker: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for (term, category, weight) in gone:
        by_marker.setdefault((term, category), ([], []))[0].append(weight)
    for (term, category, weight) in came:
        by_marker.setdefault((term, category), ([], []))[1].append(weight)
    drifts = []
    for (term, category), (was, now) in sorted(by_marker.items()):
        for o, n in zip(was, now):
            drifts.append(MarkerDrift("reweighted", term, category, o, n))
        drifts += [MarkerDrift("removed", term, category, o, None) for o in was[len(now):]]
        drifts += [MarkerDrift("added", term, category, None, n) for n in now[len(was):]]
    return tuple(drifts)


@dataclass(frozen=True)
class CheckReport:
    """Result of :func:`check`: drifted, added and missing documents. ``markers_checked``
    is False for a snapshot written before markers were stored."""

    tolerance: float
    n_checked: int
    drifted: tuple[Drift, ...]
    added: tuple[str, ...]
    missing: tuple[str, ...]
    golden_lexicon: str = ""
    lexicon: str = ""
    golden_version: str = ""
    version: str = ""
    rate_tolerance: float = 0.0
    markers_checked: bool = True

    @property
    def passed(self) -> bool:
        return not (self.drifted or self.added or self.missing)

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "tolerance": self.tolerance,
            "rate_tolerance": self.rate_tolerance,
            "markers_checked": self.markers_checked,
            "checked": self.n_checked,
            "drifted": [asdict(d) for d in self.drifted],
            "added": list(self.added),
            "missing": list(self.missing),
            "golden_lexicon": self.golden_lexicon,
            "lexicon": self.lexicon,
            "golden_version": self.golden_version,
            "version": self.version,
        }

    def failure_lines(self) -> list[str]:
        """One line per failing document."""
        lines = [f"drifted {d.describe()}" for d in self.drifted]
        lines += [f"added {x}: not in the snapshot" for x in self.added]
        lines += [f"missing {x}: in the snapshot, not in the corpus" for x in self.missing]
        return lines

    def __str__(self) -> str:
        head = (
            f"snapshot check: {self.n_checked} documents, tolerance {self.tolerance:g} "
            f"(rates {self.rate_tolerance:g}); "
            f"{len(self.drifted)} drifted, {len(self.added)} added, {len(self.missing)} missing"
        )
        lines = [head]
        if not self.markers_checked:
            lines.append("markers: not in the snapshot (an older format), not checked; "
                         "write it again with 'tonekit snapshot' to check them")
        if self.golden_lexicon != self.lexicon:
            lines.append(f"lexicon: snapshot {self.golden_lexicon or '?'}, now {self.lexicon}")
        if self.golden_version and self.golden_version != self.version:
            lines.append(f"tonekit: snapshot {self.golden_version}, now {self.version}")
        lines += [f"  {line}" for line in self.failure_lines()]
        lines.append("OK" if self.passed else "FAILED")
        return "\n".join(lines)


def read_snapshot(golden: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A golden snapshot from a DataFrame or CSV, checked for the columns :func:`check`
    needs (rates and markers are optional: older snapshots have no markers)."""
    if isinstance(golden, pd.DataFrame):
        df = golden
        name = "snapshot"
    else:
        name = str(golden)
        text_columns = ("id", "lexicon", "lexicon_hash", "tonekit_version", MARKERS_COLUMN)
        try:
            df = pd.read_csv(golden, dtype=dict.fromkeys(text_columns, str), keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ValueError(f"{name}: cannot read snapshot: {exc}") from exc
    missing = [c for c in ("id", *CHECKED_COLUMNS) if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: not a tonekit snapshot, missing column(s): {', '.join(missing)}")
    for column in (*CHECKED_COLUMNS, *(c for c in RATE_COLUMNS if c in df.columns)):
        bad = pd.to_numeric(df[column], errors="coerce").isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise ValueError(f"{name}, line {row + 2}, field {column!r}: not a number: {df[column].iloc[row]!r}")
    if MARKERS_COLUMN in df.columns:
        for row, cell in enumerate(df[MARKERS_COLUMN]):
            try:
                parse_markers_cell(cell)
            except ValueError as exc:
                raise ValueError(f"{name}, line {row + 2}, field {MARKERS_COLUMN!r}: {exc}") from None
    return df


def check(
    corpus: CorpusLike,
    golden: pd.DataFrame | str | Path,
    tolerance: float = 0.01,
    lexicon: LexiconLike = None,
    *,
    text: str = "text",
    id: str = "id",
    rate_tolerance: float | None = None,
) -> CheckReport:
    """Score ``corpus`` again and compare with a golden snapshot.

    A document drifts when hostility, courtesy or tone moved by more than ``tolerance``,
    a rate by more than ``rate_tolerance`` (default ``10 * tolerance``, the rate change
    that moves a score by ``tolerance`` at most), or when any of its markers was added,
    removed or reweighted.

    >>> report = check("dprk_japan", snapshot("dprk_japan"))
    >>> report.passed
    True
    """
    tolerance = _tolerance("tolerance", tolerance)
    rate_tolerance = (
        RATE_TOLERANCE_PER_SCORE * tolerance if rate_tolerance is None else _tolerance("rate_tolerance", rate_tolerance)
    )
    gold = read_snapshot(golden)
    now = snapshot(corpus, lexicon, text=text, id=id)
    gold_ids = [str(x) for x in gold["id"]]
    old = gold.assign(id=gold_ids).set_index("id")
    new = now.set_index("id")
    rates = [c for c in RATE_COLUMNS if c in old.columns]
    markers_checked = MARKERS_COLUMN in old.columns
    drifted = []
    common = [x for x in now["id"] if x in old.index]
    for doc_id in common:
        o = {m: float(old.at[doc_id, m]) for m in (*CHECKED_COLUMNS, *rates)}
        n = {m: float(new.at[doc_id, m]) for m in (*CHECKED_COLUMNS, *rates)}
        markers = (
            marker_drifts(parse_markers_cell(old.at[doc_id, MARKERS_COLUMN]),
                          parse_markers_cell(new.at[doc_id, MARKERS_COLUMN]))
            if markers_checked else ()
        )
        if (
            markers
            or any(abs(n[m] - o[m]) > tolerance for m in CHECKED_COLUMNS)
            or any(abs(n[m] - o[m]) > rate_tolerance for m in rates)
        ):
            drifted.append(Drift(doc_id, o, n, markers))
    drifted.sort(key=lambda d: -d.size)
    gold_set = set(gold_ids)
    now_set = set(now["id"])
    first = gold.iloc[0] if len(gold) else {}
    return CheckReport(
        tolerance=float(tolerance),
        n_checked=len(common),
        drifted=tuple(drifted),
        added=tuple(x for x in now["id"] if x not in gold_set),
        missing=tuple(x for x in gold_ids if x not in now_set),
        golden_lexicon=str(first.get("lexicon", "")) if len(gold) else "",
        lexicon=resolve(lexicon).label,
        golden_version=str(first.get("tonekit_version", "")) if len(gold) else "",
        version=__version__,
        rate_tolerance=float(rate_tolerance),
        markers_checked=markers_checked,
    )


def _tolerance(name: str, value: Any) -> float:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return float(value)
