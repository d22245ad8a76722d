"""Snapshots: per-document scores stored as a golden file, and the check that fails when
scores drift from it (``tonekit snapshot`` / ``tonekit check``).

>>> golden = snapshot("dprk_japan")
>>> report = check("dprk_japan", golden, tolerance=0)
>>> report.passed, report.n_checked == len(golden)
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..lexicon import resolve
from ..shared import __version__
from .documents import (
    CHECKED_COLUMNS,
    SNAPSHOT_COLUMNS,
    CorpusLike,
    LexiconLike,
    document_ids,
    document_texts,
    load_corpus,
    score_rows,
)


def snapshot(
    corpus: CorpusLike, lexicon: LexiconLike = None, *, text: str = "text", id: str = "id"
) -> pd.DataFrame:
    """Per-document scores to store as a golden file, with the lexicon and tonekit version.

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
    out["lexicon"] = lex.label
    out["lexicon_hash"] = lex.content_hash[:12]
    out["tonekit_version"] = __version__
    return out


@dataclass(frozen=True)
class Drift:
    """A document whose scores moved beyond the tolerance."""

    id: str
    old: Mapping[str, float]
    new: Mapping[str, float]

    def describe(self) -> str:
        parts = [
            f"{m} {self.old[m]:.4f} -> {self.new[m]:.4f} ({self.new[m] - self.old[m]:+.4f})"
            for m in CHECKED_COLUMNS
            if m in self.old
        ]
        return f"{self.id}: " + ", ".join(parts)


@dataclass(frozen=True)
class CheckReport:
    """Result of :func:`check`: drifted, added and missing documents."""

    tolerance: float
    n_checked: int
    drifted: tuple[Drift, ...]
    added: tuple[str, ...]
    missing: tuple[str, ...]
    golden_lexicon: str = ""
    lexicon: str = ""
    golden_version: str = ""
    version: str = ""

    @property
    def passed(self) -> bool:
        return not (self.drifted or self.added or self.missing)

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "tolerance": self.tolerance,
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
            f"snapshot check: {self.n_checked} documents, tolerance {self.tolerance:g}; "
            f"{len(self.drifted)} drifted, {len(self.added)} added, {len(self.missing)} missing"
        )
        lines = [head]
        if self.golden_lexicon != self.lexicon:
            lines.append(f"lexicon: snapshot {self.golden_lexicon or '?'}, now {self.lexicon}")
        if self.golden_version and self.golden_version != self.version:
            lines.append(f"tonekit: snapshot {self.golden_version}, now {self.version}")
        lines += [f"  {line}" for line in self.failure_lines()]
        lines.append("OK" if self.passed else "FAILED")
        return "\n".join(lines)


def read_snapshot(golden: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A golden snapshot from a DataFrame or CSV, checked for the columns :func:`check` needs."""
    if isinstance(golden, pd.DataFrame):
        df = golden
        name = "snapshot"
    else:
        name = str(golden)
        try:
            df = pd.read_csv(golden, dtype={"id": str, "lexicon": str, "lexicon_hash": str, "tonekit_version": str},
                             keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ValueError(f"{name}: cannot read snapshot: {exc}") from exc
    missing = [c for c in ("id", *CHECKED_COLUMNS) if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: not a tonekit snapshot, missing column(s): {', '.join(missing)}")
    for column in CHECKED_COLUMNS:
        bad = pd.to_numeric(df[column], errors="coerce").isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise ValueError(f"{name}, line {row + 2}, field {column!r}: not a number: {df[column].iloc[row]!r}")
    return df


def check(
    corpus: CorpusLike,
    golden: pd.DataFrame | str | Path,
    tolerance: float = 0.01,
    lexicon: LexiconLike = None,
    *,
    text: str = "text",
    id: str = "id",
) -> CheckReport:
    """Score ``corpus`` again and compare with a golden snapshot.

    A document drifts when hostility, courtesy or tone moved by more than ``tolerance``.

    >>> report = check("dprk_japan", snapshot("dprk_japan"))
    >>> report.passed
    True
    """
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a non-negative number, got {tolerance!r}")
    gold = read_snapshot(golden)
    now = snapshot(corpus, lexicon, text=text, id=id)
    gold_ids = [str(x) for x in gold["id"]]
    old = gold.assign(id=gold_ids).set_index("id")
    new = now.set_index("id")
    drifted = []
    common = [x for x in now["id"] if x in old.index]
    for doc_id in common:
        o = {m: float(old.at[doc_id, m]) for m in CHECKED_COLUMNS}
        n = {m: float(new.at[doc_id, m]) for m in CHECKED_COLUMNS}
        if any(abs(n[m] - o[m]) > tolerance for m in CHECKED_COLUMNS):
            drifted.append(Drift(doc_id, o, n))
    drifted.sort(key=lambda d: -max(abs(d.new[m] - d.old[m]) for m in CHECKED_COLUMNS))
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
    )
