"""Forms of address: how a statement refers to a person (titled, bare name or derogatory).

Every reference to a target person is classified as

- ``titled``: the name with a title ("Prime Minister Kishida", "Mr. Abe"), or a
  name-less titled reference ("Japanese Prime Minister", "Your Excellency");
- ``bare``: the name alone ("Abe", "Kishida's visit");
- ``derogatory``: a reference with an insult, epithet or group noun bound to it
  ("the Abe clique", "the Kishida group of traitors", "Abe, a political dwarf",
  "traitor Abe", "Abe is none other than a perfect imbecile").

Targets are data (:func:`load_targets`): names and aliases, titles that may precede a
name, and name-less references. The bundled table covers Japanese prime ministers from
Koizumi to Takaichi. A name-less reference ("Your Excellency") is attributed to a target
only when the document's date falls in one of the target's tenures
(:func:`tonekit.eras.japan_prime_ministers`, matched by ``person``), or, for documents
without a date, when a single target is searched for.

Derogatory cues are data too: markers of the lexicon's derogatory categories (insult,
epithet, dehumanisation, contempt by default) found by the tonekit pipeline, and the
group nouns of ``data/targets/address_cues.json``. Negated markers (effective weight 0)
do not make a reference derogatory.

Example
-------
>>> refs = address_forms("Prime Minister Kishida met the press. Kishida smiled. "
...                      "The Kishida group of traitors lied. (constructed)", targets="Kishida")
>>> refs["form"].tolist()
['titled', 'bare', 'derogatory']
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from .eras import japan_prime_ministers
from .lexicon import Lexicon
from .pipeline import pipeline_for
from .shared import PathLike
from .stats import group_order

__all__ = [
    "Target", "TargetError", "FORMS", "load_targets", "address_cues",
    "address_forms", "address_shares", "address_metrics", "address_by_group",
]

FORMS = ("titled", "bare", "derogatory")
REFERENCE_COLUMNS = ["id", "target", "text", "start_char", "end_char", "form", "cue"]
_SEP = "|"


class TargetError(ValueError):
    """Invalid targets table; the message names the file, line and field."""


@dataclass(frozen=True)
class Target:
    """A person whose forms of address are counted.

    >>> t = load_targets()["Kishida"]
    >>> t.person, t.names[0], "Prime Minister" in t.titles
    ('Fumio Kishida', 'Fumio Kishida', True)
    """

    target: str
    person: str
    names: tuple[str, ...]
    titles: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    note: str = ""


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split(_SEP) if x.strip())


def _read_targets(fh: IO[str], name: str) -> dict[str, Target]:
    reader = csv.DictReader(fh)
    header = reader.fieldnames or []
    lacking = [c for c in ("target", "names") if c not in header]
    if lacking:
        raise TargetError(f"{name}, line 1: missing column(s) {', '.join(lacking)} (have {header})")
    targets: dict[str, Target] = {}
    problems = []
    for row in reader:
        line = reader.line_num
        label = (row.get("target") or "").strip()
        names = _split(row.get("names") or "")
        if not label:
            problems.append(f"{name}, line {line}, field 'target': empty target")
            continue
        if not names:
            problems.append(f"{name}, line {line}, field 'names': no names (separate aliases with '{_SEP}')")
            continue
        if label in targets:
            problems.append(f"{name}, line {line}, field 'target': duplicate target {label!r}")
            continue
        targets[label] = Target(label, (row.get("person") or "").strip() or names[0], names,
                                _split(row.get("titles") or ""), _split(row.get("references") or ""),
                                (row.get("note") or "").strip())
    if problems:
        raise TargetError(f"{len(problems)} problem(s) in {name}:\n" + "\n".join(f"  {p}" for p in problems))
    if not targets:
        raise TargetError(f"{name}: no targets")
    return targets


@functools.cache
def _bundled_targets() -> dict[str, Target]:
    res = resources.files("tonekit") / "data" / "targets" / "japan_prime_ministers.csv"
    with res.open("r", encoding="utf-8-sig", newline="") as fh:
        return _read_targets(fh, "japan_prime_ministers.csv")


def load_targets(path: PathLike | None = None) -> dict[str, Target]:
    """Targets by label, from a CSV (columns target, names; optional person, titles,
    references, note; aliases separated by ``|``) or the bundled Japanese prime ministers.

    >>> sorted(load_targets())[:3]
    ['Abe', 'Aso', 'Fukuda']
    """
    if path is None:
        return dict(_bundled_targets())
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return _read_targets(fh, os.fspath(path))


@functools.cache
def address_cues() -> dict[str, Any]:
    """The bundled derogatory cues (group nouns, categories, binding windows)."""
    res = resources.files("tonekit") / "data" / "targets" / "address_cues.json"
    return json.loads(res.read_text(encoding="utf-8"))


def _resolve_targets(targets: str | Target | Sequence[str | Target] | PathLike | None) -> list[Target]:
    if targets is None:
        return list(_bundled_targets().values())
    if isinstance(targets, Target):
        return [targets]
    if isinstance(targets, (str, os.PathLike)) and str(targets).lower().endswith(".csv"):
        return list(load_targets(targets).values())
    if isinstance(targets, str):
        targets = [targets]
    bundled = _bundled_targets()
    out = []
    for t in targets:
        if isinstance(t, Target):
            out.append(t)
        elif t in bundled:
            out.append(bundled[t])
        else:
            raise KeyError(f"unknown target {t!r}; bundled targets: {', '.join(bundled)} "
                           "(or pass Target objects or a targets CSV)")
    return out


class _Finder:
    """Token matchers for one set of targets on one tokenizer vocabulary."""

    def __init__(self, nlp: Any, targets: list[Target]) -> None:
        cues = address_cues()
        self.nlp = nlp
        self.targets = targets
        self.categories = frozenset(cues["derogatory_categories"])
        self.group_nouns = frozenset(cues["group_nouns"])
        self.starters = frozenset(cues["appositive_starters"])
        self.copulas = frozenset(cues["copulas"])
        self.app_window = int(cues["appositive_window"])
        self.cop_window = int(cues["copula_window"])
        self.names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.generic = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.titles: dict[str, list[list[str]]] = {}
        for t in targets:
            self.names.add(t.target, [nlp.make_doc(n) for n in t.names])
            if t.references:
                self.generic.add(t.target, [nlp.make_doc(r.lower()) for r in t.references])
            self.titles[t.target] = sorted(([w.lower_ for w in nlp.make_doc(x)] for x in t.titles), key=len, reverse=True)
        table = japan_prime_ministers()
        self.tenures = {t.target: [x for x in table if x.person == t.person] for t in targets}

    def _title_start(self, doc: Doc, start: int, target: str) -> int:
        for words in self.titles[target]:
            s = start - len(words)
            if s >= 0 and [w.lower_ for w in doc[s:start]] == words:
                return s
        return start

    def _derogatory(self, doc: Doc, start: int, end: int, marks: dict[int, Any], ends: dict[int, Any]) -> str | None:
        n = len(doc)
        after = end
        if after < n and doc[after].lower_ in ("'s", "\u2019s"):
            after += 1
        if after < n and doc[after].lower_ in self.group_nouns:
            return doc[after].text
        if end in marks or after in marks:  # "the Abe clique", "Yoon's puppet regime"
            return marks[end if end in marks else after].text
        if start in ends:  # "traitor Abe"
            return ends[start].text
        if end < n and doc[end].text == ",":
            nxt = end + 1
            if nxt in marks:
                return marks[nxt].text
            if nxt < n and doc[nxt].lower_ in self.starters:
                for i in range(nxt + 1, min(n, nxt + 1 + self.app_window)):
                    if doc[i].is_punct and doc[i].text not in ("-", "\u2010"):
                        break
                    if i in marks:
                        return marks[i].text
        if end < n and doc[end].lower_ in self.copulas:
            for i in range(end + 1, min(n, end + 1 + self.cop_window)):
                if doc[i].is_sent_start or (doc[i].is_punct and doc[i].text not in ("-", "\u2010", ",")):
                    break
                if i in marks:
                    return marks[i].text
        return None

    def find(self, doc: Doc, day: dt.date | None) -> list[dict[str, Any]]:
        marks: dict[int, Any] = {}
        ends: dict[int, Any] = {}
        for m in doc._.tonekit.markers:
            if m.category in self.categories and m.effective_weight > 0:
                marks.setdefault(m.start, m)
                ends.setdefault(m.end, m)
        strings = self.nlp.vocab.strings
        spans = filter_spans([doc[s:e] for _, s, e in self.names(doc)])
        label_of = {(s, e): strings[k] for k, s, e in self.names(doc)}
        refs = []
        taken: list[tuple[int, int]] = []
        for span in spans:
            target = label_of[(span.start, span.end)]
            s = self._title_start(doc, span.start, target)
            refs.append((target, s, span.end, "titled" if s < span.start else "bare", doc[s:span.start].text))
            taken.append((s, span.end))
        single = len(self.targets) == 1
        generic = filter_spans([doc[s:e] for _, s, e in self.generic(doc)])
        generic_label = {}
        for k, s, e in self.generic(doc):
            generic_label.setdefault((s, e), []).append(strings[k])
        for span in generic:
            if any(span.start < e and s < span.end for s, e in taken):
                continue
            for target in generic_label[(span.start, span.end)]:
                in_office = any(t.covers(day) for t in self.tenures[target]) if day is not None else single
                if in_office:
                    refs.append((target, span.start, span.end, "titled", span.text))
        out = []
        for target, s, e, form, cue in sorted(refs, key=lambda r: (r[1], r[0])):
            bad = self._derogatory(doc, s, e, marks, ends)
            if bad is not None:
                form, cue = "derogatory", bad
            out.append({"target": target, "text": doc[s:e].text, "start_char": doc[s].idx,
                        "end_char": doc[e - 1].idx + len(doc[e - 1]), "form": form, "cue": cue})
        return out


def _day(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def address_forms(
    corpus: pd.DataFrame | str,
    targets: str | Target | Sequence[str | Target] | PathLike | None = None,
    *,
    text: str = "text",
    id: str = "id",  # noqa: A002 - the corpus column name
    date: str | None = "date",
    lexicon: Lexicon | str | Path | None = None,
) -> pd.DataFrame:
    """One row per reference to a target: id, target, text, start_char, end_char, form, cue.

    ``corpus`` is a DataFrame (columns ``id``, ``text`` and, if present, ``date``) or a
    single text (id 0). ``targets``: a bundled target label ("Abe"), several, Target
    objects, a targets CSV path, or None for every bundled target. ``cue`` is the title,
    the derogatory word(s) or the name-less reference that decided the form.

    >>> address_forms(corpus, targets=["Abe", "Suga", "Kishida"])        # doctest: +SKIP
    """
    if isinstance(corpus, str):
        corpus = pd.DataFrame({id: [0], text: [corpus]})
    for col in (id, text):
        if col not in corpus.columns:
            raise KeyError(f"no column {col!r} in the corpus; columns are {list(corpus.columns)}")
    nlp = pipeline_for(lexicon)
    finder = _Finder(nlp, _resolve_targets(targets))
    dates = corpus[date] if date is not None and date in corpus.columns else pd.Series([None] * len(corpus))
    texts = corpus[text].tolist()
    for position, value in enumerate(texts):
        if not isinstance(value, str):
            raise TypeError(f"row {position} (id {corpus[id].iloc[position]!r}), field {text!r}: "
                            f"text must be a string, not {value!r:.40}")
    rows = []
    for doc_id, day, doc in zip(corpus[id].tolist(), dates.tolist(), nlp.pipe(texts)):
        for ref in finder.find(doc, _day(day)):
            rows.append({"id": doc_id, **ref})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def address_shares(references: pd.DataFrame, corpus: pd.DataFrame | None = None, *, id: str = "id") -> pd.DataFrame:  # noqa: A002
    """Per-document counts and shares of each form.

    Columns: ``address_n``, ``address_titled``, ``address_bare``, ``address_derogatory``
    and the ``address_<form>_share`` columns (NaN for a document without references, so
    :func:`tonekit.compare.compare` drops it and reports it as missing). With ``corpus``
    the result has one row per corpus row, on the corpus index, ready to
    ``pd.concat([scores, shares], axis=1)``; otherwise one row per referenced id.
    """
    counts = (references.groupby(["id", "form"]).size().unstack(fill_value=0)
              .reindex(columns=list(FORMS), fill_value=0))
    if corpus is not None:
        counts = counts.reindex(corpus[id].to_numpy(), fill_value=0)
    out = pd.DataFrame({f"address_{f}": counts[f].to_numpy(dtype="int64") for f in FORMS}, index=counts.index)
    out.insert(0, "address_n", out.sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        for f in FORMS:
            out[f"address_{f}_share"] = np.where(out["address_n"] > 0, out[f"address_{f}"] / out["address_n"], np.nan)
    if corpus is not None:
        out.index = corpus.index
    else:
        out = out.rename_axis(id).reset_index()
    return out


def address_metrics(corpus: pd.DataFrame, targets: Any = None, **kwargs: Any) -> pd.DataFrame:
    """:func:`address_forms` + :func:`address_shares` on the corpus index (one row per document).

    >>> scores = pd.concat([scores, address_metrics(corpus, ["Abe", "Suga", "Kishida"])], axis=1)  # doctest: +SKIP
    >>> compare(scores, metrics=["address_derogatory_share"])                                      # doctest: +SKIP
    """
    id_col = kwargs.get("id", "id")
    return address_shares(address_forms(corpus, targets, **kwargs), corpus, id=id_col)


def address_by_group(frame: pd.DataFrame, by: str = "era", groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Per group: documents, documents with references, counts and pooled shares of each form.

    ``frame`` holds ``by`` and the count columns of :func:`address_shares`.
    """
    order = group_order(frame[by], groups, by)
    labels = frame[by].astype("string")
    rows = []
    for g in order:
        sub = frame[(labels == g).fillna(False).to_numpy()]
        n = int(sub["address_n"].sum())
        row: dict[str, Any] = {"group": g, "n_docs": len(sub), "n_docs_with_references": int((sub["address_n"] > 0).sum()),
                               "n_references": n}
        for f in FORMS:
            row[f] = int(sub[f"address_{f}"].sum())
        for f in FORMS:
            row[f"{f}_share"] = row[f] / n if n else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
