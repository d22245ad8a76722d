"""Which documents a lexicon change moves, by how much, and which markers moved them.

:func:`diff` extends the entry diff of :func:`tonekit.lexicon.diff` with a corpus: each
changed document with its old and new scores and the markers responsible, ranked by
the size of the change, and the mean change per group (e.g. ``era``).

>>> from tonekit.lexicon import Lexicon
>>> old = Lexicon.default()
>>> new = old.replace(entries=tuple(e for e in old if e.term != "puppet"))
>>> report = diff(old, new, corpus="dprk_japan")
>>> [c.term for c in report.removed], report.documents[0].markers[0].term
(['puppet'], 'puppet')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from ..lexicon import EntryDiff, resolve
from ..lexicon import diff as entry_diff
from ..pipeline import score
from ..scoring import Marker, ToneResult
from ..shared import markdown_cell
from .documents import (
    CHECKED_COLUMNS,
    EPS,
    CorpusLike,
    LexiconLike,
    document_ids,
    document_texts,
    load_corpus,
    score_rows,
)


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
class LexiconDiff(EntryDiff):
    """What changed between two lexicons and, with a corpus, which documents moved.

    The entries part is an :class:`~tonekit.lexicon.EntryDiff`. Render with
    :meth:`to_text`, :meth:`to_markdown` (for a pull request) or :meth:`to_json`.
    """

    documents: tuple[DocumentChange, ...] = ()
    n_documents: int | None = None  # None: no corpus was given
    group: str | None = None
    group_summary: tuple[Mapping[str, Any], ...] = ()

    @property
    def summary(self) -> dict[str, Any]:
        largest = self.documents[0] if self.documents else None
        return {
            **super().summary,
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
            **super().to_dict(),
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

    def to_text(self, top: int | None = 20) -> str:
        lines = self.text_lines()
        if self.n_documents is not None:
            lines.append(f"documents: {self.summary['documents_changed']} of {self.n_documents} changed")
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
        out = self.markdown_lines()
        if self.n_documents is not None:
            md = markdown_cell
            largest = (
                f"; largest change `{md(self.documents[0].id)}` ({self.documents[0].size:.4f})"
                if self.documents else ""
            )
            out += ["", f"**Documents:** {self.summary['documents_changed']} of {self.n_documents} changed{largest}"]
            if self.documents:
                group_col = f" {md(str(self.group))} |" if self.group else ""
                out += [
                    "",
                    f"| document |{group_col} hostility | courtesy | tone | markers responsible |",
                    "|---|" + ("---|" if self.group else "") + "---|---|---|---|",
                ]
                for d in self._top(top):
                    cells = [f"`{md(d.id)}`"] + ([md(str(d.group))] if self.group else [])
                    cells += [f"{d.old[m]:.3f} → {d.new[m]:.3f} ({d.delta(m):+.3f})" for m in CHECKED_COLUMNS]
                    cells.append("<br>".join(md(x.describe()) for x in d.markers))
                    out.append("| " + " | ".join(cells) + " |")
                out += self._more(top, "")
            if self.group_summary:
                out += ["", f"**Mean change by {md(str(self.group))}:**", "",
                        "| group | changed | hostility | courtesy | tone |", "|---|---|---|---|---|"]
                for g in self.group_summary:
                    out.append(
                        f"| {md(str(g['group']))} | {g['changed']}/{g['documents']} | "
                        + " | ".join(f"{g['mean_d_' + m]:+.4f}" for m in CHECKED_COLUMNS) + " |"
                    )
        return "\n".join(out) + "\n"

    def _top(self, top: int | None) -> tuple[DocumentChange, ...]:
        return self.documents if top is None else self.documents[:top]

    def _more(self, top: int | None, indent: str) -> list[str]:
        hidden = len(self.documents) - len(self._top(top))
        return [f"{indent}... and {hidden} more document(s)"] if hidden > 0 else []


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
    >>> from dataclasses import replace
    >>> new = old.replace(entries=tuple(replace(e, weight=3.0) if e.term == "reactionary" else e
    ...                                 for e in old))
    >>> d = diff(old, new, corpus="dprk_japan", group="era")
    >>> d.reweighted[0].term, d.summary["documents_changed"] > 0
    ('reactionary', True)
    """
    old_lex, new_lex = resolve(old), resolve(new)
    entries = entry_diff(old_lex, new_lex)
    base = {
        "old_label": entries.old_label,
        "new_label": entries.new_label,
        "entries": entries.entries,
        "metadata_changed": entries.metadata_changed,
    }
    if corpus is None:
        return LexiconDiff(**base)
    df = load_corpus(corpus, text)
    ids, texts = document_ids(df, id), document_texts(df, text)
    if group is not None and group not in df.columns:
        raise ValueError(f"the corpus has no group column {group!r}")
    groups = [None if pd.isna(g) else str(g) for g in df[group]] if group else [None] * len(ids)
    before, after = score_rows(texts, old_lex), score_rows(texts, new_lex)
    moved = _moved(before, after)
    documents = [
        DocumentChange(
            id=ids[i],
            group=groups[i],
            old={m: float(before.at[i, m]) for m in CHECKED_COLUMNS},
            new={m: float(after.at[i, m]) for m in CHECKED_COLUMNS},
            markers=marker_changes(score(texts[i], lexicon=old_lex), score(texts[i], lexicon=new_lex)),
        )
        for i in moved
    ]
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
        **base, documents=tuple(documents), n_documents=len(ids), group=group, group_summary=tuple(summary)
    )


def _moved(before: pd.DataFrame, after: pd.DataFrame) -> list[int]:
    """Row positions whose scores (bounded scores or any category rate) differ."""
    columns = sorted(set(before.columns) | set(after.columns) - {"n_tokens", "n_markers"})
    b = before.reindex(columns=columns, fill_value=0.0).astype(float)
    a = after.reindex(columns=columns, fill_value=0.0).astype(float)
    # An empty text has no scores (NA) under either lexicon: it never moves.
    markers = [frame["n_markers"].astype(float).fillna(-1.0) for frame in (before, after)]
    changed = ((a - b).abs() > EPS).any(axis=1) | (markers[0] != markers[1])
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
        if abs(ow - nw) > EPS:
            m = n or o
            out.append(MarkerChange(m.term, m.category, m.text, m.start_char, m.end_char, ow, nw))
    return tuple(out)
