"""The ``tonekit`` spaCy component: markers and scores on every Doc.

Configured like spaCy's own rulers: the lexicon comes through the registry
(``tonekit.lexicon.v1``, a bundled name or a CSV path) or :meth:`ToneComponent.initialize`,
and travels inside a saved pipeline (``to_disk``/``to_bytes``). A Doc gets plain data
(``doc._.tonekit_data``) from which ``doc._.tonekit`` and the score attributes are read,
and its markers as Spans in ``doc.spans[spans_key]``.

.. code-block:: ini

    [components.tonekit]
    factory = "tonekit"
    spans_key = "tonekit"

    [components.tonekit.lexicon]
    @misc = "tonekit.lexicon.v1"
    source = "diplomatic-en"

>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("tonekit", name="tone")
>>> nlp("We express deep condolences to Your Excellency.")._.courtesy > 0.5
True
"""

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import srsly
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from ..lexicon import Lexicon, resolve
from ..scoring import SCORE_COLUMNS, Totals, Weight, effective_weights, evidence, result_data, totals, weigh
from .extensions import DATA_ATTR, register_extensions
from .matching import LexiconMatcher, has_format_characters, sentence_starts, sentence_words, space_tokens

# No ``from __future__ import annotations`` here: spaCy validates the arguments of the
# factory and of initialize() from their annotations, which must be real types.
FACTORY = "tonekit"
DEFAULT_SPANS_KEY = "tonekit"
_N_DOC_COLUMNS = len(SCORE_COLUMNS)


@registry.misc("tonekit.lexicon.v1")
def lexicon_from_source(source: str = "diplomatic-en") -> Lexicon:
    """A lexicon for the component's config: a bundled name or the path of a CSV file."""
    return resolve(source)


def score_markers(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
    """Precision, recall and F-score of the markers in ``doc.spans[spans_key]`` against
    gold spans, overall and per category (what ``nlp.evaluate`` reports)."""
    kwargs = dict(kwargs)
    key = kwargs.pop("spans_key", DEFAULT_SPANS_KEY)
    prefix = "spans_"
    kwargs.setdefault("attr", f"{prefix}{key}")
    kwargs.setdefault("allow_overlap", True)
    kwargs.setdefault("getter", lambda doc, attr: doc.spans.get(attr[len(prefix):], []))
    kwargs.setdefault("has_annotation", lambda doc: key in doc.spans)
    return Scorer.score_spans(examples, **kwargs)


@registry.scorers("tonekit.scorer.v1")
def make_marker_scorer() -> Callable[..., dict[str, Any]]:
    return score_markers


@Language.factory(
    FACTORY,
    default_config={
        "lexicon": {"@misc": "tonekit.lexicon.v1", "source": "diplomatic-en"},
        "spans_key": DEFAULT_SPANS_KEY,
        "scorer": {"@scorers": "tonekit.scorer.v1"},
    },
    assigns=[f"doc._.{DATA_ATTR}", "doc.spans"],
)
def make_tonekit(
    nlp: Language, name: str, lexicon: Any, spans_key: str, scorer: Callable | None
) -> "ToneComponent":
    """Factory of the ``tonekit`` component. ``lexicon`` is a :class:`Lexicon`, a bundled
    name or a CSV path; ``None`` (or ``""``) leaves it to :meth:`ToneComponent.initialize`
    or ``from_disk``."""
    return ToneComponent(nlp, name, lexicon=lexicon or None, spans_key=spans_key, scorer=scorer)


class ToneComponent:
    """Finds hostility and courtesy markers and scores the Doc, its sentences and spans.

    Called on a Doc it stores the evidence as plain data (read as ``doc._.tonekit``, a
    :class:`~tonekit.scoring.ToneResult`); :meth:`score_docs` gives the document scores
    alone, as the rows of an array named by :attr:`columns`, for batch scoring. Both read
    the same rules (:func:`~tonekit.scoring.weigh`) and the same aggregation
    (:func:`~tonekit.scoring.totals`).
    """

    def __init__(
        self,
        nlp: Language,
        name: str = FACTORY,
        lexicon: Lexicon | str | Path | None = None,
        *,
        spans_key: str = DEFAULT_SPANS_KEY,
        scorer: Callable | None = score_markers,
    ) -> None:
        register_extensions(strict=True)
        self.name = name
        self.vocab = nlp.vocab
        self.spans_key = spans_key
        self.scorer = scorer
        self._make_doc = nlp.make_doc
        self._sentencizer = Sentencizer()
        self.lexicon: Lexicon | None = None
        self._matcher: LexiconMatcher | None = None
        if lexicon is not None:
            self.set_lexicon(resolve(lexicon))

    # -- the lexicon ---------------------------------------------------------------------
    def set_lexicon(self, lexicon: Lexicon) -> None:
        """Use another lexicon (its matcher tables are compiled on first use)."""
        self.lexicon = lexicon
        self.columns: tuple[str, ...] = SCORE_COLUMNS + tuple(lexicon.categories)
        self._category_columns = {c: _N_DOC_COLUMNS + i for i, c in enumerate(lexicon.categories)}
        self._matcher = None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon: Lexicon | str | Path | None = None,
    ) -> None:
        """Called by ``nlp.initialize()``; ``lexicon`` (a Lexicon, bundled name or CSV path)
        replaces the component's, as ``SpanRuler.initialize(patterns=...)`` does."""
        if lexicon is not None:
            self.set_lexicon(resolve(lexicon))

    @property
    def matcher(self) -> LexiconMatcher:
        if self.lexicon is None:
            raise ValueError(
                f"the {self.name!r} component has no lexicon: give one in its config "
                "(lexicon = a bundled name or a CSV path) or call initialize(lexicon=...)"
            )
        if self._matcher is None:
            self._matcher = LexiconMatcher(self.vocab, self._make_doc, self.lexicon)
        return self._matcher

    # -- processing ----------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        matcher, lexicon = self.matcher, self.lexicon
        spaces, format_characters = _layout(doc, doc.text)
        hits = matcher.hits(doc, spaces, format_characters=format_characters)
        if len(doc) and not doc.has_annotation("SENT_START"):
            self._sentencizer(doc)
        sentences = sentence_words(sentence_starts(doc), len(doc), spaces) if len(doc) else []
        sent_starts = [start for start, _ in sentences]
        markers = evidence(doc, weigh(doc, hits, lexicon, sent_starts, matcher.cues, spaces), sent_starts)
        bounds = []
        for start, end in sentences:
            last = doc[end - 1]
            n_spaces = bisect_left(spaces, end) - bisect_left(spaces, start)
            bounds.append((doc[start].idx, last.idx + len(last), end - start - n_spaces))
        doc._.set(DATA_ATTR, result_data(markers, len(doc) - len(spaces), bounds, lexicon.categories, lexicon.label))
        # Always set, so a Doc scored again without markers keeps no stale spans.
        doc.spans[self.spans_key] = [Span(doc, m.start, m.end, label=m.category) for m in markers]
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def totals(self, doc: Doc, text: str | None = None, *, plain: bool = False) -> Totals:
        """The document scores of a Doc, without evidence: the numbers of ``doc._.tonekit``.

        Sentences, lemmas and a parse are used where components set them; without
        sentences, clauses and contrast are scoped by the sentencizer's rule, which gives
        the same bounds. ``text`` is the Doc's text, when the caller has it (which spares
        rebuilding it from the tokens); ``plain`` says the Doc comes straight from the
        tokenizer, which spares looking for annotations it cannot have.
        """
        weights, n_tokens = self.weights(doc, text, plain=plain)
        if not weights:
            return Totals(0.0, 0.0, 0.0, 0.0, 0.0, n_tokens, 0, {})
        return totals(weights, n_tokens)

    def weights(self, doc: Doc, text: str | None = None, *, plain: bool = False) -> tuple[list[Weight], int]:
        """The effective weights of a Doc's markers, in text order, and its number of
        tokens (whitespace is none): what :meth:`totals` adds up. The pieces of a long
        text add up to its scores: their weights joined in order, their tokens summed."""
        matcher = self.matcher
        spaces, format_characters = _layout(doc, doc.text if text is None else text)
        n_tokens = len(doc) - len(spaces)
        hits = matcher.hits(doc, spaces, lemmas=False if plain else None, format_characters=format_characters)
        if not hits:
            return [], n_tokens
        sentences = not plain and len(doc) > 1 and doc.has_annotation("SENT_START")
        sent_starts = sentence_starts(doc) if sentences else None
        weighed = weigh(doc, hits, self.lexicon, sent_starts, matcher.cues, spaces, parsed=False if plain else None)
        return effective_weights(weighed), n_tokens

    def score_docs(self, docs: Iterable[Doc], texts: Sequence[str] | None = None, *, plain: bool = False) -> np.ndarray:
        """:meth:`totals` of each Doc as the rows of one array, in the order of
        :attr:`columns`: the batch engine's path. ``texts``, when given, are the Docs'
        texts; ``plain`` says they come straight from the tokenizer (see :meth:`totals`).

        >>> import tonekit
        >>> nlp = tonekit.load()
        >>> rows = nlp.get_pipe("tonekit").score_docs(nlp.tokenizer.pipe(["Abe is an imbecile.", "Thank you."]))
        >>> len(rows), bool(rows[0, 0] > 0), int(rows[1, 5])
        (2, True, 3)
        """
        columns = self._category_columns
        n_tokens: list[int] = []
        # Most texts have no marker: only the cells markers fill are written, at the end.
        at_rows: list[int] = []
        at_columns: list[int] = []
        values: list[float] = []
        for k, doc in enumerate(docs):
            scores = self.totals(doc, None if texts is None else texts[k], plain=plain)
            n_tokens.append(scores.n_tokens)
            if scores.categories:
                at_rows += [k] * (_N_DOC_COLUMNS + len(scores.categories))
                at_columns += [*range(_N_DOC_COLUMNS), *(columns[c] for c in scores.categories)]
                values += [*scores[:_N_DOC_COLUMNS], *scores.categories.values()]
        rows = np.zeros((len(n_tokens), len(self.columns)))
        rows[:, SCORE_COLUMNS.index("n_tokens")] = n_tokens
        rows[np.array(at_rows, np.intp), np.array(at_columns, np.intp)] = values
        return rows

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
        """Marker spans against gold spans, as ``nlp.evaluate`` asks every component."""
        return self.scorer(examples, spans_key=self.spans_key, **kwargs) if self.scorer else {}

    # -- serialization -------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if "lexicon" not in exclude and self.lexicon is not None:
            self.lexicon.to_csv(path / "lexicon.csv")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ToneComponent":
        source = Path(path) / "lexicon.csv"
        if "lexicon" not in exclude and source.exists():
            self.set_lexicon(Lexicon.from_csv(source))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        data: dict[str, Any] = {}
        if "lexicon" not in exclude and self.lexicon is not None:
            data["entries"], data["metadata"] = self.lexicon.to_strings()
        return srsly.msgpack_dumps(data)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "ToneComponent":
        payload = srsly.msgpack_loads(data)
        if "lexicon" not in exclude and "entries" in payload:
            self.set_lexicon(Lexicon.from_strings(payload["entries"], payload["metadata"]))
        return self


def _layout(doc: Doc, text: str) -> tuple[list[int], bool]:
    """Positions of the Doc's whitespace tokens, and whether its text has format characters.
    spaCy makes a whitespace token of any whitespace but a single space after a word, so
    most texts, with neither, are told by their text."""
    if text.isprintable():
        return ([] if "  " not in text and text[:1] != " " else space_tokens(doc)), False
    return space_tokens(doc), has_format_characters(text)
