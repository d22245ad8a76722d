"""The rules: which modifiers apply to a marker, written once.

:func:`weigh` takes the hits of the lexicon matcher in a Doc (entries and modifier cues)
and returns the markers with the modifiers that apply to them: negation (the negator
governing the marker, within its clause; with a dependency parse, by the tree),
intensifiers and downtoners right before it, contrast ("but", "however") in its
sentence, and distancing ("so-called X", a short phrase in scare quotes), which is a
marker itself and cancels the markers inside it. :func:`evidence` turns them into
:class:`~tonekit.scoring.Marker` objects, :func:`effective_weights` into the numbers that
:func:`~tonekit.scoring.totals` adds up.

>>> import tonekit
>>> [m.modifier_kinds for m in tonekit.score("We have no hostile intent. (constructed)").markers]
[('negation',)]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from spacy.strings import get_string_id
from spacy.tokens import Doc

from .clauses import (
    CLOSE_QUOTES,
    NO_CUES,
    OPEN_QUOTES,
    QUOTE_CHARS,
    SENTENCE_PUNCT_IDS,
    Cues,
    Hit,
    Tokens,
    condition_cue,
    follows_word,
    in_performative_frame,
    quotations,
    refusal_cue,
    reporting_cue,
)
from .formula import Weight
from .results import Marker, Modifier

#: Every kind of modifier the rules apply, in the order features and tables list them.
MODIFIER_KINDS = (
    "negation", "intensifier", "downtoner", "contrast", "distanced", "refused", "conditioned", "reported", "topic",
)

__all__ = ["MODIFIER_KINDS", "QUOTE_CHARS", "Cues", "Hit", "Weighed", "effective_weights", "evidence", "sentence_index", "weigh"]

# Words a negator may skip to reach the word it governs ("is not a", "never be so").
_NEGATION_SKIP = frozenset(
    "a an the any be been being is are was were am have has had do does did to will would "
    "shall should can could may might must ever at all so very such much more even really "
    "truly quite that this".split()
)
# Objects a negated verb of naming or volition passes its negation over.
_OBJECT_PRONOUNS = frozenset("him her them it us you me".split())
# Tokens a negator may stand before the marker, without a parse.
_NEGATION_REACH = 7
# Words (particles, endings, a bound noun) between a marker and a negator that follows it.
_NEGATION_REACH_AFTER = 3
# Clause-internal words that end a distanced phrase ("so-called X of Japan").
_PHRASE_END = frozenset(
    "of by to in on at for from with as that which who and or is are was were be has have "
    "had will would".split()
)
# Dependencies by which a modifier word hangs on the word a negator governs.
_MODIFIER_DEPS = frozenset({"amod", "compound", "acomp", "attr", "advmod", "nmod", "npadvmod", "oprd"})
# Punctuation inside quote marks that makes them quoted speech, and before them that
# introduces speech; by orth id, which a token gives without building its text.
_QUOTED_SPEECH_END_IDS = frozenset(get_string_id(c) for c in ".!?;:,")
_SPEECH_INTRODUCER_IDS = frozenset(get_string_id(c) for c in ":,")


_START_OF_HIT = itemgetter(0)


#: A marker as the rules weigh it: ``(hit, term, dimension, category, weight, applied)``,
#: ``applied`` holding ``(modifier kind, factor, cue hit)`` per modifier, in the order
#: the factors multiply.
Weighed = tuple[Hit, str, str, str, float, list[tuple[str, float, Hit]]]


def weigh(
    doc: Doc,
    hits: Sequence[Hit],
    lexicon: Any,
    sent_starts: Sequence[int] | None = None,
    cues: Cues = NO_CUES,
    spaces: Sequence[int] = (),
    parsed: bool | None = None,
) -> list[Weighed]:
    """Apply the modifiers to the hits of ``doc``: its markers, weighed, in text order.

    The one rule engine: evidence (:func:`evidence`) and batch scores
    (:func:`effective_weights`) are both read from what it returns.

    ``hits`` are non-overlapping (longest match wins). ``sent_starts`` are the token
    offsets where sentences begin; ``None`` when the Doc is not split into sentences
    (contrast and clauses then stop at the sentencizer's sentence punctuation, the same
    bounds). ``cues`` are the one-word cues looked up around markers (see
    :class:`~tonekit.scoring.clauses.Cues`): a graded word right before a marker, and not
    part of another hit, counts as if it had been matched. ``spaces`` are the positions of
    whitespace tokens (line breaks, runs of spaces), which modifiers see through. With a
    dependency parse, the tree scopes negation and "so-called" (``parsed`` says whether
    the Doc has one; looked up when None).
    """
    mods = lexicon.modifiers
    by_kind: dict[str, list[Hit]] = {}
    graded: dict[int, Hit] = {}  # intensifiers and downtoners by the token they end at
    for hit in hits:
        kind = hit[2]
        if kind == "intensifier" or kind == "downtoner":
            graded[hit[1]] = hit
        else:
            by_kind.setdefault(kind, []).append(hit)
    entries = by_kind.get("entry", ())
    distancing, quotes = by_kind.get("distancing", ()), by_kind.get("quote", ())
    if not entries and not distancing and not quotes:
        return []
    negators, contrasts = by_kind.get("negation", ()), by_kind.get("contrast", ())
    after_negators = by_kind.get("negation_after", ())
    has_parse = bool(negators or distancing) and (doc.has_annotation("DEP") if parsed is None else parsed)
    quoted = quotations(doc, quotes) if quotes and (cues.reporting or cues.naming) else []
    naming = by_kind.get("naming", ())
    view: list[Tokens] = []  # the Doc's token ids, read once a clause rule needs them

    def tokens() -> Tokens:
        if not view:
            view.append(Tokens(doc, cues, sent_starts))
        return view[0]

    def reported(start: int, end: int) -> Hit | None:
        # Only a quotation around the marker or a naming verb before it can make it reported.
        if any(q[0] < start and end <= q[1] for q in quoted) or (naming and naming[0][0] < start):
            return reporting_cue(tokens(), start, end, quoted, cues)
        return None
    weighed: list[Weighed] = []
    distanced: list[Hit] = []
    if distancing or quotes:
        category = mods.distancing_category
        dimension = lexicon.categories[category].dimension
        for start, end, term in _distancing_spans(doc, distancing, quotes, mods, has_parse, spaces):
            span = (start, end, "distanced", None, 1.0)
            distanced.append(span)
            applied = []
            reporter = reported(start, end)
            if reporter is not None:
                applied.append(("reported", mods.reported_factor, reporter))
            weighed.append((span, term, dimension, category, mods.distancing_weight, applied))
        distanced_starts = [d[0] for d in distanced]
    if contrasts:
        contrasts = [c for c in contrasts if not _is_but_also(doc, c, spaces)]
        contrast_starts = [c[0] for c in contrasts]
    # Negators by the token they can reach: a marker checks a few candidates, not all.
    negator_of: dict[int, Hit] = {}
    if negators and has_parse:
        negator_of = {doc[n[1] - 1].head.i: n for n in reversed(negators)}
    elif negators:
        negator_of = {n[1]: n for n in reversed(negators)}
    turns = mods.refusal_turns
    for hit in entries:
        start, end, _, entry, _ = hit
        applied: list[tuple[str, float, Hit]] = []
        if distanced:
            k = bisect_right(distanced_starts, start) - 1
            if k >= 0 and end <= distanced[k][1]:
                applied.append(("distanced", 0.0, distanced[k]))
        negator = None
        if negator_of:
            negator = _negator(doc, negator_of, start, end, has_parse, mods.transparent_verbs, spaces)
        if negator is None and after_negators:
            negator = _negator_after(doc, after_negators, entries, end)
        if entry.category in turns:  # an offer refused is a refusal, not courtesy
            refuser = negator or refusal_cue(tokens(), start, end, by_kind, mods)
            if refuser is not None:
                refused = [("refused", 1.0, refuser)]
                reporter = reported(start, end)
                if reporter is not None:
                    refused.append(("reported", mods.reported_factor, reporter))
                category = mods.refusal_category
                weighed.append((hit, entry.term, lexicon.categories[category].dimension, category,
                                mods.refusal_weight, refused))
                continue
            conditions = by_kind.get("condition")
            condition = condition_cue(tokens(), start, end, conditions) if conditions else None
            if condition is not None:
                applied.append(("conditioned", mods.condition_factor, condition))
        if negator is not None:
            applied.append(("negation", mods.negation_factor, negator))
        j = start
        while True:  # graded cues chain leftwards: "you are a perfect imbecile"
            if spaces:
                j = _after_word_before(spaces, j)
            cue = graded.get(j)
            if cue is None and cues.graded and j > 0:
                found = cues.graded.get(doc[j - 1].lower)
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
        # Reported insults and threats are not the speaker's; reported courtesy is still
        # the courtesy of the statement that reports it ("he offered his condolences").
        reporter = reported(start, end) if entry.dimension == "hostility" else None
        if reporter is not None:
            applied.append(("reported", mods.reported_factor, reporter))
        if (entry.key in cues.performative_terms and _factor(applied) > 0
                and not in_performative_frame(tokens(), start, end, cues)):
            applied.append(("topic", 0.0, hit))  # a topic noun, not an act of the speaker
        weighed.append((hit, entry.term, entry.dimension, entry.category, entry.weight, applied))
    if distanced:  # entries are in text order already
        weighed.sort(key=lambda w: (w[0][0], w[0][1]))
    return weighed


def _factor(applied: Sequence[tuple[str, float, Hit]]) -> float:
    factor = 1.0
    for _, cue_factor, _ in applied:
        factor *= cue_factor
    return factor


def effective_weights(weighed: Iterable[Weighed]) -> list[Weight]:
    """``(dimension, category, effective weight)`` of each weighed marker: what scores need."""
    return [(dimension, category, weight * _factor(applied))
            for _, _, dimension, category, weight, applied in weighed]


def evidence(doc: Doc, weighed: Iterable[Weighed], sent_starts: Sequence[int] | None = None) -> list[Marker]:
    """The weighed markers of ``doc`` as :class:`Marker` evidence, with their text,
    offsets, sentence and the modifiers (with their cues) that changed them."""

    def located(span: Hit) -> tuple[str, int, int]:
        # Doc.text is rebuilt from every token on each access: read only the span's.
        text = doc[span[0] : span[1]].text
        start_char = doc[span[0]].idx
        return text, start_char, start_char + len(text)

    markers = []
    for span, term, dimension, category, weight, applied in weighed:
        modifiers = tuple(Modifier(kind, factor, *located(cue)) for kind, factor, cue in applied)
        sentence = 0 if sent_starts is None else sentence_index(sent_starts, span[0])
        markers.append(Marker(*located(span), dimension, category, term, weight, weight * _factor(applied),
                              modifiers, sentence, span[0], span[1]))
    return markers

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
        elif word in _OBJECT_PRONOUNS and not passed_verb and j >= 2 and doc[j - 2].lower_ in transparent:
            pass  # the object of a verb of naming: "nobody could call him a fool"
        elif token.is_punct or word not in _NEGATION_SKIP:
            return None
        j -= 1
    return negator_of.get(j)


def _negator_after(doc, negators: Sequence[Hit], entries: Sequence[Hit], end: int) -> Hit | None:
    """A negator that follows the marker ending at token ``end`` (Korean 감사하지 않는다,
    Japanese 感謝しない): within a few words, over no punctuation and no other marker."""
    k = bisect_left(negators, end, key=_START_OF_HIT)
    if k == len(negators):
        return None
    negator = negators[k]
    words = 0
    for i in range(end, negator[0]):
        token = doc[i]
        if token.is_punct:
            return None
        words += not token.is_space
    if words > _NEGATION_REACH_AFTER:
        return None
    j = bisect_left(entries, end, key=_START_OF_HIT)
    if j < len(entries) and entries[j][0] < negator[0]:
        return None
    return negator


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
    return not _any_token_in(doc, SENTENCE_PUNCT_IDS, range(end - 1, start - 1, -1))


def _any_token_in(doc, ids: frozenset[int], positions: Iterable[int]) -> bool:
    """Whether a token at one of ``positions`` has its orth id in ``ids`` (an id, unlike
    the token's text, costs no string)."""
    for i in positions:
        if doc[i].orth in ids:
            return True
    return False


def _has_a_word(doc, positions: range) -> bool:
    """Whether a token at one of ``positions`` has a letter or digit: quote marks around
    punctuation alone ('""', '"..."') distance nothing."""
    return any(ch.isalnum() for i in positions for ch in doc[i].text)


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
    """Pairs of quote marks around a short phrase (not quoted speech, not punctuation
    alone): ``(start, end)``."""
    pairs: list[tuple[int, int]] = []
    open_at: dict[str, int] = {}
    for q_start, q_end, _, char, _ in quote_hits:
        family = CLOSE_QUOTES.get(char)
        if family is not None and family in open_at:
            start = open_at.pop(family)
            words = q_start - start - 1
            before = start
            if spaces:
                words -= bisect_left(spaces, q_start) - bisect_left(spaces, start)
                before = _after_word_before(spaces, start)
            if (
                1 <= words <= max_tokens
                and _has_a_word(doc, range(start + 1, q_start))
                and not _any_token_in(doc, _QUOTED_SPEECH_END_IDS, range(start + 1, q_start))
                and not (before > 0 and doc[before - 1].orth in _SPEECH_INTRODUCER_IDS)
            ):
                pairs.append((start, q_end))
            continue
        family = OPEN_QUOTES.get(char)
        if family is not None and not follows_word(doc, q_start):
            open_at[family] = q_start
    return pairs


def sentence_index(sent_starts: Sequence[int], token_i: int) -> int:
    return max(bisect_right(sent_starts, token_i) - 1, 0)
