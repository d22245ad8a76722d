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
import warnings
from collections.abc import Callable, Iterable
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


# -- does a text fit the lexicon's language? -------------------------------------------

class LanguageMismatchWarning(UserWarning):
    """Texts whose script or words do not fit the lexicon's language: their scores mean little."""


_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Words of nearly every English paragraph and of almost no French, German or Spanish one.
_ENGLISH = re.compile(
    r"\b(?:the|of|and|to|is|that|for|with|are|was|this|will|have|has|not|be|by|from|it|its|which|"
    r"their|they|we|our|you|he|she|his|her|were|been|would|should)\b",
    re.IGNORECASE,
)
_EAST_ASIAN = re.compile(r"[\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff]")
_SAMPLE = 300  # characters read of each text: enough to tell a script, cheap on long texts


def script_mismatch(text: Any, language: str) -> str | None:
    """Why ``text`` does not look like ``language`` (``en``, ``ko``, ``ja``), or None.

    Reads the first few hundred characters: the share of Hangul, kana and Han letters
    for Korean and Japanese; for English, foreign scripts or (in a text of a dozen
    words or more) the absence of common English words, as in French text.

    >>> script_mismatch("우리는 대화를 원한다", "en")
    'Korean script'
    >>> script_mismatch("Le gouvernement a rejeté la proposition de dialogue avec les autorités du pays voisin.", "en") is not None
    True
    >>> script_mismatch("We reject the proposal.", "en") is None
    True
    """
    if not isinstance(text, str) or language not in ("en", "ko", "ja"):
        return None
    sample = text[:_SAMPLE]
    if language == "en" and _ENGLISH.search(sample) and (sample.isascii() or not _EAST_ASIAN.search(sample)):
        return None  # the common case, decided without counting
    letters = len(_LETTER.findall(sample))
    if letters < 4:
        return None
    hangul, kana, han = (len(p.findall(sample)) for p in (_HANGUL, _KANA, _HAN))
    if language == "ko":
        return None if hangul >= letters / 2 else _script_name(hangul, kana, han)
    if language == "ja":
        return None if kana + han >= letters / 2 and kana >= hangul else _script_name(hangul, kana, han)
    if hangul + kana + han >= letters / 2:
        return _script_name(hangul, kana, han)
    if len(_LATIN_WORD.findall(sample)) >= 12 and not _ENGLISH.search(sample):
        return "no English words (another Latin-script language?)"
    return None


def _script_name(hangul: int, kana: int, han: int) -> str:
    if hangul >= max(kana, han) and hangul:
        return "Korean script"
    if kana + han and kana >= hangul:
        return "Japanese script" if kana else "Chinese characters"
    return "Latin or other script"


def warn_language_mismatch(texts: Iterable[Any], language: str, *, stacklevel: int = 2) -> bool:
    """Warn (:class:`LanguageMismatchWarning`) at the first text that does not fit
    ``language``; whether it warned. Callers warn once per batch."""
    for text in texts:
        why = script_mismatch(text, language)
        if why is not None:
            warnings.warn(
                f"a text does not look like the lexicon's language {language!r} ({why}): "
                "its scores mean little; score it with a lexicon of its language "
                "(score_corpus(..., lexicon={'en': ..., 'ko': ..., 'ja': ...}) picks one per row by its 'lang')",
                LanguageMismatchWarning,
                stacklevel=stacklevel + 1,
            )
            return True
    return False
