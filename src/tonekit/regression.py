"""Regression-testing lexicon changes: diff reports, snapshots and behaviour cases.

A lexicon change is reviewed like code:

* :func:`diff` says which entries were added, removed, relabelled or reweighted and,
  given a corpus, which documents moved, by how much, and which markers moved them;
* :func:`snapshot` / :func:`check` store per-document scores and fail when they drift;
* :func:`run_cases` checks expected behaviour written as data (CheckList-style
  minimum functionality, invariance and directional cases; Ribeiro et al. 2020).

>>> from tonekit.lexicon import Lexicon
>>> old = Lexicon.default()
>>> new = old.replace(entries=tuple(e for e in old if e.term != "puppet"))
>>> [c.term for c in diff(old, new).removed]
['puppet']
"""

from __future__ import annotations

import itertools
import json
import math
import operator
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .lexicon import Entry, Lexicon, _number_text, resolve
from .batch import score_corpus
from .pipeline import score
from .scoring import Marker, ToneResult

LexiconLike = Lexicon | str | Path | None
CorpusLike = pd.DataFrame | str | Path

#: Scores compared by :func:`check` (the bounded scores; rates move with them).
CHECKED_COLUMNS = ("hostility", "courtesy", "tone")
#: Score columns stored by :func:`snapshot`.
SNAPSHOT_COLUMNS = ("hostility", "courtesy", "tone", "hostility_rate", "courtesy_rate", "n_tokens", "n_markers")
_EPS = 1e-9  # below this a score difference is floating-point noise, not a change


# -- corpora -------------------------------------------------------------------------


def load_corpus(corpus: CorpusLike) -> pd.DataFrame:
    """A DataFrame as is, a corpus file (csv/jsonl/parquet) or a bundled corpus name.

    >>> load_corpus("dprk_japan").shape[0] > 50
    True
    """
    if isinstance(corpus, pd.DataFrame):
        return corpus
    from . import corpora
    from .corpus import read_corpus

    path = Path(corpus)
    if path.exists() or path.suffix.lower() in (".csv", ".jsonl", ".parquet"):
        return read_corpus(path)
    return corpora.load(str(corpus))


def _ids(df: pd.DataFrame, id_column: str) -> list[str]:
    ids = [str(x) for x in df[id_column]] if id_column in df.columns else [str(x) for x in df.index]
    seen: set[str] = set()
    dupes = [x for x in ids if x in seen or seen.add(x)]
    if dupes:
        raise ValueError(f"document ids must be unique; repeated: {', '.join(dict.fromkeys(dupes))}")
    return ids


def _texts(df: pd.DataFrame, text: str) -> list[str]:
    if text not in df.columns:
        raise ValueError(f"the corpus has no {text!r} column (columns: {', '.join(map(str, df.columns))})")
    return ["" if not isinstance(t, str) else t for t in df[text]]


def score_rows(texts: Iterable[str], lexicon: LexiconLike = None) -> pd.DataFrame:
    """Document scores and category rates, one row per text, in order."""
    scored = score_corpus(pd.DataFrame({"text": list(texts)}), lexicon=lexicon, progress=False)
    return scored.drop(columns=["text", "error"]).reset_index(drop=True)


# -- lexicon diff --------------------------------------------------------------------


@dataclass(frozen=True)
class EntryChange:
    """One entry that differs between two lexicons.

    ``kind`` is ``added``, ``removed``, ``relabelled`` (dimension or category changed)
    or ``reweighted``; a relabelled entry may also be reweighted (``kind`` says
    ``relabelled``, :attr:`reweighted` is True).
    """

    kind: str
    term: str
    old: Entry | None
    new: Entry | None

    @property
    def reweighted(self) -> bool:
        return self.old is not None and self.new is not None and self.old.weight != self.new.weight

    def describe(self) -> str:
        o, n = self.old, self.new
        if self.kind == "added":
            return f"+ {n.term!r} {n.dimension}/{n.category} weight {_number_text(n.weight)}"
        if self.kind == "removed":
            return f"- {o.term!r} {o.dimension}/{o.category} weight {_number_text(o.weight)}"
        parts = []
        if (o.dimension, o.category) != (n.dimension, n.category):
            parts.append(f"{o.dimension}/{o.category} -> {n.dimension}/{n.category}")
        if o.weight != n.weight:
            parts.append(f"weight {_number_text(o.weight)} -> {_number_text(n.weight)}")
        if o.match != n.match:
            parts.append(f"match {o.match} -> {n.match}")
        return f"~ {n.term!r} " + ", ".join(parts)


@dataclass(frozen=True)
class MarkerChange:
    """A marker whose effective weight differs between the two lexicons (0 when absent)."""

    term: str
    category: str
    text: str
    start_char: int
    end_char: int
    old_weight: float
    new_weight: float

    def describe(self) -> str:
        return (
            f"{self.term!r} ({self.category}) at {self.start_char}-{self.end_char} "
            f"{self.text!r}: {self.old_weight:g} -> {self.new_weight:g}"
        )


@dataclass(frozen=True)
class DocumentChange:
    """A document whose scores differ between the two lexicons."""

    id: str
    group: str | None
    old: Mapping[str, float]
    new: Mapping[str, float]
    markers: tuple[MarkerChange, ...]

    def delta(self, metric: str) -> float:
        return self.new[metric] - self.old[metric]

    @property
    def size(self) -> float:
        """The larger absolute change of the two axes: the ranking key."""
        return max(abs(self.delta("hostility")), abs(self.delta("courtesy")))


@dataclass(frozen=True)
class LexiconDiff:
    """What changed between two lexicons and, with a corpus, which documents moved.

    Render with :meth:`to_text`, :meth:`to_markdown` (for a pull request) or :meth:`to_json`.
    """

    old_label: str
    new_label: str
    entries: tuple[EntryChange, ...]
    documents: tuple[DocumentChange, ...] = ()
    n_documents: int | None = None  # None: no corpus was given
    group: str | None = None
    group_summary: tuple[Mapping[str, Any], ...] = ()
    metadata_changed: bool = False

    def _of(self, kind: str) -> tuple[EntryChange, ...]:
        return tuple(c for c in self.entries if c.kind == kind)

    @property
    def added(self) -> tuple[EntryChange, ...]:
        return self._of("added")

    @property
    def removed(self) -> tuple[EntryChange, ...]:
        return self._of("removed")

    @property
    def relabelled(self) -> tuple[EntryChange, ...]:
        return self._of("relabelled")

    @property
    def reweighted(self) -> tuple[EntryChange, ...]:
        return tuple(c for c in self.entries if c.kind in ("reweighted", "relabelled") and c.reweighted)

    @property
    def summary(self) -> dict[str, Any]:
        largest = self.documents[0] if self.documents else None
        return {
            "old": self.old_label,
            "new": self.new_label,
            "entries_added": len(self.added),
            "entries_removed": len(self.removed),
            "entries_relabelled": len(self.relabelled),
            "entries_reweighted": len(self.reweighted),
            "metadata_changed": self.metadata_changed,
            "documents": self.n_documents,
            "documents_changed": len(self.documents) if self.n_documents is not None else None,
            "largest_change": None
            if largest is None
            else {"id": largest.id, "size": largest.size, **{f"d_{m}": largest.delta(m) for m in CHECKED_COLUMNS}},
        }

    def documents_frame(self) -> pd.DataFrame:
        """One row per changed document: id, group, old/new/delta of each score, markers."""
        rows = []
        for d in self.documents:
            row: dict[str, Any] = {"id": d.id}
            if self.group:
                row[self.group] = d.group
            for m in CHECKED_COLUMNS:
                row[f"old_{m}"], row[f"new_{m}"], row[f"d_{m}"] = d.old[m], d.new[m], d.delta(m)
            row["markers"] = "; ".join(x.describe() for x in d.markers)
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "entries": [
                {"kind": c.kind, "term": c.term, "old": _entry_dict(c.old), "new": _entry_dict(c.new)}
                for c in self.entries
            ],
            "documents": [
                {
                    "id": d.id,
                    "group": d.group,
                    "size": d.size,
                    "old": dict(d.old),
                    "new": dict(d.new),
                    "markers": [asdict(m) for m in d.markers],
                }
                for d in self.documents
            ],
            "group": self.group,
            "groups": [dict(g) for g in self.group_summary],
        }

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def to_text(self, top: int | None = 20) -> str:
        s = self.summary
        lines = [f"Lexicon diff {self.old_label} -> {self.new_label}"]
        lines.append(
            f"entries: {s['entries_added']} added, {s['entries_removed']} removed, "
            f"{s['entries_relabelled']} relabelled, {s['entries_reweighted']} reweighted"
            + ("; metadata (categories/modifiers) changed" if self.metadata_changed else "")
        )
        lines += [f"  {c.describe()}" for c in self.entries]
        if self.n_documents is not None:
            lines.append(f"documents: {s['documents_changed']} of {self.n_documents} changed")
            if self.documents:
                d = self.documents[0]
                lines.append(f"largest change: {d.id} ({d.size:.4f})")
            for d in self._top(top):
                lines.append(
                    f"  {d.id}" + (f" [{d.group}]" if self.group else "") + ": "
                    + ", ".join(f"{m} {d.old[m]:.3f} -> {d.new[m]:.3f} ({d.delta(m):+.3f})" for m in CHECKED_COLUMNS)
                )
                lines += [f"      {x.describe()}" for x in d.markers]
            lines += self._more(top, "  ")
            if self.group_summary:
                lines.append(f"mean change by {self.group}:")
                for g in self.group_summary:
                    lines.append(
                        f"  {g['group']}: {g['changed']}/{g['documents']} changed, "
                        + ", ".join(f"{m} {g['mean_d_' + m]:+.4f}" for m in CHECKED_COLUMNS)
                    )
        return "\n".join(lines)

    def to_markdown(self, top: int | None = 20) -> str:
        s = self.summary
        out = [f"### Lexicon diff `{_md(self.old_label)}` → `{_md(self.new_label)}`", ""]
        out.append(
            f"**Entries:** {s['entries_added']} added, {s['entries_removed']} removed, "
            f"{s['entries_relabelled']} relabelled, {s['entries_reweighted']} reweighted"
            + (" (metadata changed too)" if self.metadata_changed else "")
        )
        if self.entries:
            out += ["", "| change | term | old | new |", "|---|---|---|---|"]
            for c in self.entries:
                out.append(f"| {c.kind} | {_md(c.term)} | {_md(_entry_label(c.old))} | {_md(_entry_label(c.new))} |")
        if self.n_documents is not None:
            largest = (
                f"; largest change `{_md(self.documents[0].id)}` ({self.documents[0].size:.4f})"
                if self.documents else ""
            )
            out += ["", f"**Documents:** {s['documents_changed']} of {self.n_documents} changed{largest}"]
            if self.documents:
                group_col = f" {_md(str(self.group))} |" if self.group else ""
                out += [
                    "",
                    f"| document |{group_col} hostility | courtesy | tone | markers responsible |",
                    "|---|" + ("---|" if self.group else "") + "---|---|---|---|",
                ]
                for d in self._top(top):
                    cells = [f"`{_md(d.id)}`"] + ([_md(str(d.group))] if self.group else [])
                    cells += [f"{d.old[m]:.3f} → {d.new[m]:.3f} ({d.delta(m):+.3f})" for m in CHECKED_COLUMNS]
                    cells.append("<br>".join(_md(x.describe()) for x in d.markers))
                    out.append("| " + " | ".join(cells) + " |")
                out += self._more(top, "")
            if self.group_summary:
                out += ["", f"**Mean change by {_md(self.group)}:**", "",
                        "| group | changed | hostility | courtesy | tone |", "|---|---|---|---|---|"]
                for g in self.group_summary:
                    out.append(
                        f"| {_md(str(g['group']))} | {g['changed']}/{g['documents']} | "
                        + " | ".join(f"{g['mean_d_' + m]:+.4f}" for m in CHECKED_COLUMNS) + " |"
                    )
        return "\n".join(out) + "\n"

    def _top(self, top: int | None) -> tuple[DocumentChange, ...]:
        return self.documents if top is None else self.documents[:top]

    def _more(self, top: int | None, indent: str) -> list[str]:
        hidden = len(self.documents) - len(self._top(top))
        return [f"{indent}... and {hidden} more document(s)"] if hidden > 0 else []

    def __str__(self) -> str:
        return self.to_text()


def _entry_dict(e: Entry | None) -> dict[str, Any] | None:
    return None if e is None else asdict(e)


def _entry_label(e: Entry | None) -> str:
    # Exact weights: a reweighting in the 7th digit must not read "2.12346 -> 2.12346".
    return "" if e is None else f"{e.dimension}/{e.category} {_number_text(e.weight)} ({e.match})"


def _md(text: str) -> str:
    """Escape a cell of a Markdown table (text comes from lexicons and corpora)."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def entry_changes(old: Lexicon, new: Lexicon) -> tuple[EntryChange, ...]:
    """Entries added, removed, relabelled and reweighted, keyed by :attr:`Entry.key`."""
    before = {e.key: e for e in old}
    after = {e.key: e for e in new}
    changes = []
    for key, o in before.items():
        n = after.get(key)
        if n is None:
            changes.append(EntryChange("removed", o.term, o, None))
        elif (o.dimension, o.category) != (n.dimension, n.category):
            changes.append(EntryChange("relabelled", n.term, o, n))
        elif o.weight != n.weight or o.match != n.match:
            changes.append(EntryChange("reweighted", n.term, o, n))
    changes += [EntryChange("added", n.term, None, n) for key, n in after.items() if key not in before]
    order = {"removed": 0, "relabelled": 1, "reweighted": 2, "added": 3}
    return tuple(sorted(changes, key=lambda c: (order[c.kind], c.term.lower())))


def diff(
    old: LexiconLike,
    new: LexiconLike,
    corpus: CorpusLike | None = None,
    group: str | None = None,
    text: str = "text",
    id: str = "id",
) -> LexiconDiff:
    """Compare two lexicons and, with a corpus, the documents whose scores they change.

    Documents are ranked by the larger absolute change of hostility and courtesy; each
    lists the markers responsible (entry, character offsets, old and new effective
    weight). ``group`` names a column to average the changes by (e.g. ``era``).

    >>> from tonekit.lexicon import Lexicon
    >>> old = Lexicon.default()
    >>> new = old.replace(entries=tuple(e.__class__(**{**e.__dict__, "weight": 3.0})
    ...                                 if e.term == "reactionary" else e for e in old))
    >>> d = diff(old, new, corpus="dprk_japan", group="era")
    >>> d.reweighted[0].term, d.summary["documents_changed"] > 0
    ('reactionary', True)
    """
    old_lex, new_lex = resolve(old), resolve(new)
    changes = entry_changes(old_lex, new_lex)
    meta_changed = old_lex.categories != new_lex.categories or old_lex.modifiers != new_lex.modifiers
    if corpus is None:
        return LexiconDiff(old_lex.label, new_lex.label, changes, metadata_changed=meta_changed)
    df = load_corpus(corpus)
    ids, texts = _ids(df, id), _texts(df, text)
    if group is not None and group not in df.columns:
        raise ValueError(f"the corpus has no group column {group!r}")
    groups = [None if pd.isna(g) else str(g) for g in df[group]] if group else [None] * len(ids)
    before, after = score_rows(texts, old_lex), score_rows(texts, new_lex)
    moved = _moved(before, after)
    documents = []
    for i in moved:
        documents.append(
            DocumentChange(
                id=ids[i],
                group=groups[i],
                old={m: float(before.at[i, m]) for m in CHECKED_COLUMNS},
                new={m: float(after.at[i, m]) for m in CHECKED_COLUMNS},
                markers=marker_changes(score(texts[i], lexicon=old_lex), score(texts[i], lexicon=new_lex)),
            )
        )
    documents.sort(key=lambda d: (-d.size, d.id))
    summary: list[dict[str, Any]] = []
    if group:
        deltas = pd.DataFrame({m: after[m] - before[m] for m in CHECKED_COLUMNS})
        deltas["group"] = groups
        moved_set = set(moved)
        deltas["changed"] = [i in moved_set for i in range(len(ids))]
        for name, part in deltas.groupby("group", sort=True, dropna=False):
            summary.append(
                {
                    "group": None if pd.isna(name) else name,
                    "documents": int(len(part)),
                    "changed": int(part["changed"].sum()),
                    **{f"mean_d_{m}": float(part[m].mean()) for m in CHECKED_COLUMNS},
                }
            )
    return LexiconDiff(
        old_lex.label, new_lex.label, changes, tuple(documents), len(ids), group, tuple(summary), meta_changed
    )


def _moved(before: pd.DataFrame, after: pd.DataFrame) -> list[int]:
    """Row positions whose scores (bounded scores or any category rate) differ."""
    columns = sorted(set(before.columns) | set(after.columns) - {"n_tokens", "n_markers"})
    b = before.reindex(columns=columns, fill_value=0.0).astype(float)
    a = after.reindex(columns=columns, fill_value=0.0).astype(float)
    changed = ((a - b).abs() > _EPS).any(axis=1) | (before["n_markers"] != after["n_markers"])
    return [i for i, flag in enumerate(changed) if flag]


def marker_changes(old: ToneResult, new: ToneResult) -> tuple[MarkerChange, ...]:
    """Markers of one text whose effective weight differs between two results."""

    def keyed(markers: Sequence[Marker]) -> dict[tuple[int, int, str, str], Marker]:
        return {(m.start_char, m.end_char, m.term.lower(), m.category): m for m in markers}

    before, after = keyed(old.markers), keyed(new.markers)
    out = []
    for key in sorted(set(before) | set(after)):
        o, n = before.get(key), after.get(key)
        ow = o.effective_weight if o else 0.0
        nw = n.effective_weight if n else 0.0
        if abs(ow - nw) > _EPS:
            m = n or o
            out.append(MarkerChange(m.term, m.category, m.text, m.start_char, m.end_char, ow, nw))
    return tuple(out)


# -- snapshots -----------------------------------------------------------------------


def _version() -> str:
    from . import __version__

    return __version__


def snapshot(
    corpus: CorpusLike, lexicon: LexiconLike = None, *, text: str = "text", id: str = "id"
) -> pd.DataFrame:
    """Per-document scores to store as a golden file, with the lexicon and tonekit version.

    >>> golden = snapshot("dprk_japan")
    >>> list(golden.columns[:4])
    ['id', 'hostility', 'courtesy', 'tone']
    """
    lex = resolve(lexicon)
    df = load_corpus(corpus)
    ids, texts = _ids(df, id), _texts(df, text)
    rows = score_rows(texts, lex)
    out = pd.DataFrame({"id": ids})
    for column in SNAPSHOT_COLUMNS:
        out[column] = rows[column].to_numpy() if len(rows) else []
    out["lexicon"] = lex.label
    out["lexicon_hash"] = lex.content_hash[:12]
    out["tonekit_version"] = _version()
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
        version=_version(),
    )


# -- behaviour cases -----------------------------------------------------------------

KINDS = ("mft", "invariance", "directional")
_KIND_ALIASES = {"minimum functionality": "mft", "minimum_functionality": "mft", "mft": "mft",
                 "invariance": "invariance", "inv": "invariance", "directional": "directional", "dir": "directional"}
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
_BASE_METRICS = ("hostility", "courtesy", "tone", "hostility_rate", "courtesy_rate", "n_markers", "n_tokens")
_MARKER_FIELDS = ("dimension", "category", "term", "text", "modifier", "active")
_CASE_FIELDS = {
    "name", "kind", "text", "template", "values", "expect", "transform", "metrics", "tolerance",
    "source", "tags", "xfail", "note", "capability",
}


class CaseFileError(ValueError):
    """A malformed case file: every problem with file, line and field."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} problem(s) in case file:\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class Case:
    """One behaviour case, parsed from a case file (see :func:`load_cases`)."""

    name: str
    kind: str
    text: str | None = None
    template: str | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    expect: tuple[Mapping[str, Any], ...] = ()
    transform: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[str, ...] = ("hostility", "courtesy")
    tolerance: float = 0.0
    source: str = ""
    xfail: str = ""
    file: str = ""
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else self.file

    def texts(self) -> list[str]:
        """The text, or the template expanded over every combination of its values."""
        if self.template is None:
            return [self.text or ""]
        keys = list(self.values)
        return [
            self.template.format_map(dict(zip(keys, combo)))
            for combo in itertools.product(*(self.values[k] for k in keys))
        ]


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: what was expected, what was measured, and whether it held."""

    name: str
    kind: str
    expectation: str
    measured: str
    passed: bool
    xfail: str = ""
    where: str = ""

    @property
    def status(self) -> str:
        if self.xfail:
            return "xpassed" if self.passed else "xfailed"
        return "passed" if self.passed else "failed"

    @property
    def ok(self) -> bool:
        """Passed, or failed as expected (an unexpected pass of an ``xfail`` case is not ok)."""
        return self.status in ("passed", "xfailed")

    def describe(self) -> str:
        reason = f" (xfail: {self.xfail})" if self.xfail else ""
        return f"{self.name} [{self.kind}] {self.status.upper()}{reason}: expected {self.expectation}; measured {self.measured}"


@dataclass(frozen=True)
class CasesReport:
    """One :class:`CaseResult` per case, in file order."""

    results: tuple[CaseResult, ...]
    lexicon: str = ""
    source: str = ""

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        """Cases that are not ok: failed, or unexpectedly passed an ``xfail``."""
        return tuple(r for r in self.results if not r.ok)

    @property
    def passed(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.passed

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("passed", "failed", "xfailed", "xpassed"), 0)
        for r in self.results:
            counts[r.status] += 1
        return counts

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{**asdict(r), "status": r.status} for r in self.results],
            columns=["name", "kind", "expectation", "measured", "passed", "xfail", "where", "status"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "lexicon": self.lexicon,
            "source": self.source,
            "passed": self.passed,
            "counts": self.counts(),
            "results": [{**asdict(r), "status": r.status} for r in self.results],
        }

    def __str__(self) -> str:
        c = self.counts()
        head = (
            f"{len(self.results)} cases [{self.lexicon}]: {c['passed']} passed, {c['failed']} failed, "
            f"{c['xfailed']} xfailed, {c['xpassed']} xpassed"
        )
        lines = [head]
        lines += [f"  {r.where + ': ' if r.where else ''}{r.describe()}" for r in self.failures]
        return "\n".join(lines)


def load_cases(path: str | Path) -> list[Case]:
    """Read a case file: JSON Lines (one case per line) or YAML (a list, or ``cases:`` list).

    Cases are data, parsed with ``json`` or ``yaml.safe_load``; expectations are fields,
    never code. Raises :class:`CaseFileError` listing every problem with its line.
    """
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError([f"{path}: cannot read: {exc}"]) from exc
    problems: list[str] = []
    records: list[tuple[int | None, Any]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        records = _yaml_records(content, path.name, problems)
    else:
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(f"{path.name}, line {number}: invalid JSON: {exc.msg} (column {exc.colno})")
    cases = parse_cases(records, path.name, problems)
    if problems:
        raise CaseFileError(problems)
    return cases


def _yaml_records(content: str, file: str, problems: list[str]) -> list[tuple[int | None, Any]]:
    try:
        import yaml
    except ImportError:  # JSONL needs nothing beyond the standard library
        problems.append(f"{file}: reading YAML case files needs PyYAML (pip install pyyaml)")
        return []
    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problems.append(f"{file}{where}: invalid YAML: {getattr(exc, 'problem', exc)}")
        return []
    if isinstance(data, dict) and "cases" in data:
        data = data["cases"]
        node = next((v for k, v in node.value if k.value == "cases"), None)
    if not isinstance(data, list):
        problems.append(f"{file}: expected a list of cases (or a mapping with a 'cases' list)")
        return []
    return [(item.start_mark.line + 1, value) for item, value in zip(node.value, data)]


def parse_cases(
    records: Iterable[tuple[int | None, Any]] | Iterable[Mapping[str, Any]],
    file: str = "",
    problems: list[str] | None = None,
) -> list[Case]:
    """Cases from dicts (or ``(line, dict)`` pairs); raises :class:`CaseFileError` when
    ``problems`` is not given and something is wrong."""
    own = problems is None
    problems = [] if problems is None else problems
    cases: list[Case] = []
    names: dict[str, int | None] = {}
    for i, record in enumerate(records):
        line, data = record if isinstance(record, tuple) else (None, record)
        where = f"{file or 'cases'}, " + (f"line {line}" if line is not None else f"case {i + 1}")
        case = data if isinstance(data, Case) else _parse_case(data, where, file, line, problems)
        if case is None:
            continue
        if case.name in names:
            problems.append(f"{where}, field 'name': duplicate case name {case.name!r}")
            continue
        names[case.name] = line
        cases.append(case)
    if own and problems:
        raise CaseFileError(problems)
    return cases


def _parse_case(data: Any, where: str, file: str, line: int | None, problems: list[str]) -> Case | None:
    def bad(field_name: str | None, message: str) -> None:
        problems.append(f"{where}" + (f", field {field_name!r}" if field_name else "") + f": {message}")

    if not isinstance(data, Mapping):
        bad(None, "a case must be an object")
        return None
    n_before = len(problems)
    unknown = sorted(set(data) - _CASE_FIELDS)
    if unknown:
        bad(None, f"unknown field(s): {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", "every case needs a name")
    kind = _KIND_ALIASES.get(str(data.get("kind", "mft")).lower())
    if kind is None:
        bad("kind", f"kind must be one of {KINDS}, got {data.get('kind')!r}")
    has_text, has_template = isinstance(data.get("text"), str), isinstance(data.get("template"), str)
    if has_text == has_template:
        bad("text", "give exactly one of 'text' or 'template' (a string)")
    values: dict[str, tuple[str, ...]] = {}
    if has_template:
        raw = data.get("values")
        if not isinstance(raw, Mapping) or not raw:
            bad("values", "a template needs 'values': {placeholder: [value, ...]}")
        else:
            for k, v in raw.items():
                if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
                    bad(f"values.{k}", "must be a non-empty list of strings")
                else:
                    values[str(k)] = tuple(v)
            fields = {f for _, f, _, _ in string.Formatter().parse(data["template"]) if f is not None}
            if fields - set(values):
                bad("template", f"placeholder(s) without values: {', '.join(sorted(fields - set(values)))}")
    expect = data.get("expect", [])
    expect = [expect] if isinstance(expect, Mapping) else expect
    if not isinstance(expect, list):
        bad("expect", "must be an object or a list of objects")
        expect = []
    transform = data.get("transform", {})
    metrics = data.get("metrics", ["hostility", "courtesy"])
    if kind == "mft":
        if not expect:
            bad("expect", "a minimum functionality case needs at least one expectation")
        for j, e in enumerate(expect):
            _check_expectation(e, f"expect[{j}]", bad)
    elif kind == "directional":
        if not isinstance(transform, Mapping) or not ({"text", "insert", "replace"} & set(transform)):
            bad("transform", "a directional case needs 'transform' with 'text', 'insert' or 'replace'")
        elif "insert" in transform and transform.get("at", "start") not in ("start", "end"):
            bad("transform.at", "must be 'start' or 'end'")
        elif "replace" in transform and not (
            isinstance(transform["replace"], Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in transform["replace"].items())
        ):
            bad("transform.replace", "must map strings to strings")
        if len(expect) != 1 or not isinstance(expect[0], Mapping):
            bad("expect", "a directional case needs one expectation {metric, direction}")
        else:
            e = expect[0]
            _check_metric(e.get("metric"), "expect.metric", bad)
            if e.get("direction") not in ("up", "down", "same"):
                bad("expect.direction", f"must be 'up', 'down' or 'same', got {e.get('direction')!r}")
            if not _is_number(e.get("min_delta", 0.0)):
                bad("expect.min_delta", "must be a number")
    elif kind == "invariance":
        if not has_template and not isinstance(transform, Mapping):
            bad("transform", "must be an object")
        if has_text and not transform:
            bad("template", "an invariance case needs a template with values (or a text and a transform)")
        if not isinstance(metrics, list) or not metrics:
            bad("metrics", "must be a non-empty list of metric names")
        else:
            for m in metrics:
                _check_metric(m, "metrics", bad)
    tolerance = data.get("tolerance", 0.0)
    if not _is_number(tolerance) or tolerance < 0:
        bad("tolerance", "must be a non-negative number")
    xfail = data.get("xfail", "")
    if not isinstance(xfail, str):
        bad("xfail", "must be a string giving the reason")
    if len(problems) > n_before:
        return None
    return Case(
        name=name.strip(),
        kind=kind,
        text=data.get("text"),
        template=data.get("template"),
        values=values,
        expect=tuple(expect),
        transform=dict(transform) if isinstance(transform, Mapping) else {},
        metrics=tuple(metrics),
        tolerance=float(tolerance),
        source=str(data.get("source", "")),
        xfail=xfail,
        file=file,
        line=line,
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_metric(metric: Any, where: str, bad) -> None:
    if not isinstance(metric, str) or not metric:
        bad(where, f"a metric name is needed ({', '.join(_BASE_METRICS)} or a category name)")


def _check_expectation(e: Any, where: str, bad) -> None:
    if not isinstance(e, Mapping):
        bad(where, "an expectation must be an object")
    elif "metric" in e:
        _check_metric(e["metric"], f"{where}.metric", bad)
        if e.get("op") not in OPS:
            bad(f"{where}.op", f"op must be one of {', '.join(OPS)}, got {e.get('op')!r}")
        if not _is_number(e.get("value")):
            bad(f"{where}.value", "must be a number")
    elif "marker" in e or "no_marker" in e:
        key = "marker" if "marker" in e else "no_marker"
        spec = e[key]
        if not isinstance(spec, Mapping):
            bad(f"{where}.{key}", "must be an object of marker fields")
            return
        unknown = sorted(set(spec) - set(_MARKER_FIELDS))
        if unknown:
            bad(f"{where}.{key}", f"unknown marker field(s) {', '.join(unknown)}; use {', '.join(_MARKER_FIELDS)}")
        if "count" in e and not (isinstance(e["count"], int) and e["count"] >= 0):
            bad(f"{where}.count", "must be a non-negative integer")
    else:
        bad(where, "an expectation needs 'metric' (with op and value), 'marker' or 'no_marker'")


def _metrics_of(case: Case) -> list[str]:
    if case.kind == "invariance":
        return list(case.metrics)
    return [e["metric"] for e in case.expect if "metric" in e]


def _metric(result: ToneResult, metric: str) -> float:
    """A score, a count or a category rate (names are checked by :func:`run_cases`)."""
    if metric in _BASE_METRICS:
        return float(getattr(result, metric))
    return float(result.categories.get(metric, 0.0))


def _marker_matches(m: Marker, spec: Mapping[str, Any]) -> bool:
    for key, want in spec.items():
        if key == "modifier":
            if want not in m.modifier_kinds:
                return False
        elif key == "active":
            if (m.effective_weight > 0) != bool(want):
                return False
        elif key in ("term", "text"):
            if str(getattr(m, key)).lower() != str(want).lower():
                return False
        elif getattr(m, key) != want:
            return False
    return True


def _marker_list(result: ToneResult) -> str:
    if not result.markers:
        return "no markers"
    items = []
    for m in result.markers:
        mods = "".join(f"+{k}" for k in m.modifier_kinds)
        items.append(f"{m.category}:{m.term!r}{mods} {m.effective_weight:g}")
    return "markers " + ", ".join(items)


def _spec_text(spec: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in spec.items()) or "any"


def _check_mft(expectations: Sequence[Mapping[str, Any]], result: ToneResult) -> tuple[str, str, bool]:
    wants, gots, ok = [], [], True
    for e in expectations:
        if "metric" in e:
            value = _metric(result, e["metric"])
            held = OPS[e["op"]](value, e["value"])
            wants.append(f"{e['metric']} {e['op']} {e['value']:g}")
            gots.append(f"{e['metric']} {value:.3f}")
        else:
            negative = "no_marker" in e
            spec = e["no_marker" if negative else "marker"]
            found = [m for m in result.markers if _marker_matches(m, spec)]
            if negative:
                held = not found
                wants.append(f"no marker with {_spec_text(spec)}")
            elif "count" in e:
                held = len(found) == e["count"]
                wants.append(f"{e['count']} marker(s) with {_spec_text(spec)}")
            else:
                held = bool(found)
                wants.append(f"a marker with {_spec_text(spec)}")
            gots.append(f"{len(found)} matching")
        ok = ok and held
    return "; ".join(wants), "; ".join(gots) + f" ({_marker_list(result)})", ok


def _transform(text: str, transform: Mapping[str, Any]) -> str:
    if "text" in transform:
        return str(transform["text"])
    if "insert" in transform:
        return transform["insert"] + text if transform.get("at", "start") == "start" else text + transform["insert"]
    out = text
    for old, new in transform["replace"].items():
        out = out.replace(old, new)
    return out


def _check_metrics(cases: Iterable[Case], lex: Lexicon) -> None:
    unknown = [
        f"{c.where or c.name}: unknown metric {m!r} (use {', '.join(_BASE_METRICS)} or a category of {lex.label})"
        for c in cases
        for m in _metrics_of(c)
        if m not in _BASE_METRICS and m not in lex.categories
    ]
    if unknown:
        raise CaseFileError(unknown)


def run_case(case: Case, lexicon: LexiconLike = None) -> list[CaseResult]:
    """Results of one case: one, or one per expansion of a minimum functionality or
    directional template (an invariance case compares its expansions: one result)."""
    lex = resolve(lexicon)
    _check_metrics([case], lex)
    texts = case.texts()
    expanded = case.template is not None and case.kind != "invariance"
    results = []
    if case.kind == "invariance":
        if case.template is None:
            texts = [texts[0], _transform(texts[0], case.transform)]
        scored = [score(t, lexicon=lex) for t in texts]
        spreads = {m: [_metric(r, m) for r in scored] for m in case.metrics}
        worst = {m: max(v) - min(v) for m, v in spreads.items()}
        passed = all(w <= case.tolerance + _EPS for w in worst.values())
        measured = ", ".join(f"{m} spread {w:.4f}" for m, w in worst.items())
        if not passed:
            m = max(worst, key=worst.get)
            hi, lo = max(range(len(texts)), key=lambda i: spreads[m][i]), min(range(len(texts)), key=lambda i: spreads[m][i])
            measured += f" ({m} {spreads[m][hi]:.3f} for {texts[hi]!r} vs {spreads[m][lo]:.3f} for {texts[lo]!r})"
        expectation = f"{', '.join(case.metrics)} unchanged within {case.tolerance:g} over {len(texts)} variants"
        return [CaseResult(case.name, case.kind, expectation, measured, passed, case.xfail, case.where)]
    for i, t in enumerate(texts):
        name = case.name if not expanded else f"{case.name}[{i}]"
        if case.kind == "mft":
            expectation, measured, passed = _check_mft(case.expect, score(t, lexicon=lex))
        else:
            e = case.expect[0]
            before, after = score(t, lexicon=lex), score(_transform(t, case.transform), lexicon=lex)
            b, a = _metric(before, e["metric"]), _metric(after, e["metric"])
            min_delta = float(e.get("min_delta", 0.0))
            if e["direction"] == "up":
                passed = a - b > min_delta
            elif e["direction"] == "down":
                passed = b - a > min_delta
            else:
                passed = abs(a - b) <= max(min_delta, case.tolerance) + _EPS
            expectation = f"{e['metric']} goes {e['direction']}" + (f" by more than {min_delta:g}" if min_delta else "")
            measured = f"{e['metric']} {b:.3f} -> {a:.3f} ({a - b:+.3f})"
        results.append(CaseResult(name, case.kind, expectation, measured, passed, case.xfail, case.where))
    return results


def run_cases(path_or_cases: str | Path | Iterable[Case | Mapping[str, Any]], lexicon: LexiconLike = None) -> CasesReport:
    """Run behaviour cases (a JSONL/YAML file, or cases/dicts) against a lexicon.

    >>> report = run_cases([{"name": "imbecile", "kind": "mft",
    ...     "text": "Abe is a perfect imbecile. (constructed)",
    ...     "expect": [{"marker": {"category": "insult", "modifier": "intensifier"}},
    ...                {"metric": "hostility", "op": ">=", "value": 0.5}]}])
    >>> report.passed, report.results[0].name
    (True, 'imbecile')
    """
    lex = resolve(lexicon)
    if isinstance(path_or_cases, (str, Path)):
        cases, source = load_cases(path_or_cases), str(path_or_cases)
    else:
        cases, source = parse_cases(list(path_or_cases)), ""
    _check_metrics(cases, lex)
    results: list[CaseResult] = []
    for case in cases:
        results.extend(run_case(case, lex))
    return CasesReport(tuple(results), lex.label, source)
