"""Entry points: :func:`load` a pipeline, :func:`score` a text, find the component.

>>> r = score("I express deep condolences and sympathy to Your Excellency.")
>>> r.courtesy > 0.5 and r.hostility == 0
True
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.language import Language

from ..lexicon import Lexicon, resolve
from ..scoring import ToneResult, merge
from ..shared import plain_str, unpaired_surrogate
from .component import FACTORY, ToneComponent
from .extensions import doc_result
from .languages import LEMMATIZING_TOKENIZERS, blank, warn_language_mismatch
from .tokens import PIECE_LENGTH, memory_zone, tokenize


def load(
    lexicon: Lexicon | str | Path | None = None, *, model: str | Path | Language | None = None,
    lemmatizer: bool = False,
) -> Language:
    """A pipeline with the ``tonekit`` component: by default blank English (the lexicon's
    language) + lookup lemmatizer + sentencizer + ``tonekit``. A Korean or Japanese
    lexicon gets its language's morphological tokenizer instead of the lemmatizer (see
    :mod:`tonekit.pipeline.languages`; ``load(lexicon="diplomatic-ko")``).

    ``model`` is an installed spaCy pipeline's name, a path or a ``Language``: the
    component is added at its end, after its parser, whose tree then scopes negation (a
    saved pipeline that has the component already keeps it, and its lexicon unless
    ``lexicon`` is given).

    The lookup lemmatizer (spacy-lookups-data) is in the blank pipeline but disabled unless
    ``lemmatizer=True``: matching does not need it (lemma entries are expanded to their
    inflections), and lemmatizing every token would cost more than the rest of the
    pipeline together. Enable it with ``nlp.enable_pipe("lemmatizer")`` for ``token.lemma_``.

    >>> nlp = load()
    >>> nlp.pipe_names
    ['sentencizer', 'tonekit']
    """
    if model is not None:
        nlp = model if isinstance(model, Language) else spacy.load(model)
        if any(nlp.get_pipe_meta(name).factory == FACTORY for name in nlp.component_names):
            if lexicon is not None:  # a saved tonekit pipeline: its lexicon, unless another is given
                find_component(nlp, enabled=False).initialize(lexicon=lexicon)
            return nlp
    lex = resolve(lexicon)
    if model is None:
        nlp = blank(lex.language)
        # Korean and Japanese tokens carry their lemmas from the morphological analyser.
        lookup = lex.language not in LEMMATIZING_TOKENIZERS
        if lookup:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe("sentencizer")
        nlp.initialize()
        if lookup and not lemmatizer:
            nlp.disable_pipe("lemmatizer")
    # A bundled lexicon is recorded in the config by name. Any other travels inside the
    # saved pipeline (to_disk): a path in the config would break spacy.load once the file moves.
    source = lex.name if lexicon is None or (isinstance(lexicon, str) and _is_bundled_name(lexicon)) else None
    config = {"lexicon": {"@misc": "tonekit.lexicon.v1", "source": source}} if source else {"lexicon": None}
    component = nlp.add_pipe(FACTORY, config=config)
    if component.lexicon is None:
        component.initialize(lexicon=lex)
    return nlp


def _is_bundled_name(value: str) -> bool:
    return Path(value).suffix.lower() != ".csv" and not Path(value).exists()


_PIPELINES: OrderedDict[str, Language] = OrderedDict()


def pipeline_for(lexicon: Lexicon | str | Path | None = None, *, fresh: bool = False) -> Language:
    """A cached ``load(lexicon)``, keyed by the lexicon's content hash; ``fresh`` builds
    it anew in place of the cached one (whose vocabulary may have grown)."""
    lex = resolve(lexicon)
    key = lex.content_hash
    if fresh:
        _PIPELINES.pop(key, None)  # first, so that the old one can be freed
    if key not in _PIPELINES:
        _PIPELINES[key] = load(lex)
        if len(_PIPELINES) > 4:
            _PIPELINES.popitem(last=False)
    _PIPELINES.move_to_end(key)
    return _PIPELINES[key]


def find_component(nlp: Language, *, enabled: bool = True) -> ToneComponent:
    """The tonekit component of a pipeline, whatever its instance name (found by its
    factory); a clear error when it has none, or when it is disabled and ``enabled``."""
    names = [name for name in nlp.component_names if nlp.get_pipe_meta(name).factory == FACTORY]
    if not names:
        raise ValueError(f"the pipeline has no 'tonekit' component (components: {nlp.component_names})")
    name = names[-1]
    if enabled and name in nlp.disabled:
        raise ValueError(f"the pipeline's tonekit component {name!r} is disabled: enable it with nlp.enable_pipe({name!r})")
    return nlp.get_pipe(name)


def score(text: str, *, lexicon: Lexicon | str | Path | None = None, nlp: Language | None = None) -> ToneResult:
    """Score one text for hostility and courtesy, with the markers behind the scores.

    Texts longer than :data:`~tonekit.pipeline.tokens.PIECE_LENGTH` characters (or
    ``nlp.max_length``, if smaller) are scored in pieces cut at paragraph or sentence
    ends and joined, one piece at a time, so memory does not grow with the text. An
    empty or blank text scores zero here (a corpus row of it gets the error
    ``"empty text"`` in ``score_corpus``). A subclass of ``str`` is scored as its plain
    text. Strings the text adds to the vocabulary are freed afterwards
    (:func:`~tonekit.pipeline.tokens.memory_zone`).

    >>> r = score("I express deep condolences and sympathy to Your Excellency.")
    >>> r.courtesy > 0.5 and r.hostility == 0
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"score() expects the text as a str, got {type(text).__name__}: {text!r:.80}")
    text = plain_str(text)
    where = unpaired_surrogate(text)  # spaCy would fail on it with the position in a token
    if where is not None:
        raise ValueError(f"text is not valid Unicode: {where}")
    if nlp is None:
        nlp = pipeline_for(lexicon)
    elif lexicon is not None:
        raise ValueError("give either lexicon= or nlp=, not both (the pipeline's component has its lexicon)")
    component = find_component(nlp)
    warn_language_mismatch([text], component.lexicon.language, stacklevel=2)
    component.matcher  # compiled outside the memory zone, whose strings do not last
    limit = min(nlp.max_length, PIECE_LENGTH)
    with memory_zone(nlp):
        if len(text) <= limit:
            return doc_result(nlp(tokenize(nlp, text)))
        return merge(_pieces(nlp, text, limit), text, component.lexicon.categories)


def _pieces(nlp: Language, text: str, limit: int) -> Iterator[tuple[int, int, ToneResult]]:
    """The result of each piece with the offsets of its first character and token,
    piece by piece: no Doc is kept once its result is taken."""
    token_offset = 0
    for offset, piece in split_long_text(text, limit):
        doc = nlp(tokenize(nlp, piece))
        yield offset, token_offset, doc_result(doc)
        token_offset += len(doc)


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
