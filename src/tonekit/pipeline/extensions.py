"""The attributes tonekit sets on spaCy objects, registered in one place.

What a Doc stores is plain data (``doc._.tonekit_data``: dicts, lists, numbers), so
``DocBin(store_user_data=True)`` and ``nlp.pipe(n_process=...)`` carry it; every other
attribute is a getter that rebuilds the results from it:

- ``doc._.tonekit``: the :class:`~tonekit.scoring.ToneResult` (None before scoring);
- ``doc._.hostility``, ``courtesy``, ``tone``, ``hostility_rate``, ``courtesy_rate``, ``markers``;
- ``span._.tonekit`` (a :class:`~tonekit.scoring.SentenceTone` of the span) and the same
  scores and markers on any Span, e.g. ``[s._.tone for s in doc.sents]``.

An attribute of the same name that something else registered is never replaced:
:func:`register_extensions` raises an error that names it.

>>> import tonekit
>>> doc = tonekit.load()("Abe is a political dwarf.")
>>> doc._.hostility > 0.5, sorted(doc._.tonekit_data)
(True, ['categories', 'lexicon', 'markers', 'n_tokens', 'sentences'])
"""

from __future__ import annotations

from functools import partial
from typing import Any

from spacy.tokens import Doc, Span

from ..scoring import Marker, SentenceTone, ToneResult, sentence_tone

DATA_ATTR = "tonekit_data"
SCORE_ATTRS = ("hostility", "courtesy", "tone", "hostility_rate", "courtesy_rate")


def doc_result(doc: Doc) -> ToneResult | None:
    """The result of a scored Doc, rebuilt from its plain data."""
    data = doc._.get(DATA_ATTR)
    return None if data is None else ToneResult.from_data(doc.text, data)


def _doc_score(attr: str, doc: Doc) -> float | None:
    return getattr(doc_result(doc), attr, None)


def _doc_markers(doc: Doc) -> tuple[Marker, ...]:
    result = doc_result(doc)
    return result.markers if result is not None else ()


def span_tone(span: Span) -> SentenceTone | None:
    """Scores of a span of a scored Doc (a sentence of ``doc.sents``, or any span)."""
    result = doc_result(span.doc)
    if result is None:
        return None
    markers = [m for m in result.markers if span.start <= m.start and m.end <= span.end]
    # The sentence the span ends in (a sentence of doc.sents may begin with the
    # paragraph break before a sentence of the result); whitespace tokens are no tokens.
    index = max(sum(s.start_char < span.end_char for s in result.sentences) - 1, 0)
    n_tokens = len(span) - sum(token.is_space for token in span)
    return sentence_tone(index, span.text, span.start_char, span.end_char, n_tokens, markers)


def _span_score(attr: str, span: Span) -> float | None:
    return getattr(span_tone(span), attr, None)


def _span_markers(span: Span) -> tuple[Marker, ...]:
    result = doc_result(span.doc)
    markers = result.markers if result is not None else ()
    return tuple(m for m in markers if span.start <= m.start and m.end <= span.end)


# (owner, name, default, getter): built once, so that a registered getter is recognised as ours.
_EXTENSIONS: tuple[tuple[type, str, Any, Any], ...] = (
    (Doc, DATA_ATTR, None, None),
    (Doc, "tonekit", None, doc_result),
    (Doc, "markers", None, _doc_markers),
    *((Doc, attr, None, partial(_doc_score, attr)) for attr in SCORE_ATTRS),
    (Span, "tonekit", None, span_tone),
    (Span, "markers", None, _span_markers),
    *((Span, attr, None, partial(_span_score, attr)) for attr in SCORE_ATTRS),
)


def register_extensions(*, strict: bool = True) -> None:
    """Register tonekit's attributes (once). With ``strict``, an attribute of the same
    name registered by something else is an error; without, it is left as it is."""
    for owner, name, default, getter in _EXTENSIONS:
        if not owner.has_extension(name):
            if getter is None:
                owner.set_extension(name, default=default)
            else:
                owner.set_extension(name, getter=getter)
        elif strict and owner.get_extension(name)[2] is not getter:
            raise ValueError(
                f"{owner.__name__}._.{name} is already registered by another package or by your code, "
                f"and tonekit sets it: remove it first ({owner.__name__}.remove_extension({name!r}))"
            )


# At import, so that Docs read from a DocBin show their scores; the component checks
# strictly when it is created.
register_extensions(strict=False)
