"""The spaCy side: the ``tonekit`` component, ``load`` and ``score``.

The component turns a Doc into markers with one pass of a ``PhraseMatcher`` over
lower-cased token text. Lemma entries are expanded to their inflected surface forms
(from spaCy's English lookup table) when the lexicon is compiled, so no document
has to be lemmatized; a user pipeline that already sets lemmas is matched on them too.

>>> import tonekit
>>> nlp = tonekit.load()
>>> doc = nlp("Abe is none other than a perfect imbecile.")
>>> doc._.hostility > 0.5
True
>>> [m.category for m in doc._.markers]
['insult']
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import spacy
import srsly
from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span

from .shared import unpaired_surrogate
from .lexicon import Entry, Lexicon, resolve
from .scoring import (
    QUOTE_CHARS,
    SCORE_COLUMNS,
    Hit,
    SentenceTone,
    ToneResult,
    aggregate,
    find_markers,
    marker_weights,
    merge,
    score_cells,
    score_values,
    sentence_tone,
)

SPAN_KEY = "tonekit"
_MAX_VARIANTS = 64  # inflected variants of one multiword term
_CUE_PRIORITY = {"entry": 0, "distancing": 1, "negation_exception": 2}
_START_END_OF_HIT = itemgetter(0, 1)
_N_TOKENS = SCORE_COLUMNS.index("n_tokens")


@Language.factory(
    "tonekit",
    default_config={"lexicon": "diplomatic-en"},
    assigns=["doc._.tonekit", "doc.spans"],
)
def make_tonekit(nlp: Language, name: str, lexicon: str) -> ToneComponent:
    """Factory of the ``tonekit`` component; ``lexicon`` is a bundled name or a CSV path
    ("" leaves it to be set with :meth:`ToneComponent.set_lexicon` or ``from_disk``)."""
    return ToneComponent(nlp, name, lexicon=lexicon or None, default=bool(lexicon))


class ToneComponent:
    """Finds hostility and courtesy markers and scores the Doc, its sentences and spans.

    Called on a Doc it sets ``doc._.tonekit`` (a :class:`ToneResult` with the evidence);
    :meth:`score_row` and :meth:`score_values` give the document scores alone, named by
    :attr:`columns`, for batch scoring.

    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("tonekit")
    >>> nlp("We express deep condolences to Your Excellency.")._.courtesy > 0.5
    True
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "tonekit",
        lexicon: Lexicon | str | Path | None = None,
        *,
        default: bool = True,
    ):
        self.name = name
        self.vocab = nlp.vocab
        self._make_doc = nlp.make_doc
        self._sentencizer = Sentencizer()
        self.lexicon: Lexicon | None = None
        if lexicon is not None or default:
            self.set_lexicon(resolve(lexicon))

    # -- lexicon compilation ---------------------------------------------------------
    def set_lexicon(self, lexicon: Lexicon) -> None:
        """Use another lexicon (rebuilds the matchers)."""
        self.lexicon = lexicon
        self._categories = tuple(lexicon.categories)
        self.columns = SCORE_COLUMNS + self._categories
        self._category_slots = {c: len(SCORE_COLUMNS) + i for i, c in enumerate(self._categories)}
        self._payload: dict[int, tuple[str, Entry | str, float]] = {}
        self._priority: dict[int, int] = {}  # among overlapping matches of one length
        # Match ids of what can make a marker: a text whose matches are all modifier
        # cues (most texts of a corpus) scores zero without further work.
        self._marker_keys: set[int] = set()
        # One pass over the Doc finds terms and cues together: a second pass for the
        # cues was measured to cost more than the cue matches it spared.
        self._lower = PhraseMatcher(self.vocab, attr="LOWER")
        self._orth = PhraseMatcher(self.vocab, attr="ORTH")
        self._lemma = PhraseMatcher(self.vocab, attr="LEMMA")
        self._has_orth = self._has_lemma = False
        # Consecutive words of a pattern, by lowercase id: a whitespace token between two
        # such words may split a term ("political\ndwarf"), between any others it cannot.
        self._word_pairs: set[tuple[int, int]] = set()
        for i, entry in enumerate(lexicon.entries):
            key = self._key(f"tonekit.entry.{i}", ("entry", entry, 1.0))
            words = [t.text for t in self._make_doc(entry.term)]
            lowered = [w.lower() for w in words]
            if entry.match == "exact":
                self._orth.add(key, [Doc(self.vocab, words=words)])
                self._has_orth = True
                self._add_word_pairs(lowered)
                continue
            variants = [lowered]
            if entry.match == "lemma":
                variants = _inflected_variants(tuple(lowered), lexicon.language)
                self._lemma.add(key, [Doc(self.vocab, words=lowered, lemmas=lowered)])
                self._has_lemma = True
            self._lower.add(key, [Doc(self.vocab, words=v) for v in variants])
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
        self._graded_words: dict[int, tuple[str, str, float]] = {}
        for kind, cues in cue_groups:
            for cue, factor in cues.items():
                words = [t.text.lower() for t in self._make_doc(cue)]
                if kind in ("intensifier", "downtoner") and len(words) == 1:
                    # One-word intensifiers and downtoners ("you", "so", "very") are common
                    # words that only count right before a marker: they are looked up there
                    # instead of being matched all over every text.
                    self._graded_words.setdefault(self.vocab.strings.add(words[0]), (kind, cue, factor))
                    continue
                key = self._key(f"tonekit.{kind}.{cue}", (kind, cue, factor))
                self._lower.add(key, [Doc(self.vocab, words=words)])
                self._add_word_pairs(words)

    def _add_word_pairs(self, words: list[str]) -> None:
        strings = self.vocab.strings
        self._word_pairs.update(zip(map(strings.add, words), map(strings.add, words[1:])))

    def _key(self, name: str, payload: tuple[str, Entry | str, float]) -> str:
        match_id = self.vocab.strings.add(name)
        self._payload[match_id] = payload
        self._priority[match_id] = _CUE_PRIORITY.get(payload[0], 3)
        if payload[0] in ("entry", "distancing", "quote"):
            self._marker_keys.add(match_id)
        return name

    # -- processing ------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        spaces = _space_tokens(doc, text)
        hits = self._hits(doc, self._lemmas_in(doc), spaces)
        if len(doc) and not _has_sentences(doc):
            self._sentencizer(doc)
        sentences = _sentence_words(_sentence_starts(doc), len(doc), spaces) if len(doc) else []
        sent_starts = [start for start, _ in sentences]
        markers = find_markers(doc, hits, self.lexicon, sent_starts, self._graded_words, spaces) if hits else []
        bounds = []
        for start, end in sentences:
            last = doc[end - 1]
            n_spaces = bisect_left(spaces, end) - bisect_left(spaces, start)
            bounds.append((doc[start].idx, last.idx + len(last), end - start - n_spaces))
        doc._.tonekit = aggregate(
            text, markers, len(doc) - len(spaces), bounds, self._categories, self.lexicon.label
        )
        # Always set, so a Doc re-scored without markers keeps no stale spans.
        doc.spans[SPAN_KEY] = [Span(doc, m.start, m.end, label=m.category) for m in markers]
        return doc

    def score_row(self, doc: Doc, *, lemmas: bool | None = None) -> dict[str, Any]:
        """Document-level scores as a flat dict (the columns of a batch row), without
        per-sentence results or evidence. The numbers equal those of ``doc._.tonekit``.

        ``lemmas`` says whether the Doc carries lemmas (checked when None).
        """
        return dict(zip(self.columns, self.score_values(doc, lemmas=lemmas)))

    def score_values(self, doc: Doc, *, lemmas: bool | None = None) -> list[float]:
        """:meth:`score_row` as a list in the order of :attr:`columns`: the fast path
        of batch scoring."""
        spaces = _space_tokens(doc, doc.text)
        hits = self._hits(doc, self._lemmas_in(doc) if lemmas is None else lemmas, spaces)
        weights = ()
        if hits:
            # A row reports no sentences: use them only where a pipeline component set them.
            sent_starts = _sentence_starts(doc) if _has_sentences(doc) else None
            weights = marker_weights(doc, hits, self.lexicon, sent_starts, self._graded_words, spaces=spaces)
        return score_values(weights, len(doc) - len(spaces), self._category_slots)

    def score_docs(self, docs: Iterable[Doc], texts: Sequence[str] | None = None) -> np.ndarray:
        """:meth:`score_values` of Docs as the tokenizer makes them (no lemmas, no
        sentences), as the rows of one array: the batch engine's path for a
        tokenizer-only pipeline. ``texts``, when given, are the Docs' texts (which
        spares rebuilding each text from its tokens).

        Most texts of a corpus have no marker: they cost a matcher call and their token
        count, and only the cells that markers fill are written, in one assignment
        (a list per row, turned into an array, costs more than scoring most texts).

        A Doc per text, not one Doc of a batch's texts joined: that would spare the
        per-Doc costs, but spaCy's tokenizer caches no new word of a Doc after its first
        special case ("don't", "a.", a newline), which made tokenizing a fresh corpus
        2.6 times slower, measured.

        >>> nlp = load()
        >>> rows = nlp.get_pipe("tonekit").score_docs(nlp.tokenizer.pipe(["Abe is an imbecile.", "Thank you."]))
        >>> len(rows), bool(rows[0, 0] > 0), int(rows[1, 5])
        (2, True, 3)
        """
        if self.lexicon is None:
            raise ValueError("the tonekit component has no lexicon: call set_lexicon() first")
        hits_in, lexicon, graded_words, slots_of = self._hits, self.lexicon, self._graded_words, self._category_slots
        n_tokens: list[int] = []
        at_rows: list[int] = []
        at_slots: list[int] = []
        values: list[float] = []
        for k, doc in enumerate(docs):
            spaces = _space_tokens(doc, doc.text if texts is None else texts[k])
            n_tokens.append(len(doc) - len(spaces))
            hits = hits_in(doc, False, spaces)
            if not hits:
                continue
            weights = marker_weights(doc, hits, lexicon, None, graded_words, parsed=False, spaces=spaces)
            if weights:
                slots, cells = score_cells(weights, n_tokens[k], slots_of)
                at_rows += [k] * len(slots)
                at_slots += slots
                values += cells
        rows = np.zeros((len(n_tokens), len(self.columns)))
        # fromiter with the type given: np.array would first inspect every element
        rows[:, _N_TOKENS] = np.fromiter(n_tokens, np.intp, len(n_tokens))
        cells_at = np.fromiter(at_rows, np.intp, len(at_rows)), np.fromiter(at_slots, np.intp, len(at_slots))
        rows[cells_at] = np.fromiter(values, np.float64, len(values))
        return rows

    def _lemmas_in(self, doc: Doc) -> bool:
        # A lemmatizer sets every token; Doc.has_annotation would walk the whole Doc.
        return self._has_lemma and len(doc) > 0 and doc[0].lemma != 0 and doc[-1].lemma != 0

    def _hits(self, doc: Doc, lemmas: bool, spaces: Sequence[int] = ()) -> list[Hit]:
        """Entries and cues found in the Doc, without overlaps; ``spaces`` are the
        positions of its whitespace tokens, which a term may span ("political\ndwarf")."""
        if self.lexicon is None:
            raise ValueError("the tonekit component has no lexicon: call set_lexicon() first")
        if spaces and (lemmas or self._splits_a_pattern(doc, spaces)):
            matches = self._matches_between_spaces(doc, lemmas, spaces)
        else:
            matches = self._matches(doc, lemmas)
        marker_keys = self._marker_keys
        for match_id, _, _ in matches:
            if match_id in marker_keys:
                return self._resolve(matches)
        return []

    def _matches(self, doc: Doc, lemmas: bool) -> list[tuple[int, int, int]]:
        matches = self._lower(doc)
        if self._has_orth:
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
        leftmost."""
        payload = self._payload
        previous_end = 0
        for _, start, end in matches:
            if start < previous_end:  # an overlap, or matches out of text order
                break
            previous_end = end
        else:  # the common case: in order, nothing overlaps, so there is nothing to choose
            # (a tuple joined to the payload costs half of unpacking it into a new one)
            return [(start, end) + payload[match_id] for match_id, start, end in matches]
        priority = self._priority
        candidates = [(start - end, priority[match_id], start, match_id, end) for match_id, start, end in matches]
        candidates.sort()
        taken: set[int] = set()
        hits = []
        for _, _, start, match_id, end in candidates:
            if end - start == 1:  # most matches are one word: no range to build
                if start in taken:
                    continue
                taken.add(start)
            else:
                span = range(start, end)
                if not taken.isdisjoint(span):
                    continue
                taken.update(span)
            hits.append((start, end) + payload[match_id])
        hits.sort(key=_START_END_OF_HIT)
        return hits

    # -- serialization ---------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.lexicon.to_csv(path / "lexicon.csv")

    def from_disk(self, path: str | Path, *, exclude: tuple = ()) -> ToneComponent:
        self.set_lexicon(Lexicon.from_csv(Path(path) / "lexicon.csv"))
        return self

    def to_bytes(self, *, exclude: tuple = ()) -> bytes:
        csv_text, metadata = self.lexicon.to_strings()
        return srsly.msgpack_dumps({"entries": csv_text, "metadata": metadata})

    def from_bytes(self, data: bytes, *, exclude: tuple = ()) -> ToneComponent:
        payload = srsly.msgpack_loads(data)
        self.set_lexicon(Lexicon.from_strings(payload["entries"], payload["metadata"]))
        return self


def _space_tokens(doc: Doc, text: str) -> list[int]:
    """Positions of the Doc's whitespace tokens (line breaks, runs of spaces), which
    spaCy's tokenizer makes of any whitespace (``str.isspace``) but a single space after
    a word. Most statements have none: the text tells, at no token's cost. For ASCII,
    a substring search per whitespace character, most frequent first, is 2.1 times as
    fast as ``isprintable()``."""
    if text.isascii():
        if not (
            text[:1] == " " or "  " in text or "\n" in text or "\r" in text or "\t" in text
            or "\x0b" in text or "\x0c" in text or "\x1c" in text or "\x1d" in text
            or "\x1e" in text or "\x1f" in text
        ):
            return []
    elif text.isprintable() and "  " not in text and text[:1] != " ":
        return []
    return np.flatnonzero(doc.to_array(IS_SPACE)).tolist()


def _has_sentences(doc: Doc) -> bool:
    # A sentencizer or parser sets every token; Doc.has_annotation would walk the Doc.
    return len(doc) == 1 or (len(doc) > 1 and doc[1].is_sent_start is not None)


def _sentence_starts(doc: Doc) -> list[int]:
    starts = np.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def _sentence_words(sent_starts: list[int], n_tokens: int, spaces: Sequence[int]) -> list[tuple[int, int]]:
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
    """Lemma -> inflected forms, inverted from spaCy's lookup lemma table."""
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


# -- Doc / Span attributes ---------------------------------------------------------------


def _span_tone(span: Span) -> SentenceTone | None:
    result: ToneResult | None = span.doc._.tonekit
    if result is None:
        return None
    markers = [m for m in result.markers if span.start <= m.start and m.end <= span.end]
    # The sentence the span ends in (a sentence of doc.sents may begin with the
    # paragraph break before a sentence of the result); whitespace tokens are no tokens.
    index = max(sum(s.start_char < span.end_char for s in result.sentences) - 1, 0)
    n_tokens = len(span) - sum(token.is_space for token in span)
    return sentence_tone(index, span.text, span.start_char, span.end_char, n_tokens, markers)


def _register_extensions() -> None:
    if not Doc.has_extension("tonekit"):
        Doc.set_extension("tonekit", default=None)
    for attr in ("hostility", "courtesy", "tone", "hostility_rate", "courtesy_rate"):
        if not Doc.has_extension(attr):
            Doc.set_extension(attr, getter=lambda doc, a=attr: getattr(doc._.tonekit, a, None))
        if not Span.has_extension(attr):
            Span.set_extension(attr, getter=lambda span, a=attr: getattr(_span_tone(span), a, None))
    if not Doc.has_extension("markers"):
        Doc.set_extension("markers", getter=lambda doc: doc._.tonekit.markers if doc._.tonekit else ())
    if not Span.has_extension("tonekit"):
        Span.set_extension("tonekit", getter=_span_tone)
    if not Span.has_extension("markers"):
        Span.set_extension(
            "markers",
            getter=lambda span: tuple(
                m for m in (span.doc._.markers or ()) if span.start <= m.start and m.end <= span.end
            ),
        )


_register_extensions()


# -- user-facing entry points ----------------------------------------------------------------


def load(lexicon: Lexicon | str | Path | None = None, *, lemmatizer: bool = False) -> Language:
    """Blank English pipeline + lookup lemmatizer + sentencizer + the ``tonekit`` component.

    The lookup lemmatizer (spacy-lookups-data) is in the pipeline but disabled unless
    ``lemmatizer=True``: matching does not need it (lemma entries are expanded to their
    inflections), and lemmatizing every token would cost more than the rest of the
    pipeline together. Enable it with ``nlp.enable_pipe("lemmatizer")`` for ``token.lemma_``.

    >>> nlp = load()
    >>> nlp.pipe_names
    ['sentencizer', 'tonekit']
    """
    lex = resolve(lexicon)
    nlp = spacy.blank(lex.language)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer")
    # A bundled lexicon is recorded in the config by name. Any other is saved by to_disk,
    # a CSV too: a path in the config would break spacy.load once the file moves.
    if lexicon is None:
        by_name = "diplomatic-en"
    elif isinstance(lexicon, str) and Path(lexicon).suffix.lower() != ".csv" and not Path(lexicon).exists():
        by_name = lexicon
    else:
        by_name = ""
    component = nlp.add_pipe("tonekit", config={"lexicon": by_name})
    nlp.initialize()
    if component.lexicon is None:
        component.set_lexicon(lex)
    if not lemmatizer:
        nlp.disable_pipe("lemmatizer")
    return nlp


_PIPELINES: OrderedDict[str, Language] = OrderedDict()


def pipeline_for(lexicon: Lexicon | str | Path | None = None) -> Language:
    """A cached ``load(lexicon)``, keyed by the lexicon's content hash."""
    lex = resolve(lexicon)
    key = lex.content_hash
    if key not in _PIPELINES:
        _PIPELINES[key] = load(lex)
        if len(_PIPELINES) > 4:
            _PIPELINES.popitem(last=False)
    _PIPELINES.move_to_end(key)
    return _PIPELINES[key]


def score(text: str, *, lexicon: Lexicon | str | Path | None = None, nlp: Language | None = None) -> ToneResult:
    """Score one text for hostility and courtesy, with the markers behind the scores.

    Texts longer than ``nlp.max_length`` are scored in pieces cut at paragraph or
    sentence ends and joined; an empty or blank text scores zero.

    >>> r = score("I express deep condolences and sympathy to Your Excellency.")
    >>> r.courtesy > 0.5 and r.hostility == 0
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"score() expects the text as a str, got {type(text).__name__}: {text!r:.80}")
    where = unpaired_surrogate(text)  # spaCy would fail on it with the position in a token
    if where is not None:
        raise ValueError(f"text is not valid Unicode: {where}")
    if nlp is None:
        nlp = pipeline_for(lexicon)
    elif lexicon is not None:
        raise ValueError("give either lexicon= or nlp=, not both (the pipeline's component has its lexicon)")
    elif "tonekit" not in nlp.pipe_names:
        component_of(nlp)  # names the components when there is no tonekit at all
        raise ValueError("the pipeline's 'tonekit' component is disabled: enable it with nlp.enable_pipe('tonekit')")
    if len(text) <= nlp.max_length:
        return nlp(text)._.tonekit
    pieces = list(split_long_text(text, nlp.max_length))
    parts = []
    token_offset = 0
    for (offset, _), doc in zip(pieces, nlp.pipe(p for _, p in pieces)):
        parts.append((offset, token_offset, doc._.tonekit))
        token_offset += len(doc)
    categories = tuple(nlp.get_pipe("tonekit").lexicon.categories)
    return merge(parts, text, categories)


def split_long_text(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` of at most ``limit`` characters,
    preferring paragraph breaks, then sentence ends, then spaces."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "? ", "! ", " "):
            cut = window.rfind(sep)
            if cut > limit // 2:
                cut += len(sep)
                break
            cut = -1
        if cut <= 0:
            cut = limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def component_of(nlp: Language) -> ToneComponent:
    """The tonekit component of a pipeline (a clear error when it has none)."""
    if "tonekit" not in nlp.component_names:
        raise ValueError(f"the pipeline has no 'tonekit' component (components: {nlp.component_names})")
    return nlp.get_pipe("tonekit")
