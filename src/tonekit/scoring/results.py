"""Frozen results: the markers (evidence) of a text and the scores they add up to.

A :class:`ToneResult` is built by :func:`build_result` from the markers and sentence
bounds of a text, with the one aggregation of :mod:`tonekit.scoring.formula`; it turns
into plain data (:meth:`ToneResult.to_data`, what the spaCy component stores on a Doc)
and back (:meth:`ToneResult.from_data`) without loss.

>>> m = Marker("idiot", 4, 9, "hostility", "insult", "idiot", 2.5, 2.5)
>>> r = build_result("You idiot.", [m], 3, [(0, 10, 3)], ["insult"])
>>> round(r.hostility, 3), r.n_markers
(0.956, 1)
>>> ToneResult.from_data(r.text, r.to_data()) == r
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from .display import render_html
from .formula import totals


@dataclass(frozen=True)
class Modifier:
    """A change applied to a marker, with the cue that triggered it."""

    kind: str  # negation | intensifier | downtoner | contrast | distanced
    factor: float
    cue: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Marker:
    """A lexicon entry (or a distancing device) found in a text: the evidence of a score."""

    text: str
    start_char: int
    end_char: int
    dimension: str
    category: str
    term: str
    weight: float
    effective_weight: float
    modifiers: tuple[Modifier, ...] = ()
    sentence: int = 0
    start: int = 0  # token offsets within the Doc
    end: int = 0

    @property
    def modifier_kinds(self) -> tuple[str, ...]:
        return tuple(m.kind for m in self.modifiers)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Marker:
        """The inverse of :meth:`to_dict` (lists for tuples, as JSON and msgpack give them)."""
        return cls(**{**data, "modifiers": tuple(Modifier(**x) for x in data.get("modifiers", ()))})


@dataclass(frozen=True)
class SentenceTone:
    """Scores of one sentence; its markers are those with ``marker.sentence == index``.
    Its text is its words: the line breaks around it belong to no sentence."""

    index: int
    text: str
    start_char: int
    end_char: int
    n_tokens: int
    hostility: float
    courtesy: float
    tone: float
    hostility_rate: float
    courtesy_rate: float


@dataclass(frozen=True)
class ToneResult:
    """Scores of a text with the evidence for them.

    >>> import tonekit
    >>> r = tonekit.score("We kindly request that Japan cease its hostile acts.")
    >>> r.hostility > 0 and r.courtesy > 0
    True
    """

    text: str
    hostility: float
    courtesy: float
    tone: float
    hostility_rate: float
    courtesy_rate: float
    categories: Mapping[str, float]
    n_tokens: int
    markers: tuple[Marker, ...]
    sentences: tuple[SentenceTone, ...]
    lexicon: str = ""

    @property
    def n_markers(self) -> int:
        """Markers that count (effective weight above zero)."""
        return sum(m.effective_weight > 0 for m in self.markers)

    def sentence_markers(self, index: int) -> tuple[Marker, ...]:
        return tuple(m for m in self.markers if m.sentence == index)

    def __repr__(self) -> str:
        return (
            f"ToneResult(hostility={self.hostility:.3f}, courtesy={self.courtesy:.3f}, "
            f"tone={self.tone:+.3f}, n_tokens={self.n_tokens}, markers={len(self.markers)})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): scores, categories, markers and sentences."""
        data = asdict(self)
        data["categories"] = dict(self.categories)
        return data

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def to_data(self) -> dict[str, Any]:
        """What the scores are computed from, as plain data (see :func:`result_data`)."""
        return result_data(
            self.markers, self.n_tokens, [(s.start_char, s.end_char, s.n_tokens) for s in self.sentences],
            self.categories, self.lexicon,
        )

    @classmethod
    def from_data(cls, text: str, data: Mapping[str, Any]) -> ToneResult:
        """The result of ``text`` from :meth:`to_data`: scores recomputed, identical."""
        return build_result(
            text,
            [Marker.from_dict(m) for m in data["markers"]],
            data["n_tokens"],
            [tuple(s) for s in data["sentences"]],
            data["categories"],
            data["lexicon"],
        )

    def markers_frame(self) -> pd.DataFrame:
        """One row per marker, modifiers flattened to ``kind(cue)xfactor`` strings."""
        columns = [
            "text", "start_char", "end_char", "dimension", "category", "term",
            "weight", "effective_weight", "modifiers", "sentence",
        ]
        rows = [
            [
                m.text, m.start_char, m.end_char, m.dimension, m.category, m.term,
                m.weight, m.effective_weight,
                "; ".join(f"{x.kind}({x.cue})x{x.factor:g}" for x in m.modifiers),
                m.sentence,
            ]
            for m in self.markers
        ]
        return pd.DataFrame(rows, columns=columns)

    def sentences_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(s) for s in self.sentences])

    def _repr_html_(self) -> str:
        return render_html(self)


def _weights(markers: Iterable[Marker]):
    return ((m.dimension, m.category, m.effective_weight) for m in markers)


def result_data(
    markers: Iterable[Marker],
    n_tokens: int,
    sentences: Iterable[tuple[int, int, int]],
    categories: Iterable[str],
    lexicon: str = "",
) -> dict[str, Any]:
    """What a result is computed from, as plain data (dicts, lists, numbers; no text, no
    scores): the form kept on a spaCy Doc, so that ``DocBin`` and
    ``nlp.pipe(n_process=...)`` carry it. :meth:`ToneResult.from_data` rebuilds the result."""
    return {
        "lexicon": lexicon,
        "categories": list(categories),
        "n_tokens": n_tokens,
        "sentences": [list(s) for s in sentences],
        "markers": [m.to_dict() for m in markers],
    }


def build_result(
    text: str,
    markers: Sequence[Marker],
    n_tokens: int,
    sentences: Sequence[tuple[int, int, int]],
    categories: Iterable[str],
    lexicon: str = "",
) -> ToneResult:
    """The result of a text from its markers and sentence bounds, ``(start_char,
    end_char, n_tokens)`` per sentence; ``categories`` are the lexicon's, in order."""
    per_sentence: list[list[Marker]] = [[] for _ in sentences]
    for m in markers:
        if 0 <= m.sentence < len(per_sentence):
            per_sentence[m.sentence].append(m)
    scores = totals(_weights(markers), n_tokens)
    by_category = dict.fromkeys(categories, 0.0)
    by_category.update(scores.categories)
    return ToneResult(
        text,
        *scores[:5],
        categories=by_category,
        n_tokens=n_tokens,
        markers=tuple(markers),
        sentences=tuple(
            sentence_tone(i, text[s:e], s, e, n, per_sentence[i]) for i, (s, e, n) in enumerate(sentences)
        ),
        lexicon=lexicon,
    )


def sentence_tone(
    index: int, text: str, start: int, end: int, n_tokens: int, markers: Iterable[Marker]
) -> SentenceTone:
    """Scores of the sentence ``text`` (characters ``start:end`` of its document)."""
    return SentenceTone(index, text, start, end, n_tokens, *totals(_weights(markers), n_tokens)[:5])


def merge(parts: Iterable[tuple[int, int, ToneResult]], text: str, categories: Iterable[str]) -> ToneResult:
    """Join the results of consecutive pieces of one long text: ``(char_offset,
    token_offset, result)`` per piece, the offsets of its first character and token
    (an iterator of pieces is read one piece at a time)."""
    markers: list[Marker] = []
    sentences: list[tuple[int, int, int]] = []
    n_tokens = 0
    lexicon = ""
    for offset, token_offset, part in parts:
        lexicon = part.lexicon
        base = len(sentences)
        markers += [
            replace(
                m,
                start_char=m.start_char + offset,
                end_char=m.end_char + offset,
                sentence=m.sentence + base,
                start=m.start + token_offset,
                end=m.end + token_offset,
                modifiers=tuple(
                    replace(x, start_char=x.start_char + offset, end_char=x.end_char + offset) for x in m.modifiers
                ),
            )
            for m in part.markers
        ]
        sentences += [(s.start_char + offset, s.end_char + offset, s.n_tokens) for s in part.sentences]
        n_tokens += part.n_tokens
    return build_result(text, markers, n_tokens, sentences, categories, lexicon)
