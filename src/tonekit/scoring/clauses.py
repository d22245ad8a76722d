"""Reading a marker in its clause: refusals, conditions, reported speech, performative frames.

These rules look beyond the word right before a marker, to the clause around it, as an
analyst reads a statement:

- **refusal** — an offer of dialogue or goodwill that is negated ("no intention of
  sitting face to face"), follows a refusal predicate ("we refuse any dialogue") or is
  dismissed after it ("dialogue is not possible") is not courtesy but a refusal;
- **condition** — such an offer conditioned in its clause ("talks only if ...") is weaker;
- **reported speech** — words the speaker quotes and attributes ("'...,' the newspaper
  wrote"), or ascribes with a naming verb ("they called him a fool"), are not the
  speaker's own, unless the speaker is the subject ("we call them traitors");
- **performative frame** — a topic noun such as *condemnation* is an act only where the
  speaker performs it ("we express our condemnation"), not in "the council's condemnation".

The cue words are the lexicon's (``modifiers`` in its metadata); :class:`Cues` holds the
one-word cues by lower-case id, looked up only around markers.

>>> import tonekit
>>> [(m.category, m.modifier_kinds) for m in tonekit.score("Dialogue with them is not possible. (constructed)").markers]
[('refusal', ('refused',))]
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.attrs import IS_SPACE, LOWER, ORTH
from spacy.pipeline import Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc

#: A raw match of the lexicon matcher, by token offsets: ``(start, end, kind, entry,
#: factor)``; ``kind`` is entry | negation | negation_exception | intensifier | downtoner |
#: contrast | distancing | quote | refusal | dismissal | condition, ``entry`` the lexicon
#: Entry of an entry, the cue as the lexicon gives it of a cue.
#: Plain tuples: a corpus makes millions of them.
Hit = tuple[int, int, str, Any, float]

# Sentence-final characters of spaCy's rule-based Sentencizer: where a Doc carries no
# sentence bounds, clauses and contrast are scoped by the same rule.
SENTENCE_PUNCT_IDS = frozenset(get_string_id(p) for p in Sentencizer.default_punct_chars)
_CLAUSE_PUNCT_IDS = SENTENCE_PUNCT_IDS | frozenset(get_string_id(c) for c in ";:")
_HYPHEN = get_string_id("-")
# Particles that make a phrasal verb of a naming verb: "call for", "call on" name nobody.
_PARTICLES = frozenset(get_string_id(w) for w in "for on upon off in out up back into".split())
# East Asian quotation brackets: Japanese 「」『』, Korean 《》〈〉 (state media's quotes).
_BRACKETS = {"「": "」", "『": "』", "《": "》", "〈": "〉"}
OPEN_QUOTES = {'"': "d", "“": "d", "„": "d", "«": "d", "'": "s", "‘": "s", **{o: o for o in _BRACKETS}}
CLOSE_QUOTES = {'"': "d", "”": "d", "»": "d", "'": "s", "’": "s", **{c: o for o, c in _BRACKETS.items()}}
QUOTE_CHARS = tuple(sorted(set(OPEN_QUOTES) | set(CLOSE_QUOTES)))
# How far a reporting verb may stand from the quotation it attributes, and a clause-level
# negator from the offer it refuses.
_ATTRIBUTION_REACH = 6
_REFUSAL_REACH = 8
# Words between a subject and its verb ("we have long called them ...").
_BEFORE_VERB = frozenset(get_string_id(w) for w in (
    "will would shall should can could may might must have has had do does did be is are was were "
    "am been also always often repeatedly once again long rightly justly never not n't just only even still"
).split())


@dataclass(frozen=True)
class Cues:
    """One-word cues the rules look up around a marker, by lower-case id: the graded words
    (intensifiers and downtoners: ``(kind, cue, factor)``), clause breaks, reporting and
    naming verbs with their inflections, the speaker's own voice, and performative cues;
    ``performative_terms`` are the entry keys that need a performative frame."""

    graded: Mapping[int, tuple[str, str, float]] = field(default_factory=dict)
    clause_breaks: frozenset[int] = frozenset()
    reporting: frozenset[int] = frozenset()
    naming: frozenset[int] = frozenset()
    own_voice: frozenset[int] = frozenset()
    performative: frozenset[int] = frozenset()
    performative_terms: frozenset[str] = frozenset()


NO_CUES = Cues()


class Tokens:
    """The ids of a Doc's tokens that the clause rules read, taken from the Doc once, with
    its clause breaks (reading spaCy tokens one at a time from Python would cost more than
    the rules themselves).

    >>> import spacy
    >>> doc = spacy.blank("en")("We regret it, but they refuse; talks end.")
    >>> Tokens(doc, Cues(clause_breaks=frozenset({doc.vocab.strings["but"]})), None).clause(8, 9)
    (8, 10)
    """

    def __init__(self, doc: Doc, cues: Cues, sent_starts: Sequence[int] | None) -> None:
        self.doc = doc
        self.orth, self.lower, self.space = doc.to_array([ORTH, LOWER, IS_SPACE]).T.tolist()
        breaks = cues.clause_breaks
        self.breaks = [i for i, (o, w) in enumerate(zip(self.orth, self.lower)) if o in _CLAUSE_PUNCT_IDS or w in breaks]
        self.sent_starts = sent_starts

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Token bounds of the clause around tokens ``start:end``: from after the nearest
        clause break (sentence punctuation, ";", ":", a break word such as "but") or sentence
        start before it, to the next one after it."""
        breaks = self.breaks
        k = bisect_left(breaks, start)
        low = breaks[k - 1] + 1 if k > 0 else 0
        k = bisect_left(breaks, end)
        high = breaks[k] if k < len(breaks) else len(self.orth)
        starts = self.sent_starts
        if starts:
            k = bisect_left(starts, start + 1)
            low = max(low, starts[k - 1] if k > 0 else 0)
            k = bisect_left(starts, end)
            high = min(high, starts[k] if k < len(starts) else high)
        return low, high

    def words(self, start: int, stop: int, step: int, reach: int) -> list[int]:
        """Positions from ``start`` towards ``stop`` (exclusive), at most ``reach`` words,
        whitespace tokens passed over (a line break is layout, not a word)."""
        found = []
        i, space = start, self.space
        while i != stop and len(found) < reach:
            if not space[i]:
                found.append(i)
            i += step
        return found

    def speaker_is_own(self, verb: int, low: int, cues: Cues) -> bool:
        """Whether the subject right before the verb at ``verb`` is the speaker ("we")."""
        i, lower, space = verb - 1, self.lower, self.space
        while i >= low and (lower[i] in _BEFORE_VERB or space[i]):
            i -= 1
        return i >= low and lower[i] in cues.own_voice

    def is_verb_use(self, i: int, words: frozenset[int]) -> bool:
        """Whether token ``i`` is one of ``words`` used on its own: not inside a hyphenated
        compound ("so-called"), nor as a phrasal verb ("called for", "call on")."""
        if self.lower[i] not in words:
            return False
        if i + 1 < len(self.lower) and self.lower[i + 1] in _PARTICLES:
            return False
        return not (i > 0 and self.orth[i - 1] == _HYPHEN and not self.doc[i - 1].whitespace_)

    def cue(self, i: int) -> Hit:
        return (i, i + 1, "reported", self.doc[i].lower_, 1.0)


def quotations(doc: Doc, quote_hits: Sequence[Hit]) -> list[tuple[int, int]]:
    """Pairs of quote marks, ``(open, close)`` token positions, of any length."""
    pairs: list[tuple[int, int]] = []
    open_at: dict[str, int] = {}
    for q_start, _, _, char, _ in quote_hits:
        family = CLOSE_QUOTES.get(char)
        if family is not None and family in open_at:
            pairs.append((open_at.pop(family), q_start))
            continue
        family = OPEN_QUOTES.get(char)
        if family is not None and not follows_word(doc, q_start):
            open_at[family] = q_start
    return sorted(pairs)


def follows_word(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is written right after a word: a quote mark there closes or
    is an apostrophe ("the victims' grief"), it never opens a quotation. An opening
    bracket (「, 《) opens wherever it stands: Japanese puts no space before it."""
    if i == 0 or doc[i].text in _BRACKETS:
        return False
    before = doc[i - 1]
    return not before.whitespace_ and not before.is_punct and not before.is_space


def reporting_cue(
    tokens: Tokens, start: int, end: int, quotes: Sequence[tuple[int, int]], cues: Cues
) -> Hit | None:
    """The reporting or naming verb that makes the marker at ``start:end`` reported
    speech, or None: a quotation around it attributed by a verb just before or after it,
    or a naming verb earlier in its clause; either way with a subject other than the
    speaker's own voice."""
    if not (cues.reporting or cues.naming):
        return None
    attributing = cues.reporting | cues.naming
    for q_open, q_close in quotes:
        if q_open < start and end <= q_close:
            low = tokens.clause(q_open, q_open + 1)[0]
            for i in tokens.words(q_close + 1, len(tokens.orth), 1, _ATTRIBUTION_REACH):
                if tokens.orth[i] in SENTENCE_PUNCT_IDS:
                    break
                if tokens.is_verb_use(i, cues.reporting):  # "'...,' the newspaper wrote"
                    return None if tokens.speaker_is_own(i, q_close + 1, cues) else tokens.cue(i)
            for i in tokens.words(q_open - 1, low - 1, -1, _ATTRIBUTION_REACH):
                if tokens.is_verb_use(i, attributing):  # "he said: '...'"
                    return None if tokens.speaker_is_own(i, low, cues) else tokens.cue(i)
    if cues.naming:
        low, _ = tokens.clause(start, end)
        for i in range(start - 1, low - 1, -1):
            if tokens.is_verb_use(i, cues.naming):  # "they called him a fool"
                return None if tokens.speaker_is_own(i, low, cues) else tokens.cue(i)
    return None


def in_performative_frame(tokens: Tokens, start: int, end: int, cues: Cues) -> bool:
    """Whether a performative cue ("we", "our", "express") stands before the marker in its clause."""
    low, _ = tokens.clause(start, end)
    lower, performative = tokens.lower, cues.performative
    return any(lower[i] in performative for i in range(low, start))


def refusal_cue(tokens: Tokens, start: int, end: int, by_kind: Mapping[str, Sequence[Hit]], mods: Any) -> Hit | None:
    """What refuses an offer at ``start:end``, or None: a refusal predicate (a cue, or a
    lexicon entry of the refusal category) or a negator earlier in its clause, or a
    dismissal later in it ("... is not possible"; a dismissal that is also a lexicon entry
    counts as one)."""
    low, high = tokens.clause(start, end)
    for hit in reversed(by_kind.get("refusal", ())):
        if low <= hit[0] and hit[1] <= start:
            return hit
    entries = by_kind.get("entry", ())
    for hit in reversed(entries):
        if low <= hit[0] and hit[1] <= start and hit[3].category == mods.refusal_category:
            return hit
    reach = tokens.words(start - 1, low - 1, -1, _REFUSAL_REACH)
    nearest = reach[-1] if reach else start
    for hit in reversed(by_kind.get("negation", ())):
        # A negator reaches the offer over function words and verbs, not over another
        # marker, which it governs instead ("by no means undermine the solidarity").
        if nearest <= hit[0] and hit[1] <= start and not any(hit[1] <= e[0] and e[1] <= start for e in entries):
            return hit
    for hit in by_kind.get("dismissal", ()):
        if end <= hit[0] and hit[1] <= high:
            return hit
    dismissals = mods.dismissal_keys
    for hit in entries:
        if end <= hit[0] and hit[1] <= high and hit[3].key in dismissals:
            return hit
    return None


def condition_cue(tokens: Tokens, start: int, end: int, conditions: Sequence[Hit]) -> Hit | None:
    """A condition ("only if", "unless") in the clause of the marker at ``start:end``."""
    low, high = tokens.clause(start, end)
    for hit in conditions:
        if low <= hit[0] and hit[1] <= high:
            return hit
    return None
