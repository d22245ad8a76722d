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
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from operator import itemgetter
from typing import Any

import pandas as pd
from spacy.pipeline import Sentencizer
from spacy.strings import get_string_id

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


def dimension_scores(markers: Iterable[Marker], n_tokens: int) -> dict[str, float]:
    """hostility, courtesy, tone and the two rates of a text (or sentence)."""
    sums = {"hostility": 0.0, "courtesy": 0.0}
    for m in markers:
        sums[m.dimension] += m.effective_weight
    hostility = saturate(sums["hostility"], n_tokens)
    courtesy = saturate(sums["courtesy"], n_tokens)
    return {
        "hostility": hostility,
        "courtesy": courtesy,
        "tone": courtesy - hostility,
        "hostility_rate": rate(sums["hostility"], n_tokens),
        "courtesy_rate": rate(sums["courtesy"], n_tokens),
    }


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
        **dimension_scores(markers, n_tokens),
        categories={c: rate(w, n_tokens) for c, w in by_category.items()},
        n_tokens=n_tokens,
        markers=tuple(markers),
        sentences=sentence_results,
        lexicon=lexicon,
    )


#: Document scores of a batch row, in output order (the category rates follow).
SCORE_COLUMNS: tuple[str, ...] = (
    "hostility",
    "courtesy",
    "tone",
    "hostility_rate",
    "courtesy_rate",
    "n_tokens",
    "n_markers",
)


def score_values(weights: Sequence[Weight], n_tokens: int, category_slots: Mapping[str, int]) -> list[float]:
    """A batch row: the :data:`SCORE_COLUMNS` of a text, then its category rates.

    ``category_slots`` maps each category to its position in the row (``7, 8, ...``,
    in column order). The numbers equal those of :func:`aggregate`.

    >>> [round(v, 3) for v in score_values([("hostility", "insult", 3.0)], 20, {"insult": 7, "gratitude": 8})]
    [0.699, 0.0, -0.699, 15.0, 0.0, 20, 1, 15.0, 0.0]
    """
    row: list[float] = [0.0] * (len(SCORE_COLUMNS) + len(category_slots))
    row[5], row[6] = n_tokens, 0
    if weights:  # none is the common case in a corpus: keep it cheap
        slots, values = score_cells(weights, n_tokens, category_slots)
        for slot, value in zip(slots, values):
            row[slot] = value
    return row


def score_cells(
    weights: Sequence[Weight], n_tokens: int, category_slots: Mapping[str, int]
) -> tuple[list[int], list[float]]:
    """The cells of a :func:`score_values` row that markers fill, as ``(slots, values)``:
    the dimension scores, ``n_markers`` and the rates of the categories found (the
    others, and a row without markers, hold zeros and ``n_tokens``).

    >>> score_cells([("courtesy", "gratitude", 2.0)], 10, {"insult": 7, "gratitude": 8})
    ([0, 1, 2, 3, 4, 6, 8], [0.0, 0.7364028618842733, 0.7364028618842733, 0.0, 20.0, 1, 20.0])
    """
    hostility = courtesy = 0.0
    by_slot: dict[int, float] = {}
    counted = 0
    for dimension, category, weight in weights:
        if dimension == "hostility":
            hostility += weight
        elif dimension == "courtesy":
            courtesy += weight
        else:
            raise ValueError(f"unknown dimension {dimension!r} of category {category!r}")
        if weight > 0:
            counted += 1
        slot = category_slots[category]
        by_slot[slot] = by_slot.get(slot, 0.0) + weight
    hostility_score = saturate(hostility, n_tokens)
    courtesy_score = saturate(courtesy, n_tokens)
    slots = [0, 1, 2, 3, 4, 6, *by_slot]
    values = [
        hostility_score,
        courtesy_score,
        courtesy_score - hostility_score,
        rate(hostility, n_tokens),
        rate(courtesy, n_tokens),
        counted,
        *[rate(weight, n_tokens) for weight in by_slot.values()],
    ]
    return slots, values


def sentence_tone(
    index: int, text: str, start: int, end: int, n_tokens: int, markers: Iterable[Marker]
) -> SentenceTone:
    return SentenceTone(
        index=index,
        text=text,
        start_char=start,
        end_char=end,
        n_tokens=n_tokens,
        **dimension_scores(markers, n_tokens),
    )


def merge(parts: Sequence[tuple[int, int, ToneResult]], text: str, categories: Iterable[str]) -> ToneResult:
    """Join the results of consecutive pieces of one long text: ``(char_offset,
    token_offset, result)`` per piece, the offsets of its first character and token."""
    markers: list[Marker] = []
    sentences: list[tuple[int, int, int]] = []
    n_tokens = 0
    for offset, token_offset, part in parts:
        base = len(sentences)
        for m in part.markers:
            markers.append(
                Marker(
                    **{
                        **m.__dict__,
                        "start_char": m.start_char + offset,
                        "end_char": m.end_char + offset,
                        "sentence": m.sentence + base,
                        "start": m.start + token_offset,
                        "end": m.end + token_offset,
                        "modifiers": tuple(
                            Modifier(x.kind, x.factor, x.cue, x.start_char + offset, x.end_char + offset)
                            for x in m.modifiers
                        ),
                    }
                )
            )
        sentences.extend((s.start_char + offset, s.end_char + offset, s.n_tokens) for s in part.sentences)
        n_tokens += part.n_tokens
    lexicon = parts[0][2].lexicon if parts else ""
    return aggregate(text, markers, n_tokens, sentences, categories, lexicon)


# -- modifiers ---------------------------------------------------------------------

# Words a negator may skip to reach the word it governs ("is not a", "never be so").
_NEGATION_SKIP = frozenset(
    "a an the any be been being is are was were am have has had do does did to will would "
    "shall should can could may might must ever at all so very such much more even really "
    "truly quite that this".split()
)
# Tokens a negator may stand before the marker, without a parse.
_NEGATION_REACH = 7
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
# Punctuation inside quote marks that makes them quoted speech, and before them that
# introduces speech; by orth id, which a token gives without building its text.
_QUOTED_SPEECH_END_IDS = frozenset(get_string_id(c) for c in ".!?;:,")
_SPEECH_INTRODUCER_IDS = frozenset(get_string_id(c) for c in ":,")


#: A raw match of the lexicon matcher, by token offsets: ``(start, end, kind, entry,
#: factor)``; ``kind`` is entry | negation | negation_exception | intensifier | downtoner |
#: contrast | distancing | quote, ``entry`` the lexicon Entry of an entry, the cue as
#: the lexicon gives it of a cue.
#: Plain tuples: a corpus makes millions of them.
Hit = tuple[int, int, str, Any, float]
_START_OF_HIT = itemgetter(0)


# Sentence-final characters of spaCy's rule-based Sentencizer: where a Doc carries no
# sentence bounds, contrast is scoped by the same rule without sentencizing the Doc.
_SENTENCE_PUNCT_IDS = frozenset(get_string_id(p) for p in Sentencizer.default_punct_chars)


#: One-word intensifiers and downtoners by the lower-case id of the word:
#: ``(kind, cue as the lexicon gives it, factor)``.
GradedWords = Mapping[int, tuple[str, str, float]]

#: The part of a marker that scores need, ``(dimension, category, effective_weight)``:
#: what batch scoring computes per marker.
Weight = tuple[str, str, float]


def find_markers(
    doc,
    hits: Sequence[Hit],
    lexicon,
    sent_starts: Sequence[int] | None = None,
    graded_words: GradedWords | None = None,
    spaces: Sequence[int] = (),
) -> list[Marker]:
    """Apply modifiers to the hits of ``doc`` and return its markers in text order.

    ``hits`` are non-overlapping (longest match wins). ``sent_starts`` are the token
    offsets where sentences begin; ``None`` when the Doc is not split into sentences
    (markers then report sentence 0 and contrast stops at sentence punctuation).
    ``graded_words`` are the one-word intensifiers and downtoners, which the matcher
    leaves out: a word of them right before a marker, and not part of another hit,
    counts as if it had been matched. ``spaces`` are the positions of whitespace
    tokens (line breaks, runs of spaces), which modifiers see through.
    """

    def located(span: Hit) -> tuple[str, int, int]:
        # Doc.text is rebuilt from every token on each access: read only the span's.
        text = doc[span[0] : span[1]].text
        start_char = doc[span[0]].idx
        return text, start_char, start_char + len(text)

    markers = []
    for span, term, dimension, category, weight, applied in _weigh(
        doc, hits, lexicon, sent_starts, graded_words, None, spaces
    ):
        factor = 1.0
        modifiers = []
        for kind, cue_factor, cue in applied:
            factor *= cue_factor
            modifiers.append(Modifier(kind, cue_factor, *located(cue)))
        start, end = span[0], span[1]
        sentence = 0 if sent_starts is None else sentence_index(sent_starts, start)
        markers.append(
            Marker(*located(span), dimension, category, term, weight, weight * factor,
                   tuple(modifiers), sentence, start, end)
        )
    return markers


def marker_weights(
    doc,
    hits: Sequence[Hit],
    lexicon,
    sent_starts: Sequence[int] | None = None,
    graded_words: GradedWords | None = None,
    parsed: bool | None = None,
    spaces: Sequence[int] = (),
) -> list[Weight]:
    """The effective weights of the markers :func:`find_markers` would return, in the same
    order (so sums are identical), without building their evidence. ``parsed`` says
    whether the Doc has a dependency parse (checked when None)."""
    weights = []
    for _, _, dimension, category, weight, applied in _weigh(
        doc, hits, lexicon, sent_starts, graded_words, parsed, spaces
    ):
        factor = 1.0
        for _, cue_factor, _ in applied:
            factor *= cue_factor
        weights.append((dimension, category, weight * factor))
    return weights


_Weighed = tuple[Hit, str, str, str, float, list[tuple[str, float, Hit]]]


def _weigh(
    doc,
    hits: Sequence[Hit],
    lexicon,
    sent_starts: Sequence[int] | None,
    graded_words: GradedWords | None,
    parsed: bool | None = None,
    spaces: Sequence[int] = (),
) -> list[_Weighed]:
    """``(span, term, dimension, category, weight, [(modifier kind, factor, cue)])`` per
    marker, in text order."""
    mods = lexicon.modifiers
    entries, negators, contrasts, distancing, quotes = [], [], [], [], []
    graded: dict[int, Hit] = {}  # intensifiers and downtoners by the token they end at
    for hit in hits:  # the kinds most frequent in statements first
        kind = hit[2]
        if kind == "entry":
            entries.append(hit)
        elif kind == "quote":
            quotes.append(hit)
        elif kind == "negation":
            negators.append(hit)
        elif kind == "contrast":
            contrasts.append(hit)
        elif kind == "intensifier" or kind == "downtoner":
            graded[hit[1]] = hit
        elif kind == "distancing":
            distancing.append(hit)
    if not entries and not distancing and not quotes:
        return []
    has_parse = bool(negators or distancing) and (_is_parsed(doc) if parsed is None else parsed)
    weighed: list[_Weighed] = []
    distanced: list[Hit] = []
    if distancing or quotes:
        category = mods.distancing_category
        dimension = lexicon.categories[category].dimension
        for start, end, term in _distancing_spans(doc, distancing, quotes, mods, has_parse, spaces):
            span = (start, end, "distanced", None, 1.0)
            distanced.append(span)
            weighed.append((span, term, dimension, category, mods.distancing_weight, []))
        distanced_starts = [d[0] for d in distanced]
    if contrasts:
        contrasts = [c for c in contrasts if not _is_but_also(doc, c, spaces)]
        contrast_starts = [c[0] for c in contrasts]
    # Negators by the token they can reach: a marker checks a few candidates, not all.
    negator_of: dict[int, Hit] = {}
    negator_ends: list[int] = []  # without a parse, a marker within reach of one is checked
    if negators and has_parse:
        negator_of = {doc[n[1] - 1].head.i: n for n in reversed(negators)}
    elif negators:
        negator_of = {n[1]: n for n in reversed(negators)}
        negator_ends = sorted(negator_of)
    for hit in entries:
        start, end, _, entry, _ = hit
        applied: list[tuple[str, float, Hit]] = []
        if distanced:
            k = bisect_right(distanced_starts, start) - 1
            if k >= 0 and end <= distanced[k][1]:
                applied.append(("distanced", 0.0, distanced[k]))
        if negator_of and (has_parse or spaces or _within_reach(negator_ends, start)):
            negator = _negator(doc, negator_of, start, end, has_parse, mods.transparent_verbs, spaces)
            if negator is not None:
                applied.append(("negation", mods.negation_factor, negator))
        j = start
        while True:  # graded cues chain leftwards: "you are a perfect imbecile"
            if spaces:
                j = _after_word_before(spaces, j)
            cue = graded.get(j)
            if cue is None and graded_words and j > 0:
                found = graded_words.get(doc[j - 1].lower)
                if found is not None:
                    cue = _graded_cue(j - 1, found, hits)
            if cue is None:
                break
            applied.append((cue[2], cue[4], cue))
            j = cue[0]
        if contrasts:
            cue, after = _contrast_cue(doc, contrasts, contrast_starts, start, end, sent_starts)
            if cue is not None:
                applied.append(("contrast", mods.contrast_after if after else mods.contrast_before, cue))
        weighed.append((hit, entry.term, entry.dimension, entry.category, entry.weight, applied))
    if distanced:  # entries are in text order already
        weighed.sort(key=lambda w: (w[0][0], w[0][1]))
    return weighed


def _within_reach(negator_ends: Sequence[int], start: int) -> bool:
    """Whether a negator ends at most :data:`_NEGATION_REACH` tokens before ``start``."""
    k = bisect_right(negator_ends, start)
    return k > 0 and start - negator_ends[k - 1] <= _NEGATION_REACH


def _after_word_before(spaces: Sequence[int], j: int) -> int:
    """The end of the word before token ``j``, over whitespace tokens between them."""
    k = bisect_right(spaces, j - 1)
    while k > 0 and spaces[k - 1] == j - 1:
        j -= 1
        k -= 1
    return j


def _graded_cue(i: int, found: tuple[str, str, float], hits: Sequence[Hit]) -> Hit | None:
    """Token ``i``, a one-word intensifier or downtoner (``found`` in the graded words),
    as a cue, unless another hit covers it (as the matcher's longest-match rule would
    have decided)."""
    k = bisect_right(hits, i, key=_START_OF_HIT) - 1
    if k >= 0 and hits[k][1] > i:
        return None
    return (i, i + 1) + found


def _is_parsed(doc) -> bool:
    # A parser labels every token; Doc.has_annotation("DEP") would walk the whole Doc.
    return bool(doc[0].dep) or bool(doc[-1].dep)


def _is_but_also(doc, cue: Hit, spaces: Sequence[int]) -> bool:
    # "not only ... but also" adds, it does not contrast.
    start, end = cue[0], cue[1]
    if spaces:  # "but\nalso"
        k = bisect_left(spaces, end)
        while k < len(spaces) and spaces[k] == end:
            end, k = end + 1, k + 1
    return end < len(doc) and doc[start].lower_ == "but" and doc[end].lower_ == "also"


def _negator(
    doc,
    negator_of: dict[int, Hit],
    start: int,
    end: int,
    has_parse: bool,
    transparent: frozenset[str],
    spaces: Sequence[int] = (),
) -> Hit | None:
    """The negator governing the marker, if any: scoped to the word it governs, in its
    clause; a verb of volition in ``transparent`` passes negation on to its object."""
    if has_parse:
        for i in range(start, end):
            if i in negator_of:
                return negator_of[i]
        root = doc[start:end].root
        head = root.head
        if head.i in negator_of and (root.dep_ in _MODIFIER_DEPS or head.lower_ in transparent
                                     or head.lemma_ in transparent):
            return negator_of[head.i]
        verb = head.head
        if verb.i in negator_of and (verb.lower_ in transparent or verb.lemma_ in transparent):
            return negator_of[verb.i]  # "did not intend to attack"
        return None
    # Without a parse: walk back over function words (and at most one verb of volition),
    # and over line breaks, which the reach does not count.
    j, passed_verb, steps = start, False, 0
    while j > 0 and steps < _NEGATION_REACH:
        if spaces:
            j = _after_word_before(spaces, j)
            if j == 0:
                break
        if j in negator_of:
            return negator_of[j]
        steps += 1
        token = doc[j - 1]
        word = token.lower_
        if word in transparent and not passed_verb:
            passed_verb = True
        elif token.is_punct or word not in _NEGATION_SKIP:
            return None
        j -= 1
    return negator_of.get(j)


def _contrast_cue(
    doc, contrasts: Sequence[Hit], starts: Sequence[int], start: int, end: int, sent_starts: Sequence[int] | None
) -> tuple[Hit | None, bool]:
    """The contrast cue of the sentence of the marker at tokens ``start:end``, and
    whether the marker follows it."""
    k = bisect_right(starts, start)
    if k > 0 and _same_sentence(doc, contrasts[k - 1][1], start, sent_starts):
        return contrasts[k - 1], True
    if k < len(contrasts) and _same_sentence(doc, end, contrasts[k][0], sent_starts):
        return contrasts[k], False
    return None, False


def _same_sentence(doc, start: int, end: int, sent_starts: Sequence[int] | None) -> bool:
    """No sentence begins within tokens ``start..end`` (both ends are words).

    Without sentence bounds, a sentence is taken to begin after sentence punctuation
    (where spaCy's Sentencizer may begin one): only the tokens in between are read,
    by orth id, nearest to ``end`` first (the sentence punctuation of a cue in another
    sentence is usually near the marker).
    """
    if sent_starts is not None:
        i = bisect_right(sent_starts, start)
        return i >= len(sent_starts) or sent_starts[i] > end
    return not _any_token_in(doc, _SENTENCE_PUNCT_IDS, range(end - 1, start - 1, -1))


def _any_token_in(doc, ids: frozenset[int], positions: Iterable[int]) -> bool:
    """Whether a token at one of ``positions`` has its orth id in ``ids`` (an id, unlike
    the token's text, costs no string)."""
    for i in positions:
        if doc[i].orth in ids:
            return True
    return False


def _distancing_spans(
    doc, cues: Sequence[Hit], quote_hits: Sequence[Hit], mods, has_parse: bool, spaces: Sequence[int] = ()
) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of "so-called X" phrases, then of scare-quoted phrases.
    Whitespace tokens (``spaces``) count in no phrase length."""
    quotes = _scare_quotes(doc, quote_hits, mods.scare_quote_max_tokens, spaces) if quote_hits else []
    spans = []
    used: set[int] = set()
    for cue_start, cue_end, *_ in cues:
        term = doc[cue_start:cue_end].text.lower()
        if (cue_start - 1, cue_end + 1) in quotes:  # 'the "so-called" apology': one cue, not two
            used.add(cue_start - 1)
            cue_start, cue_end = cue_start - 1, cue_end + 1
        end = cue_end
        quoted = next((q for q in quotes if q[0] == cue_end), None)
        if quoted is not None:
            used.add(quoted[0])
            end = quoted[1]
        elif has_parse and doc[cue_end - 1].head.i >= cue_end:
            end = min(doc[cue_end - 1].head.i + 1, cue_end + mods.scare_quote_max_tokens)
        else:
            words = 0
            while end < len(doc) and words < mods.scare_quote_max_tokens:
                token = doc[end]
                if token.is_punct or token.lower_ in _PHRASE_END:
                    break
                end += 1
                words += not token.is_space
            if spaces:
                end = _after_word_before(spaces, end)
        spans.append((cue_start, max(end, cue_end), term))
    spans += [(start, end, "scare quotes") for start, end in quotes if start not in used]
    return spans


def _scare_quotes(
    doc, quote_hits: Sequence[Hit], max_tokens: int, spaces: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """Pairs of quote marks around a short phrase (not quoted speech): ``(start, end)``."""
    pairs: list[tuple[int, int]] = []
    open_at: dict[str, int] = {}
    for q_start, q_end, _, char, _ in quote_hits:
        family = _CLOSE_QUOTES.get(char)
        if family is not None and family in open_at:
            start = open_at.pop(family)
            words = q_start - start - 1
            before = start
            if spaces:
                words -= bisect_left(spaces, q_start) - bisect_left(spaces, start)
                before = _after_word_before(spaces, start)
            if (
                1 <= words <= max_tokens
                and not _any_token_in(doc, _QUOTED_SPEECH_END_IDS, range(start + 1, q_start))
                and not (before > 0 and doc[before - 1].orth in _SPEECH_INTRODUCER_IDS)
            ):
                pairs.append((start, q_end))
            continue
        family = _OPEN_QUOTES.get(char)
        if family is not None and not _follows_word(doc, q_start):
            open_at[family] = q_start
    return pairs


def _follows_word(doc, i: int) -> bool:
    """Whether token ``i`` is written right after a word: a quote mark there closes or
    is an apostrophe ("the victims' grief"), it never opens a quotation."""
    if i == 0:
        return False
    before = doc[i - 1]
    return not before.whitespace_ and not before.is_punct and not before.is_space


def sentence_index(sent_starts: Sequence[int], token_i: int) -> int:
    return max(bisect_right(sent_starts, token_i) - 1, 0)
