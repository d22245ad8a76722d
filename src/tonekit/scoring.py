"""Modifiers and aggregation: the one place where the formulas live.

A *marker* is a lexicon entry found in a text. Its effective weight is the entry's
weight times the factors of the modifiers that apply to it (negation, intensifier,
downtoner, contrast, distancing). Per dimension, the effective weights are summed
and turned into a bounded score that is comparable across lengths::

    density = 100 * W / (n_tokens + PRIOR_TOKENS)      # weighted markers per 100 tokens,
                                                        # shrunk for very short texts
    score   = 1 - exp(-density / SCALE)                 # in [0, 1), saturating

``tone = courtesy - hostility`` is derived from the two axes, never the reverse.

>>> round(saturate(3.0, 20), 3)   # one weight-3 insult in a 20-token sentence
0.699
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

PRIOR_TOKENS = 5.0  # pseudo-tokens: one marker in a two-word text is not 50 per 100
SCALE = 10.0


def saturate(weight_sum: float, n_tokens: int) -> float:
    """Bounded score in [0, 1) of a sum of effective weights over ``n_tokens`` tokens."""
    if weight_sum <= 0.0:
        return 0.0
    density = 100.0 * weight_sum / (n_tokens + PRIOR_TOKENS)
    return 1.0 - math.exp(-density / SCALE)


def rate(weight_sum: float, n_tokens: int) -> float:
    """Weighted markers per 100 tokens (0 for an empty text)."""
    return 100.0 * weight_sum / n_tokens if n_tokens else 0.0


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


@dataclass(frozen=True)
class SentenceTone:
    """Scores of one sentence; its markers are those with ``marker.sentence == index``."""

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
        from .viz import render_html  # matplotlib-free, but only needed in notebooks

        return render_html(self)


# -- aggregation ------------------------------------------------------------------


def dimension_sums(markers: Iterable[Marker]) -> dict[str, float]:
    sums = {"hostility": 0.0, "courtesy": 0.0}
    for m in markers:
        sums[m.dimension] += m.effective_weight
    return sums


def aggregate(
    text: str,
    markers: Sequence[Marker],
    n_tokens: int,
    sentences: Sequence[tuple[int, int, int]],
    categories: Iterable[str],
    lexicon: str = "",
) -> ToneResult:
    """Build the result of a text from its markers and sentence bounds.

    ``sentences`` holds ``(start_char, end_char, n_tokens)`` per sentence.
    """
    sums = dimension_sums(markers)
    hostility = saturate(sums["hostility"], n_tokens)
    courtesy = saturate(sums["courtesy"], n_tokens)
    by_category = dict.fromkeys(categories, 0.0)
    for m in markers:
        by_category[m.category] = by_category.get(m.category, 0.0) + m.effective_weight
    per_sentence: list[list[Marker]] = [[] for _ in sentences]
    for m in markers:
        if 0 <= m.sentence < len(per_sentence):
            per_sentence[m.sentence].append(m)
    sentence_results = tuple(
        sentence_tone(i, text[s:e], s, e, n, per_sentence[i])
        for i, (s, e, n) in enumerate(sentences)
    )
    return ToneResult(
        text=text,
        hostility=hostility,
        courtesy=courtesy,
        tone=courtesy - hostility,
        hostility_rate=rate(sums["hostility"], n_tokens),
        courtesy_rate=rate(sums["courtesy"], n_tokens),
        categories={c: rate(w, n_tokens) for c, w in by_category.items()},
        n_tokens=n_tokens,
        markers=tuple(markers),
        sentences=sentence_results,
        lexicon=lexicon,
    )


def scores_row(markers: Sequence[Marker], n_tokens: int, categories: Mapping[str, float]) -> dict[str, Any]:
    """Document scores as a flat dict: the columns of a batch output row.

    ``categories`` maps every category to 0.0 (the columns a row always has).
    """
    if not markers:  # the common case in a corpus: keep it cheap
        return {**_ZERO_SCORES, "n_tokens": n_tokens, **categories}
    sums = dimension_sums(markers)
    hostility = saturate(sums["hostility"], n_tokens)
    courtesy = saturate(sums["courtesy"], n_tokens)
    row: dict[str, Any] = {
        "hostility": hostility,
        "courtesy": courtesy,
        "tone": courtesy - hostility,
        "hostility_rate": rate(sums["hostility"], n_tokens),
        "courtesy_rate": rate(sums["courtesy"], n_tokens),
        "n_tokens": n_tokens,
        "n_markers": sum(m.effective_weight > 0 for m in markers),
    }
    row.update(categories)
    for m in markers:
        row[m.category] = row.get(m.category, 0.0) + m.effective_weight
    for c in {m.category for m in markers}:
        row[c] = rate(row[c], n_tokens)
    return row


_ZERO_SCORES = {
    "hostility": 0.0, "courtesy": 0.0, "tone": 0.0, "hostility_rate": 0.0,
    "courtesy_rate": 0.0, "n_tokens": 0, "n_markers": 0,
}


def sentence_tone(
    index: int, text: str, start: int, end: int, n_tokens: int, markers: Iterable[Marker]
) -> SentenceTone:
    sums = dimension_sums(markers)
    hostility = saturate(sums["hostility"], n_tokens)
    courtesy = saturate(sums["courtesy"], n_tokens)
    return SentenceTone(
        index=index,
        text=text,
        start_char=start,
        end_char=end,
        n_tokens=n_tokens,
        hostility=hostility,
        courtesy=courtesy,
        tone=courtesy - hostility,
        hostility_rate=rate(sums["hostility"], n_tokens),
        courtesy_rate=rate(sums["courtesy"], n_tokens),
    )


def merge(parts: Sequence[tuple[int, ToneResult]], text: str, categories: Iterable[str]) -> ToneResult:
    """Join the results of consecutive pieces of one long text (``(char_offset, result)``)."""
    markers: list[Marker] = []
    sentences: list[tuple[int, int, int]] = []
    n_tokens = 0
    for offset, part in parts:
        base = len(sentences)
        for m in part.markers:
            markers.append(
                Marker(
                    **{
                        **m.__dict__,
                        "start_char": m.start_char + offset,
                        "end_char": m.end_char + offset,
                        "sentence": m.sentence + base,
                        "modifiers": tuple(
                            Modifier(x.kind, x.factor, x.cue, x.start_char + offset, x.end_char + offset)
                            for x in m.modifiers
                        ),
                    }
                )
            )
        sentences.extend((s.start_char + offset, s.end_char + offset, s.n_tokens) for s in part.sentences)
        n_tokens += part.n_tokens
    lexicon = parts[0][1].lexicon if parts else ""
    return aggregate(text, markers, n_tokens, sentences, categories, lexicon)


# -- modifiers ---------------------------------------------------------------------

# Words a negator may skip to reach the word it governs ("is not a", "never be so").
_NEGATION_SKIP = frozenset(
    "a an the any be been being is are was were am have has had do does did to will would "
    "shall should can could may might must ever at all so very such much more even really "
    "truly quite that this".split()
)
# Clause-internal words that end a distanced phrase ("so-called X of Japan").
_PHRASE_END = frozenset(
    "of by to in on at for from with as that which who and or is are was were be has have "
    "had will would".split()
)
# Dependencies by which a modifier word hangs on the word a negator governs.
_MODIFIER_DEPS = frozenset({"amod", "compound", "acomp", "attr", "advmod", "nmod", "npadvmod", "oprd"})
_OPEN_QUOTES = {'"': "d", "“": "d", "„": "d", "«": "d", "'": "s", "‘": "s"}
_CLOSE_QUOTES = {'"': "d", "”": "d", "»": "d", "'": "s", "’": "s"}
QUOTE_CHARS = tuple(sorted(set(_OPEN_QUOTES) | set(_CLOSE_QUOTES)))
_QUOTED_SPEECH_END = frozenset(".!?;:,")


@dataclass
class Hit:
    """A raw match of the lexicon matcher: an entry or a cue, by token offsets."""

    start: int
    end: int
    kind: str  # entry | negation | negation_exception | intensifier | downtoner | contrast | distancing | quote
    entry: Any = None  # the lexicon Entry for kind == "entry"
    factor: float = 1.0
    modifiers: list[Modifier] = field(default_factory=list)


def find_markers(doc, hits: Sequence[Hit], lexicon, sent_starts: Sequence[int]) -> list[Marker]:
    """Apply modifiers to the entry hits of ``doc`` and return its markers in text order.

    ``hits`` are non-overlapping (longest match wins); ``sent_starts`` are the token
    offsets where sentences begin.
    """
    mods = lexicon.modifiers
    entries = [h for h in hits if h.kind == "entry"]
    cues = [h for h in hits if h.kind != "entry"]
    if not entries and not any(c.kind in ("distancing", "quote") for c in cues):
        return []
    has_parse = doc.has_annotation("DEP")

    cue_ending_at = {c.end: c for c in cues if c.kind in ("intensifier", "downtoner")}
    distanced: list[tuple[int, int, Marker]] = []
    for start, end, cue in _distancing_spans(doc, cues, mods, has_parse):
        text = doc[start:end].text
        marker = Marker(
            text=text,
            start_char=doc[start].idx,
            end_char=doc[start].idx + len(text),
            dimension=lexicon.categories[mods.distancing_category].dimension,
            category=mods.distancing_category,
            term=cue,
            weight=mods.distancing_weight,
            effective_weight=mods.distancing_weight,
            sentence=sentence_index(sent_starts, start),
            start=start,
            end=end,
        )
        distanced.append((start, end, marker))

    negators = [c for c in cues if c.kind == "negation"]
    contrasts = [c for c in cues if c.kind == "contrast" and not _is_but_also(doc, c)]
    markers: list[Marker] = [m for _, _, m in distanced]
    for hit in entries:
        applied: list[Modifier] = []
        for span_start, span_end, dist in distanced:
            if span_start <= hit.start and hit.end <= span_end:
                applied.append(_modifier(doc, "distanced", 0.0, dist.start, dist.end))
                break
        for neg in negators:
            if _negates(doc, neg, hit, has_parse):
                applied.append(_modifier(doc, "negation", mods.negation_factor, neg.start, neg.end))
                break
        j = hit.start
        while j in cue_ending_at:
            cue = cue_ending_at[j]
            applied.append(_modifier(doc, cue.kind, cue.factor, cue.start, cue.end))
            j = cue.start
        sentence = sentence_index(sent_starts, hit.start)
        applied.extend(_contrast(doc, contrasts, hit, sentence, sent_starts, mods))
        factor = math.prod(m.factor for m in applied)
        span = doc[hit.start : hit.end]
        markers.append(
            Marker(
                text=span.text,
                start_char=span.start_char,
                end_char=span.end_char,
                dimension=hit.entry.dimension,
                category=hit.entry.category,
                term=hit.entry.term,
                weight=hit.entry.weight,
                effective_weight=hit.entry.weight * factor,
                modifiers=tuple(applied),
                sentence=sentence,
                start=hit.start,
                end=hit.end,
            )
        )
    markers.sort(key=lambda m: (m.start, m.end))
    return markers


def _modifier(doc, kind: str, factor: float, start: int, end: int) -> Modifier:
    span = doc[start:end]
    return Modifier(kind, factor, span.text, span.start_char, span.end_char)


def _is_but_also(doc, cue: Hit) -> bool:
    # "not only ... but also" adds, it does not contrast.
    return cue.end < len(doc) and doc[cue.start].lower_ == "but" and doc[cue.end].lower_ == "also"


def _negates(doc, neg: Hit, hit: Hit, has_parse: bool) -> bool:
    """Does the negator govern the marker? Scoped to the word it governs, in its clause."""
    if has_parse:
        governed = doc[neg.end - 1].head
        if governed.i == neg.end - 1:
            return False
        if hit.start <= governed.i < hit.end:
            return True
        root = doc[hit.start : hit.end].root
        return root.head.i == governed.i and root.dep_ in _MODIFIER_DEPS
    if hit.start < neg.end:
        return False
    j = neg.end
    while j < hit.start and j < neg.end + 4:
        token = doc[j]
        if token.is_punct or token.lower_ not in _NEGATION_SKIP:
            return False
        j += 1
    return j == hit.start


def _contrast(doc, contrasts, hit: Hit, sentence: int, sent_starts, mods) -> list[Modifier]:
    lo = sent_starts[sentence] if sent_starts else 0
    hi = sent_starts[sentence + 1] if sentence + 1 < len(sent_starts) else len(doc)
    before = [c for c in contrasts if lo <= c.start and c.end <= hit.start]
    if before:
        c = before[-1]
        return [_modifier(doc, "contrast", mods.contrast_after, c.start, c.end)]
    after = [c for c in contrasts if hit.end <= c.start and c.end <= hi]
    if after:
        c = after[0]
        return [_modifier(doc, "contrast", mods.contrast_before, c.start, c.end)]
    return []


def _distancing_spans(doc, cues: Sequence[Hit], mods, has_parse: bool):
    """Yield ``(start, end, cue)`` for "so-called X" phrases and scare-quoted phrases."""
    if not mods.distancing:
        return
    quotes = _scare_quotes(doc, [c for c in cues if c.kind == "quote"], mods.scare_quote_max_tokens)
    used: set[int] = set()
    for cue in cues:
        if cue.kind != "distancing":
            continue
        end = cue.end
        quoted = next((q for q in quotes if q[0] == cue.end), None)
        if quoted is not None:
            used.add(quoted[0])
            end = quoted[1]
        elif has_parse and doc[cue.end - 1].head.i >= cue.end:
            end = min(doc[cue.end - 1].head.i + 1, cue.end + mods.scare_quote_max_tokens)
        else:
            while (
                end < len(doc)
                and end < cue.end + mods.scare_quote_max_tokens
                and not doc[end].is_punct
                and doc[end].lower_ not in _PHRASE_END
            ):
                end += 1
        yield cue.start, max(end, cue.end), doc[cue.start : cue.end].text.lower()
    for start, end in quotes:
        if start not in used:
            yield start, end, "scare quotes"


def _scare_quotes(doc, quote_hits: Sequence[Hit], max_tokens: int) -> list[tuple[int, int]]:
    """Pairs of quote marks around a short phrase (not quoted speech): ``(start, end)``."""
    pairs: list[tuple[int, int]] = []
    open_at: dict[str, int] = {}
    for q in quote_hits:
        char = doc[q.start].text
        family = _CLOSE_QUOTES.get(char)
        if family is not None and family in open_at:
            start = open_at.pop(family)
            inner = doc[start + 1 : q.start]
            if (
                1 <= len(inner) <= max_tokens
                and not any(t.text in _QUOTED_SPEECH_END for t in inner)
                and not (start > 0 and doc[start - 1].text in (":", ","))
            ):
                pairs.append((start, q.end))
            continue
        family = _OPEN_QUOTES.get(char)
        if family is not None:
            open_at[family] = q.start
    return pairs


def sentence_index(sent_starts: Sequence[int], token_i: int) -> int:
    return max(bisect_right(sent_starts, token_i) - 1, 0)
