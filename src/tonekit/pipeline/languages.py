"""Blank pipelines per lexicon language: English as spaCy has it, Korean on kiwipiepy,
Japanese on SudachiPy.

Korean tokens are morpheme-aware: a noun, its particles and suffixes are tokens of their
own ("괴뢰|들|은"), and a verb or adjective stem keeps its endings in one token whose
lemma is the stem + 다 ("징벌|할" -> 징벌, 하다), so that a lemma entry written in its
dictionary form matches every conjugation. Tokens are substrings of the original text:
offsets point into it. Japanese uses spaCy's own ``ja`` language (SudachiPy with
``sudachidict_core``), whose tokens carry their dictionary forms as lemmas.

The morphological analysers are optional (``pip install tonekit[ko]`` / ``tonekit[ja]``)
and imported only when such a pipeline is built.

>>> nlp = blank("ko")                                     # doctest: +SKIP
>>> [(t.text, t.lemma_) for t in nlp("징벌할 것")]          # doctest: +SKIP
[('징벌', '징벌'), ('할', '하다'), ('것', '것')]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

#: The optional extra that brings each language's analyser, and the modules it needs.
EXTRAS = {"ko": ("ko", ("kiwipiepy",)), "ja": ("ja", ("sudachipy", "sudachidict_core"))}
KOREAN_TOKENIZER = "tonekit.KiwiTokenizer.v1"
#: Languages whose tokenizer sets lemmas (no lookup lemmatizer is added).
LEMMATIZING_TOKENIZERS = frozenset({"ko", "ja"})

# Kiwi tags of stems that conjugate: their token's lemma is the stem + 다 (the -R/-I
# variants of VV and VA mark regular and irregular conjugation).
_VERBAL = ("VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA")
_RUNS = re.compile(r"\s+|\S+")


class MissingExtra(ImportError):
    """A language's analyser is not installed; the message names the extra to install."""


def require(language: str) -> None:
    """Raise :class:`MissingExtra` unless the analyser of ``language`` is importable."""
    if language not in EXTRAS:
        return
    extra, modules = EXTRAS[language]
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtra(
            f"the {language!r} pipeline needs {', '.join(missing)}: install it with "
            f"pip install 'tonekit[{extra}]'"
        )


def blank(language: str) -> Language:
    """A blank pipeline for a lexicon's language: Korean with the kiwipiepy tokenizer,
    Japanese with SudachiPy, any other language as ``spacy.blank`` makes it."""
    require(language)
    if language == "ko":
        return spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": KOREAN_TOKENIZER}}})
    if language == "ja":
        return spacy.blank("ja")
    return spacy.blank(language)


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    require("ko")
    from kiwipiepy import Kiwi

    return Kiwi()


class KoreanTokenizer:
    """A spaCy tokenizer backed by kiwipiepy (see the module docstring)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces, lemmas = korean_tokens(text)
        return Doc(self.vocab, words=words, spaces=spaces, lemmas=lemmas)

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)

    # A tokenizer with nothing to save: the analyser is rebuilt from its package.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> KoreanTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> KoreanTokenizer:
        return self


@registry.tokenizers(KOREAN_TOKENIZER)
def create_korean_tokenizer() -> Callable[[Language], KoreanTokenizer]:
    def make(nlp: Language) -> KoreanTokenizer:
        require("ko")
        return KoreanTokenizer(nlp.vocab)

    return make


def korean_tokens(text: str) -> tuple[list[str], list[bool], list[str]]:
    """Words, trailing-space flags and lemmas of a Korean text, as ``Doc`` takes them.

    Morphemes that share characters (a contraction: 했 = 하 + 었) or that are endings
    attached to the token before them join it; whitespace other than one space after a
    word becomes a token of its own, as spaCy's tokenizer makes it.
    """
    spans: list[list[Any]] = []  # [start, end, lemma]
    for morph in _kiwi().tokenize(text):
        start, end, tag = morph.start, morph.start + morph.len, morph.tag
        if end <= start:  # a morpheme restored by the analysis (a dropped copula 이)
            continue
        if spans and (start < spans[-1][1] or (tag[0] == "E" and start == spans[-1][1])):
            spans[-1][1] = max(spans[-1][1], end)
            continue
        if spans and start < spans[-1][1]:
            continue
        base = tag.split("-")[0]
        lemma = morph.form + "다" if base in _VERBAL else morph.form
        spans.append([start, end, lemma])
    words: list[str] = []
    spaces: list[bool] = []
    lemmas: list[str] = []

    def gap(start: int, end: int) -> None:
        # Text between morphemes: whitespace after a word, or characters kiwi skipped.
        for run in _RUNS.findall(text[start:end]):
            if run[0] == " " and words and not spaces[-1]:
                spaces[-1] = True
                run = run[1:]
            if run:
                words.append(run)
                spaces.append(False)
                lemmas.append(run)

    position = 0
    for start, end, lemma in spans:
        gap(position, start)
        words.append(text[start:end])
        spaces.append(False)
        lemmas.append(lemma)
        position = end
    gap(position, len(text))
    return words, spaces, lemmas
