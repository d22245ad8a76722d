"""The spaCy side: the ``tonekit`` component, its Doc and Span attributes, ``load`` and ``score``.

- :mod:`~tonekit.pipeline.matching` — a lexicon compiled for spaCy's matchers;
- :mod:`~tonekit.pipeline.component` — the component (factory ``"tonekit"``), its config and serialization;
- :mod:`~tonekit.pipeline.extensions` — ``doc._``/``span._`` attributes, registered once;
- :mod:`~tonekit.pipeline.load` — :func:`load`, :func:`score` and the component lookup;
- :mod:`~tonekit.pipeline.tokens` — linear-time tokenizing, the pieces of long texts, memory zones.

>>> import tonekit
>>> nlp = tonekit.load()
>>> doc = nlp("Abe is none other than a perfect imbecile.")
>>> doc._.hostility > 0.5, [m.category for m in doc._.markers]
(True, ['insult'])
"""

from .component import FACTORY, ToneComponent, lexicon_from_source, make_tonekit, score_markers
from .extensions import doc_result, register_extensions, span_tone
from .load import find_component, load, pipeline_for, score, split_long_text
from .matching import LexiconMatcher
from .tokens import MAX_SPAN, PIECE_LENGTH, memory_zone, tokenize, tokenize_all

__all__ = [
    "FACTORY", "LexiconMatcher", "ToneComponent", "doc_result", "find_component", "lexicon_from_source",
    "load", "make_tonekit", "pipeline_for", "register_extensions", "score", "score_markers", "span_tone",
    "split_long_text",
    "MAX_SPAN", "PIECE_LENGTH", "memory_zone", "tokenize", "tokenize_all",
]
