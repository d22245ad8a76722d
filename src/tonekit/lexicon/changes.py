"""What changed between two lexicons: entries added, removed, relabelled and reweighted,
and whether the categories or modifiers changed. Which documents a change moves is the
regression layer's part (:func:`tonekit.regression.diff`), built on this one.

>>> from tonekit.lexicon import Lexicon
>>> old = Lexicon.default()
>>> new = old.replace(entries=tuple(e for e in old if e.term != "stooge"))
>>> print(diff(old, new))  # doctest: +ELLIPSIS
Lexicon diff diplomatic-en@... -> diplomatic-en@...
entries: 0 added, 1 removed, 0 relabelled, 0 reweighted
  - 'stooge' hostility/epithet weight 2.5
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..shared import markdown_cell
from .core import Lexicon, resolve
from .model import Entry, number_text

_ORDER = {"removed": 0, "relabelled": 1, "reweighted": 2, "added": 3}


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
            return f"+ {n.term!r} {n.dimension}/{n.category} weight {number_text(n.weight)}"
        if self.kind == "removed":
            return f"- {o.term!r} {o.dimension}/{o.category} weight {number_text(o.weight)}"
        parts = []
        if (o.dimension, o.category) != (n.dimension, n.category):
            parts.append(f"{o.dimension}/{o.category} -> {n.dimension}/{n.category}")
        if o.weight != n.weight:
            parts.append(f"weight {number_text(o.weight)} -> {number_text(n.weight)}")
        if o.match != n.match:
            parts.append(f"match {o.match} -> {n.match}")
        return f"~ {n.term!r} " + ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "term": self.term, "old": _entry_dict(self.old), "new": _entry_dict(self.new)}


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
    return tuple(sorted(changes, key=lambda c: (_ORDER[c.kind], c.term.lower())))


@dataclass(frozen=True)
class EntryDiff:
    """The entries that changed between two lexicons, and whether their metadata did.

    Render with :meth:`to_text`, :meth:`to_markdown` (for a pull request) or :meth:`to_json`.
    """

    old_label: str
    new_label: str
    entries: tuple[EntryChange, ...]
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
        return {
            "old": self.old_label,
            "new": self.new_label,
            "entries_added": len(self.added),
            "entries_removed": len(self.removed),
            "entries_relabelled": len(self.relabelled),
            "entries_reweighted": len(self.reweighted),
            "metadata_changed": self.metadata_changed,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "entries": [c.to_dict() for c in self.entries]}

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def text_lines(self) -> list[str]:
        """The plain-text report, line by line (a document report continues it)."""
        s = self.summary
        return [
            f"Lexicon diff {self.old_label} -> {self.new_label}",
            f"entries: {s['entries_added']} added, {s['entries_removed']} removed, "
            f"{s['entries_relabelled']} relabelled, {s['entries_reweighted']} reweighted"
            + ("; metadata (categories/modifiers) changed" if self.metadata_changed else ""),
            *(f"  {c.describe()}" for c in self.entries),
        ]

    def markdown_lines(self) -> list[str]:
        """The Markdown report, line by line, every cell escaped."""
        s = self.summary
        out = [
            f"### Lexicon diff `{markdown_cell(self.old_label)}` → `{markdown_cell(self.new_label)}`",
            "",
            f"**Entries:** {s['entries_added']} added, {s['entries_removed']} removed, "
            f"{s['entries_relabelled']} relabelled, {s['entries_reweighted']} reweighted"
            + (" (metadata changed too)" if self.metadata_changed else ""),
        ]
        if self.entries:
            out += ["", "| change | term | old | new |", "|---|---|---|---|"]
            for c in self.entries:
                cells = (c.kind, c.term, _entry_label(c.old), _entry_label(c.new))
                out.append("| " + " | ".join(markdown_cell(x) for x in cells) + " |")
        return out

    def to_text(self) -> str:
        return "\n".join(self.text_lines())

    def to_markdown(self) -> str:
        return "\n".join(self.markdown_lines()) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def diff(old: Lexicon | str | Path | None, new: Lexicon | str | Path | None, corpus: Any = None, **options: Any) -> EntryDiff:
    """Entries added, removed, relabelled and reweighted between two lexicons (each a
    Lexicon, a bundled name or a CSV path).

    The documents of a corpus whose scores change are the regression layer's report:
    :func:`tonekit.regression.diff` (``tonekit lexicon diff --corpus``).

    >>> old = Lexicon.default()
    >>> new = old.replace(entries=tuple(e for e in old if e.term != "stooge"))
    >>> [c.term for c in diff(old, new).removed]
    ['stooge']
    """
    if corpus is not None or options:
        raise TypeError(
            "tonekit.lexicon.diff compares entries only; for the documents of a corpus whose scores "
            "change, use tonekit.regression.diff(old, new, corpus=...)"
        )
    old_lex, new_lex = resolve(old), resolve(new)
    return EntryDiff(
        old_label=old_lex.label,
        new_label=new_lex.label,
        entries=entry_changes(old_lex, new_lex),
        metadata_changed=old_lex.categories != new_lex.categories or old_lex.modifiers != new_lex.modifiers,
    )


def _entry_dict(e: Entry | None) -> dict[str, Any] | None:
    return None if e is None else asdict(e)


def _entry_label(e: Entry | None) -> str:
    # Exact weights: a reweighting in the 7th digit must not read "2.12346 -> 2.12346".
    return "" if e is None else f"{e.dimension}/{e.category} {number_text(e.weight)} ({e.match})"
