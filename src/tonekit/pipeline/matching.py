"""A lexicon compiled for spaCy's matchers, and the hits it finds in a Doc.

Lemma entries are expanded to their inflected surface forms (from spaCy's English lookup
table, inverted) when the lexicon is compiled, so no Doc has to be lemmatized: one
``PhraseMatcher`` pass over lower-cased token text finds terms and modifier cues together.
A Doc that carries lemmas (a user's lemmatizer) is matched on them too. Invisible format
characters (Unicode category Cf: zero-width space and joiners, bidi controls, soft hyphen)
are ignored: a word with one glued to it is matched as the word, at its place in the Doc.

>>> import spacy, tonekit
>>> nlp = spacy.blank("en")
>>> matcher = LexiconMatcher(nlp.vocab, nlp.make_doc, tonekit.Lexicon.default())
>>> [(hit[2], hit[3].term) for hit in matcher.hits(nlp.make_doc("The puppets"), [])]
[('entry', 'puppet')]
"""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import spacy
import srsly
from spacy.attrs import IS_SPACE, LOWER, SENT_START
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..lexicon import Lexicon
from ..lexicon.patterns import is_json_pattern, parse_json_pattern, parse_pattern
from ..scoring import QUOTE_CHARS, Cues, Hit

_MAX_VARIANTS = 64  # inflected variants of one multiword term
# Among overlapping matches of one length: entries first (a term before a construction
# over the same words: it names them more precisely), then distancing cues, ...
_CUE_PRIORITY = {"entry": 0, "construction": 1, "distancing": 2, "negation_exception": 3}
_OTHER_CUES = 4
_MARKER_KINDS = frozenset({"entry", "distancing", "quote"})
_START_END = itemgetter(0, 1)
_START_END_OF_MATCH = itemgetter(1, 2)
# A gap of a construction stays within its sentence (checked on the matches found: a
# token test in every gap would run in Python for every token of every text).
_SENTENCE_ENDS = frozenset(get_string_id(c) for c in ".!?;")


@lru_cache(maxsize=1)
def _format_characters() -> re.Pattern[str]:
    # Cf characters are all in planes 0, 1 and 14: scanning those is quick enough to do
    # once, and follows the Unicode version of the running Python.
    planes = itertools.chain(range(0x20000), range(0xE0000, min(0xF0000, sys.maxunicode + 1)))
    chars = "".join(chr(c) for c in planes if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(chars)}]")


def has_format_characters(text: str) -> bool:
    """Whether ``text`` has an invisible format character (Unicode category Cf).

    >>> has_format_characters("idiot\\u200b"), has_format_characters("idiot\\n")
    (True, False)
    """
    # Format characters are not printable: most texts are told by the fast test.
    return not text.isprintable() and _format_characters().search(text) is not None


class LexiconMatcher:
    """The matcher tables of one lexicon: entries and cues by match id, the one-word
    cues looked up around markers (:attr:`cues`), and the word pairs a line break
    may split."""

    def __init__(self, vocab: Vocab, make_doc: Callable[[str], Doc], lexicon: Lexicon) -> None:
        self.vocab = vocab
        self._make_doc = make_doc
        self._payload: dict[int, tuple[str, Any, float]] = {}
        self._priority: dict[int, int] = {}
        # Match ids of what can make a marker: a text whose matches are all modifier
        # cues (most texts of a corpus) scores zero without further work.
        self._marker_ids: set[int] = set()
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._orth = PhraseMatcher(vocab, attr="ORTH")
        self._lemma = PhraseMatcher(vocab, attr="LEMMA")
        self._orth_patterns = self._lemma_patterns = False
        # A construction runs only on a Doc that has one of its anchor words, which the
        # PhraseMatcher finds in the pass it makes anyway; each has a Matcher of its own.
        # Run on every text, spaCy's Matcher would cost more than all the rest together.
        # By the match id of its anchor words: (Matcher, the most tokens a match can have
        # before and after an anchor word, the word sets a match needs one word of each).
        self._constructions: dict[int, tuple[Matcher, int, int, list[frozenset[int]]]] = {}
        self._unanchored: list[Matcher] = []  # JSON patterns: no anchor is known
        # Consecutive words of a pattern, by lowercase id: a whitespace token between two
        # such words may split a term ("political\ndwarf"), between any others it cannot.
        self._word_pairs: set[tuple[int, int]] = set()
        mods = lexicon.modifiers
        for i, entry in enumerate(lexicon.entries):
            key = self._key(f"tonekit.entry.{i}", ("entry", entry, 1.0), "construction" if entry.match == "pattern" else "entry")
            if entry.match == "pattern":
                construction = Matcher(vocab)
                construction.add(key, _token_patterns(entry.term, mods.slots, lexicon.language), greedy="LONGEST")
                anchor = _anchor_words(entry.term, mods.slots, lexicon.language)
                if anchor is None:
                    self._unanchored.append(construction)
                else:
                    words, before, after, needed = anchor
                    anchor_key = f"tonekit.anchor.{i}"
                    self._lower.add(anchor_key, [Doc(vocab, words=[w]) for w in sorted(words)])
                    required = [frozenset(map(vocab.strings.add, w)) for w in needed]
                    self._constructions[vocab.strings.add(anchor_key)] = (construction, before, after, required)
                continue
            term_doc = make_doc(entry.term)
            words = [t.text for t in term_doc]
            lowered = [w.lower() for w in words]
            if entry.match == "exact":
                self._orth.add(key, [Doc(vocab, words=words)])
                self._orth_patterns = True
                self._add_word_pairs(lowered)
                continue
            variants = [lowered]
            if entry.match == "lemma":
                variants = _inflected_variants(tuple(lowered), lexicon.language)
                self._lemma.add(key, [Doc(vocab, words=lowered, lemmas=_lemmas(term_doc, lowered))])
                self._lemma_patterns = True
            self._lower.add(key, [Doc(vocab, words=v) for v in variants])
            for variant in variants:
                self._add_word_pairs(variant)
        cue_groups: list[tuple[str, dict[str, float]]] = [
            ("negation", dict.fromkeys(mods.negation, mods.negation_factor)),
            ("negation_after", dict.fromkeys(mods.negation_after, mods.negation_factor)),
            ("negation_exception", dict.fromkeys(mods.negation_exceptions, 1.0)),
            ("intensifier", dict(mods.intensifiers)),
            ("downtoner", dict(mods.downtoners)),
            ("contrast", dict.fromkeys(mods.contrast, 1.0)),
            ("distancing", dict.fromkeys(mods.distancing, 1.0)),
            ("quote", dict.fromkeys(QUOTE_CHARS if mods.distancing or mods.reporting_verbs else (), 1.0)),
            ("refusal", dict.fromkeys(mods.refusal_predicates, 1.0)),
            ("dismissal", dict.fromkeys(mods.refusal_dismissals, 1.0)),
            ("condition", dict.fromkeys(mods.condition, mods.condition_factor)),
            ("naming", dict.fromkeys(mods.naming_verbs, 1.0)),
        ]
        graded: dict[int, tuple[str, str, float]] = {}
        for kind, cues in cue_groups:
            for cue, factor in cues.items():
                cue_doc = make_doc(cue)
                words = [t.text.lower() for t in cue_doc]
                if kind in ("intensifier", "downtoner") and len(words) == 1:
                    # One-word degree words ("so", "very") are common words that only count
                    # right before a marker: the rules look them up there instead of the
                    # matcher finding them all over every text.
                    graded.setdefault(vocab.strings.add(words[0]), (kind, cue, factor))
                    continue
                key = self._key(f"tonekit.{kind}.{cue}", (kind, cue, factor))
                self._lower.add(key, [Doc(vocab, words=words)])
                self._add_word_pairs(words)
                if has_lemmas(cue_doc):  # a tokenizer that lemmatizes: the cue in any inflection
                    self._lemma.add(key, [Doc(vocab, words=words, lemmas=_lemmas(cue_doc, words))])
                    self._lemma_patterns = True
        # Words the rules look up around a marker, by lower-case id, instead of matching them
        # all over every text: they matter only in a marker's clause.
        def ids(words: Sequence[str], inflect: bool = False) -> frozenset[int]:
            forms = {f for w in words for f in (_forms(w.lower(), lexicon.language) if inflect else (w.lower(),))}
            return frozenset(vocab.strings.add(f) for f in forms)

        self.cues = Cues(
            graded=graded,
            clause_breaks=ids(mods.clause_breaks),
            reporting=ids(mods.reporting_verbs, inflect=True),
            naming=ids(mods.naming_verbs),  # forms as listed: 'calls' and 'terms' are mostly nouns
            own_voice=ids(mods.own_voice),
            performative=ids(mods.performative_cues, inflect=True),
            performative_terms=frozenset(" ".join(t.lower().split()) for t in mods.performative_terms),
        )

    def _add_word_pairs(self, words: list[str]) -> None:
        strings = self.vocab.strings
        self._word_pairs.update(zip(map(strings.add, words), map(strings.add, words[1:])))

    def _key(self, name: str, payload: tuple[str, Any, float], rank: str | None = None) -> str:
        match_id = self.vocab.strings.add(name)
        self._payload[match_id] = payload
        self._priority[match_id] = _CUE_PRIORITY.get(rank or payload[0], _OTHER_CUES)
        if payload[0] in _MARKER_KINDS:
            self._marker_ids.add(match_id)
        return name

    def hits(
        self, doc: Doc, spaces: Sequence[int], *, lemmas: bool | None = None, format_characters: bool = False
    ) -> list[Hit]:
        """Entries and cues found in the Doc, without overlaps, in text order; none when
        nothing could make a marker. ``spaces`` are the positions of its whitespace tokens,
        which a term may span ("political\\ndwarf"); ``lemmas`` whether the Doc has
        lemmas (looked up when None); ``format_characters`` whether its text has any
        (:func:`has_format_characters`), which are then ignored."""
        lemmas = self._lemma_patterns and (has_lemmas(doc) if lemmas is None else lemmas)
        if format_characters:
            return self._hits_without_format_characters(doc, lemmas)
        matches = self._phrase_matches(doc, lemmas)
        constructs = self._constructs(matches)
        if spaces and (lemmas or constructs or self._splits_a_pattern(doc, spaces)):
            matches = self._matches_between_spaces(doc, lemmas, spaces)
        elif constructs:
            matches = self._with_constructions(doc, matches)
        marker_ids = self._marker_ids
        for match_id, _, _ in matches:
            if match_id in marker_ids:
                return self._resolve(matches)
        return []

    def _hits_without_format_characters(self, doc: Doc, lemmas: bool) -> list[Hit]:
        """The hits of the Doc's words without their format characters, on the Doc's
        tokens. A token with one is split again as the tokenizer splits it without
        ("idiot\\u202c." is "idiot" and "."); a token of format characters only is left
        out, so the words around it are consecutive."""
        pattern = _format_characters()
        words: list[str] = []
        trailing: list[bool] = []
        word_lemmas: list[str] = []
        owners: list[int] = []  # the Doc token of each word
        for token in doc:
            text = token.text
            if pattern.search(text) is None:
                pieces = [text]
                piece_lemmas = [token.lemma_] if lemmas else []
            else:
                pieces = [t.text for t in self._make_doc(pattern.sub("", text))]
                piece_lemmas = [p.lower() for p in pieces]
            if not pieces:
                if trailing and token.whitespace_:
                    trailing[-1] = True
                continue
            words += pieces
            word_lemmas += piece_lemmas
            trailing += [False] * (len(pieces) - 1) + [bool(token.whitespace_)]
            owners += [token.i] * len(pieces)
        if not words:
            return []
        clean = Doc(self.vocab, words=words, spaces=trailing, lemmas=word_lemmas if lemmas else None)
        hits: list[Hit] = []
        for hit in self.hits(clean, space_tokens(clean), lemmas=lemmas):
            start, end = owners[hit[0]], owners[hit[1] - 1] + 1
            if hits and start < hits[-1][1]:  # two hits in one token: an entry wins, else the first
                if hit[2] != "entry" or hits[-1][2] == "entry":
                    continue
                hits.pop()
            hits.append((start, end) + hit[2:])
        return hits

    def _phrase_matches(self, doc: Doc, lemmas: bool) -> list[tuple[int, int, int]]:
        matches = self._lower(doc)
        if self._orth_patterns:
            matches += self._orth(doc)
        if lemmas:
            matches += self._lemma(doc)
        return matches

    def _constructs(self, matches: list[tuple[int, int, int]]) -> bool:
        """Whether a construction may match: its anchor word is among the matches."""
        if self._unanchored:
            return True
        constructions = self._constructions
        for match_id, _, _ in matches:
            if match_id in constructions:
                return True
        return False

    def _with_constructions(self, doc: Doc, matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """The matches without anchor words, with the matches of the anchored constructions."""
        constructions = self._constructions
        anchors = [m for m in matches if m[0] in constructions]
        matches = [m for m in matches if m[0] not in constructions]
        constructed: set[tuple[int, int, int]] = set()
        present = set(doc.to_array(LOWER).tolist()) if anchors else set()
        # Each construction runs on the tokens around its anchors only, and only where the
        # Doc has a word of each of its word sets: spaCy's Matcher tests its word sets on
        # every token it is given.
        for anchor_id, start, end in anchors:
            construction, before, after, required = constructions[anchor_id]
            if any(present.isdisjoint(words) for words in required):
                continue
            low, high = max(start - before, 0), min(end + after, len(doc))
            constructed.update((m, s + low, e + low) for m, s, e in construction(doc[low:high]))
        for construction in self._unanchored:
            constructed.update(construction(doc))
        constructed = {m for m in constructed if not _crosses_a_sentence(doc, m)}
        if constructed:
            matches = sorted(matches + sorted(constructed), key=_START_END_OF_MATCH)
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
        matches = self._phrase_matches(words, lemmas)
        if self._constructs(matches):
            matches = self._with_constructions(words, matches)
        return [(match_id, kept[start], kept[end - 1] + 1) for match_id, start, end in matches]

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


def _word_forms(element: tuple, slots: Any, language: str) -> set[str] | None:
    """The surface forms a word, exact word or slot element matches (None for others)."""
    kind = element[0]
    if kind == "word":
        return set(_forms(element[1], language))
    if kind == "exact":
        return {element[1]}
    if kind == "slot":
        return {f for w in slots[element[1]] for f in _forms(w.lower(), language)}
    return None


def _forms(word: str, language: str) -> tuple[str, ...]:
    """A word and its inflected forms."""
    return (word, *[f for f in _inflections(language).get(word, ()) if f != word])


def _token_patterns(term: str, slots: Any, language: str) -> list[list[dict[str, Any]]]:
    """spaCy Matcher patterns of a construction (see :mod:`tonekit.lexicon.patterns`)."""
    if is_json_pattern(term):
        return [parse_json_pattern(term)]

    def token(element: tuple) -> dict[str, Any]:
        if element[0] == "alt":  # alternatives of one word each: one token
            words = set().union(*(_word_forms(seq[0], slots, language) for seq in element[1]))
        else:
            words = _word_forms(element, slots, language)
        if words is None:
            raise ValueError(f"not a token element: {element!r}")
        return {"LOWER": next(iter(words))} if len(words) == 1 else {"LOWER": {"IN": sorted(words)}}

    def expand(elements: list[tuple]) -> list[list[dict[str, Any]]]:
        sequences: list[list[dict[str, Any]]] = [[]]
        for element in elements:
            kind = element[0]
            if kind == "gap":
                options = [[{"OP": f"{{{element[1]},{element[2]}}}"}]]
            elif kind == "optional":
                inner = element[1]
                if inner[0] == "alt" and not _one_word_alt(inner):
                    options = [[]] + [o for seq in inner[1] for o in expand(seq)]
                else:
                    options = [[{**token(inner), "OP": "?"}]]
            elif kind == "alt" and not _one_word_alt(element):
                options = [o for seq in element[1] for o in expand(seq)]
            else:
                options = [[token(element)]]
            sequences = [seq + option for seq in sequences for option in options]
        return sequences

    return expand(parse_pattern(term, list(slots)))


def _longest_match(elements: list[tuple]) -> int:
    """The most tokens a match of the elements can span."""
    total = 0
    for element in elements:
        kind = element[0]
        if kind == "gap":
            total += element[2]
        elif kind == "alt":
            total += max(_longest_match(seq) for seq in element[1])
        elif kind == "optional":
            total += _longest_match([element[1]])
        else:
            total += 1
    return total


def _crosses_a_sentence(doc: Doc, match: tuple[int, int, int]) -> bool:
    return any(doc[i].orth in _SENTENCE_ENDS for i in range(match[1] + 1, match[2] - 1))


def _anchor_words(term: str, slots: Any, language: str) -> tuple[set[str], int, int, list[set[str]]] | None:
    """How a construction is found cheaply: the forms of one element that every match
    contains, chosen to be rare (no stop word among them if it can be helped, then the
    fewest forms); the most tokens a match can have before and after an anchor word; and
    the word sets a match needs a word of each. None for a JSON pattern (nothing is known)."""
    if is_json_pattern(term):
        return None
    stop_words = _stop_words(language)

    def rarity(words: set[str]) -> tuple[bool, int]:
        return (not stop_words.isdisjoint(words), len(words))

    def forms(element: tuple) -> set[str] | None:
        if element[0] == "alt":  # each alternative by its rarest word
            found: set[str] = set()
            for seq in element[1]:
                options = [f for f in map(forms, seq) if f]
                if not options:
                    return None
                found |= min(options, key=rarity)
            return found
        return _word_forms(element, slots, language)  # gaps and optional elements: None

    elements = parse_pattern(term, list(slots))
    sets = [(k, f) for k, f in enumerate(map(forms, elements)) if f]
    k, words = min(sets, key=lambda kf: rarity(kf[1]))
    inside = _longest_match([elements[k]]) - 1  # an anchor may be any word of its element
    before, after = _longest_match(elements[:k]) + inside, _longest_match(elements[k + 1:]) + inside
    return words, before, after, [f for _, f in sets]


@lru_cache(maxsize=4)
def _stop_words(language: str) -> frozenset[str]:
    try:
        return frozenset(spacy.util.get_lang_class(language).Defaults.stop_words)
    except ImportError:  # a language spaCy does not know: no stop words to avoid
        return frozenset()


def _one_word_alt(element: tuple) -> bool:
    return all(len(seq) == 1 and seq[0][0] in ("word", "exact") for seq in element[1])


def _lemmas(term_doc: Doc, lowered: list[str]) -> list[str]:
    """The lemmas a term matches: those its tokenizer gives (Korean and Japanese
    analysers lemmatize as they tokenize), else its words as written."""
    if not has_lemmas(term_doc):
        return lowered
    return [t.lemma_.lower() or w for t, w in zip(term_doc, lowered)]


def _inflected_variants(words: tuple[str, ...], language: str) -> list[list[str]]:
    table = _inflections(language)
    options = [(w, *[f for f in table.get(w, ()) if f != w]) for w in words]
    return [list(v) for v in itertools.islice(itertools.product(*options), _MAX_VARIANTS)]
