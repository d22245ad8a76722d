"""Bounded work and memory per text: linear-time tokenizing, pieces, memory zones.

spaCy's tokenizer peels prefixes and suffixes off a whitespace-free span one at a time,
each time searching and copying the rest of the span: a run of punctuation (20,000
``!`` in a row, ``'"' * 100000``) costs the square of its length, minutes for one cell.
:func:`tokenize` hands the tokenizer no whitespace-free span longer than
:data:`MAX_SPAN` characters: a longer span is tokenized in pieces, cut between two
punctuation characters where it can be, and the pieces' tokens are joined into one Doc
whose text is the original text, so character offsets stay those of the text. Spans of
:data:`MAX_SPAN` characters or fewer (every word, most URLs) are tokenized as before.

:data:`PIECE_LENGTH` bounds the text of one Doc: longer texts are scored in pieces cut
at paragraph or sentence ends, so the memory of scoring one text does not grow with it.
:func:`memory_zone` frees the strings and lexemes a block of scoring adds to the
vocabulary, so memory does not grow with the number of distinct words either.

>>> import tonekit
>>> nlp = tonekit.load()
>>> doc = tokenize(nlp, "Stop it" + "!" * 5000)
>>> doc.text == "Stop it" + "!" * 5000, len(doc)
(True, 5002)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["MAX_SPAN", "PIECE_LENGTH", "memory_zone", "tokenize", "tokenize_all", "tokenizer_pieces"]

#: The longest whitespace-free span given to spaCy's tokenizer in one piece.
MAX_SPAN = 100
#: The longest text scored as one Doc; longer texts are scored in pieces.
PIECE_LENGTH = 100_000

_ATTRS = [ORTH, NORM]
_LONG_SPAN = re.compile(r"(?<!\S)\S{%d,}" % (MAX_SPAN + 1))
_BYTE_KINDS = bytes(0 if b < 128 and chr(b).isspace() else 1 for b in range(256))
_ONES = b"\x01" * (MAX_SPAN + 1)


def tokenize(nlp: Language, text: str) -> Doc:
    """``nlp.tokenizer(text)``, in time linear in the length of the text.

    The same tokens as the tokenizer's unless the text has a whitespace-free span of
    more than :data:`MAX_SPAN` characters; such a span gets the tokens of its pieces.
    Tokenizers without prefix and suffix rules (Japanese, Korean) get the whole text.
    """
    if not _has_long_span(text) or not _has_affix_rules(nlp):
        return nlp.tokenizer(text)
    docs = [nlp.tokenizer(piece) for piece in tokenizer_pieces(text)]
    # What a tokenizer sets (its special cases set ORTH and NORM); not SENT_START, which
    # would make each piece's first token a sentence start.
    return Doc.from_docs(docs, ensure_whitespace=False, attrs=_ATTRS)


def tokenize_all(nlp: Language, texts: Iterable[str]) -> Iterator[Doc]:
    """:func:`tokenize` of each text, in order."""
    tokenizer = nlp.tokenizer
    for text in texts:
        if not _has_long_span(text) or not _has_affix_rules(nlp):
            yield tokenizer(text)
        else:
            yield tokenize(nlp, text)


def _has_affix_rules(nlp: Language) -> bool:
    # What is quadratic is peeling affixes: spaCy's rule-based tokenizer does it, a
    # word segmenter (Japanese, Korean) gets its sentences whole.
    return getattr(nlp.tokenizer, "suffix_search", None) is not None


def _has_long_span(text: str) -> bool:
    if len(text) <= MAX_SPAN:
        return False
    # A first look at the UTF-8 bytes, whitespace as 0 and the rest as 1 (a character is
    # at least a byte, so a text without a long run of 1s has no long span): some 30
    # times as fast as the regular expression, which alone cost a tenth of the tokenizer.
    if _ONES not in text.encode("utf-8", "surrogatepass").translate(_BYTE_KINDS):
        return False
    return _LONG_SPAN.search(text) is not None


def tokenizer_pieces(text: str) -> Iterator[str]:
    """The pieces of ``text`` the tokenizer gets: they join into ``text``, and none has
    a whitespace-free span longer than :data:`MAX_SPAN`.

    A cut between spans falls just before a span's first character (the whitespace
    before it stays with the piece before, where the tokenizer puts it too), so the
    text around a long span gets the tokens it gets in one piece.

    >>> [len(p) for p in tokenizer_pieces("Stop! " + "!" * 250 + " now")]
    [6, 100, 100, 54]
    """
    start = 0
    for match in _LONG_SPAN.finditer(text):
        if match.start() > start:
            yield text[start : match.start()]
        span_start, span_end = match.span()
        while span_end - span_start > MAX_SPAN:
            cut = _cut(text, span_start)
            yield text[span_start:cut]
            span_start = cut
        start = span_start  # the span's last piece goes with the text after it
    yield text[start:]


def _cut(text: str, start: int) -> int:
    """Where to end a piece of a long span that begins at ``start``: between two
    punctuation characters (each its own token in such a run) in the second half of the
    window if there are any, else after a punctuation character, else at the window's end."""
    end = start + MAX_SPAN
    fallback = end
    for k in range(end, start + MAX_SPAN // 2, -1):
        before_is_word = text[k - 1].isalnum()
        if not before_is_word and not text[k].isalnum():
            return k
        if not before_is_word and fallback == end:
            fallback = k
    return fallback


@contextmanager
def memory_zone(nlp: Language) -> Iterator[None]:
    """``nlp.memory_zone()``: the strings, lexemes and tokenizer cache entries added in
    the block are freed at its end, so that a stream of new words (names, numbers,
    typos) does not grow the vocabulary without end. Docs made in the block must not be
    used after it. Inside a zone already (zones do not nest) the block just runs.

    The pipeline's own tables (the compiled lexicon) must be built before the first
    zone: what a zone adds does not outlive it.

    >>> import tonekit
    >>> nlp = tonekit.load()
    >>> with memory_zone(nlp):
    ...     n = len(nlp("Zxqwv plorbt."))
    >>> "plorbt" in nlp.vocab.strings
    False
    """
    if nlp.vocab.in_memory_zone:
        yield
        return
    with nlp.memory_zone():
        yield
