"""A lexicon compiled for spaCy's matchers, and the hits it finds in a Doc.

Lemma entries are expanded to their inflected surface forms (from spaCy's English lookup
table, inverted) when the lexicon is compiled, so no Doc has to be lemmatized: one
``PhraseMatcher`` pass over lower-cased token text finds terms and modifier cues together.
A Doc that carries lemmas (a user's lemmatizer) is matched on them too.

>>> import spacy, tonekit
>>> nlp = spacy.blank("en")
>>> matcher = LexiconMatcher(nlp.vocab, nlp.make_doc, tonekit.Lexicon.default())
>>> [(hit[2], hit[3].term) for hit in matcher.hits(nlp.make_doc("The puppets"), [])]
[('entry', 'puppet')]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import srsly
from spacy.attrs import IS_SPACE, SENT_START
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..lexicon import Lexicon
from ..scoring import QUOTE_CHARS, GradedWords, Hit

_MAX_VARIANTS = 64  # inflected variants of one multiword term
# Among overlapping matches of one length: entries first, then distancing cues, ...
_CUE_PRIORITY = {"entry": 0, "distancing": 1, "negation_exception": 2}
_MARKER_KINDS = frozenset({"entry", "distancing", "quote"})
_START_END = itemgetter(0, 1)


class LexiconMatcher:
    """The matcher tables of one lexicon: entries and cues by match id, the one-word
    intensifiers and downtoners (:attr:`graded_words`), and the word pairs a line break
    may split."""

    def __init__(self, vocab: Vocab, make_doc: Callable[[str], Doc], lexicon: Lexicon) -> None:
        self.vocab = vocab
        self._payload: dict[int, tuple[str, Any, float]] = {}
        self._priority: dict[int, int] = {}
        # Match ids of what can make a marker: a text whose matches are all modifier
        # cues (most texts of a corpus) scores zero without further work.
        self._marker_ids: set[int] = set()
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._orth = PhraseMatcher(vocab, attr="ORTH")
        self._lemma = PhraseMatcher(vocab, attr="LEMMA")
        # Consecutive words of a pattern, by lowercase id: a whitespace token between two
        # such words may split a term ("political\ndwarf"), between any others it cannot.
        self._word_pairs: set[tuple[int, int]] = set()
        for i, entry in enumerate(lexicon.entries):
            key = self._key(f"tonekit.entry.{i}", ("entry", entry, 1.0))
            words = [t.text for t in make_doc(entry.term)]
            lowered = [w.lower() for w in words]
            if entry.match == "exact":
                self._orth.add(key, [Doc(vocab, words=words)])
                self._add_word_pairs(lowered)
                continue
            variants = [lowered]
            if entry.match == "lemma":
                variants = _inflected_variants(tuple(lowered), lexicon.language)
                self._lemma.add(key, [Doc(vocab, words=lowered, lemmas=lowered)])
            self._lower.add(key, [Doc(vocab, words=v) for v in variants])
            for variant in variants:
                self._add_word_pairs(variant)
        mods = lexicon.modifiers
        cue_groups: list[tuple[str, dict[str, float]]] = [
            ("negation", dict.fromkeys(mods.negation, mods.negation_factor)),
            ("negation_exception", dict.fromkeys(mods.negation_exceptions, 1.0)),
            ("intensifier", dict(mods.intensifiers)),
            ("downtoner", dict(mods.downtoners)),
            ("contrast", dict.fromkeys(mods.contrast, 1.0)),
            ("distancing", dict.fromkeys(mods.distancing, 1.0)),
            ("quote", dict.fromkeys(QUOTE_CHARS if mods.distancing else (), 1.0)),
        ]
        self.graded_words: GradedWords = {}
        for kind, cues in cue_groups:
            for cue, factor in cues.items():
                words = [t.text.lower() for t in make_doc(cue)]
                if kind in ("intensifier", "downtoner") and len(words) == 1:
                    # One-word degree words ("so", "very") are common words that only count
                    # right before a marker: the rules look them up there instead of the
                    # matcher finding them all over every text.
                    self.graded_words.setdefault(vocab.strings.add(words[0]), (kind, cue, factor))
                    continue
                self._lower.add(self._key(f"tonekit.{kind}.{cue}", (kind, cue, factor)), [Doc(vocab, words=words)])
                self._add_word_pairs(words)

    def _add_word_pairs(self, words: list[str]) -> None:
        strings = self.vocab.strings
        self._word_pairs.update(zip(map(strings.add, words), map(strings.add, words[1:])))

    def _key(self, name: str, payload: tuple[str, Any, float]) -> str:
        match_id = self.vocab.strings.add(name)
        self._payload[match_id] = payload
        self._priority[match_id] = _CUE_PRIORITY.get(payload[0], 3)
        if payload[0] in _MARKER_KINDS:
            self._marker_ids.add(match_id)
        return name

    def hits(self, doc: Doc, spaces: Sequence[int]) -> list[Hit]:
        """Entries and cues found in the Doc, without overlaps, in text order; none when
        nothing could make a marker. ``spaces`` are the positions of its whitespace tokens,
        which a term may span ("political\\ndwarf")."""
        lemmas = len(self._lemma) > 0 and has_lemmas(doc)
        if spaces and (lemmas or self._splits_a_pattern(doc, spaces)):
            matches = self._matches_between_spaces(doc, lemmas, spaces)
        else:
            matches = self._matches(doc, lemmas)
        if not any(match_id in self._marker_ids for match_id, _, _ in matches):
            return []
        return self._resolve(matches)

    def _matches(self, doc: Doc, lemmas: bool) -> list[tuple[int, int, int]]:
        matches = self._lower(doc)
        if len(self._orth):
            matches += self._orth(doc)
        if lemmas:
            matches += self._lemma(doc)
        return matches

    def _splits_a_pattern(self, doc: Doc, spaces: Sequence[int]) -> bool:
        """Whether a run of whitespace tokens stands between two consecutive words of a
        pattern (lemma patterns aside)."""
        pairs, run_start = self._word_pairs, None
        for k, i in enumerate(spaces):
            if run_start is None:
                run_start = i
            if k + 1 < len(spaces) and spaces[k + 1] == i + 1:
                continue  # the run goes on
            if run_start > 0 and i + 1 < len(doc) and (doc[run_start - 1].lower, doc[i + 1].lower) in pairs:
                return True
            run_start = None
        return False

    def _matches_between_spaces(self, doc: Doc, lemmas: bool, spaces: Sequence[int]) -> list[tuple[int, int, int]]:
        """The matches of the Doc without its whitespace tokens, at their places in the Doc."""
        skipped = set(spaces)
        kept = [i for i in range(len(doc)) if i not in skipped]
        if not kept:
            return []
        tokens = [doc[i] for i in kept]
        words = Doc(
            self.vocab,
            words=[t.text for t in tokens],
            lemmas=[t.lemma_ for t in tokens] if lemmas else None,
        )
        return [(match_id, kept[start], kept[end - 1] + 1) for match_id, start, end in self._matches(words, lemmas)]

    def _resolve(self, matches: list[tuple[int, int, int]]) -> list[Hit]:
        """Non-overlapping hits in text order: longest first, entries before cues, then
        leftmost. (``spacy.util.filter_spans`` has no priorities among spans of one
        length, which an entry and a cue of the same words need.)"""
        payload = self._payload
        previous_end = 0
        for _, start, end in matches:
            if start < previous_end:  # an overlap, or matches out of text order
                break
            previous_end = end
        else:  # the common case: in order, nothing overlaps, so there is nothing to choose
            return [(start, end) + payload[match_id] for match_id, start, end in matches]
        priority = self._priority
        candidates = sorted((start - end, priority[match_id], start, match_id, end) for match_id, start, end in matches)
        taken: set[int] = set()
        hits = []
        for _, _, start, match_id, end in candidates:
            span = range(start, end)
            if taken.isdisjoint(span):
                taken.update(span)
                hits.append((start, end) + payload[match_id])
        hits.sort(key=_START_END)
        return hits


def has_lemmas(doc: Doc) -> bool:
    """Whether a component (a lemmatizer) set the Doc's lemmas."""
    return doc.has_annotation("LEMMA")


def space_tokens(doc: Doc) -> list[int]:
    """Positions of the Doc's whitespace tokens (line breaks, runs of spaces), which
    spaCy's tokenizer makes of any whitespace but a single space after a word."""
    return np.flatnonzero(doc.to_array(IS_SPACE)).tolist()


def sentence_starts(doc: Doc) -> list[int]:
    """Token offsets where the Doc's sentences begin (it must have sentence bounds)."""
    starts = np.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def sentence_words(sent_starts: list[int], n_tokens: int, spaces: Sequence[int]) -> list[tuple[int, int]]:
    """Token bounds ``(start, end)`` of each sentence without the whitespace tokens at
    its edges (the paragraph break a sentencizer puts at the start of the next
    sentence, the line break after the last); a sentence of whitespace only, such as
    the trailing line break of a text, is no sentence."""
    ends = sent_starts[1:] + [n_tokens]
    if not spaces:
        return list(zip(sent_starts, ends))
    layout = set(spaces)
    words = []
    for start, end in zip(sent_starts, ends):
        while start < end and start in layout:
            start += 1
        while end > start and end - 1 in layout:
            end -= 1
        if start < end:
            words.append((start, end))
    return words


@lru_cache(maxsize=4)
def _inflections(language: str) -> dict[str, tuple[str, ...]]:
    """Lemma -> inflected forms, inverted from spaCy's lookup lemma table. (The table's
    ``spacy.lookups`` form keys forms by hash, which cannot be inverted: the JSON is read.)"""
    try:
        import spacy_lookups_data
    except ImportError:  # lemma entries then match their dictionary form only
        return {}
    table_path = Path(spacy_lookups_data.__file__).parent / "data" / f"{language}_lemma_lookup.json.gz"
    if not table_path.exists():
        return {}
    inverse: dict[str, set[str]] = {}
    for form, lemma in srsly.read_gzip_json(table_path).items():
        inverse.setdefault(lemma.lower(), set()).add(form.lower())
    return {lemma: tuple(sorted(forms)) for lemma, forms in inverse.items()}


def _inflected_variants(words: tuple[str, ...], language: str) -> list[list[str]]:
    table = _inflections(language)
    options = [(w, *[f for f in table.get(w, ()) if f != w]) for w in words]
    return [list(v) for v in itertools.islice(itertools.product(*options), _MAX_VARIANTS)]
