"""Tone features for scikit-learn: :class:`ToneVectorizer`.

Texts become one row of numbers each: the weighted marker count of every lexicon
category (the sum of the markers' effective weights), the same per 100 tokens, the
two bounded scores, counts of markers changed by each kind of modifier, the number of
tokens, and the structural politeness cues of Danescu-Niculescu-Mizil et al. (2013)
that are positions rather than words (a sentence opening with "why" or "please",
question marks, first and second person pronouns).

>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.pipeline import make_pipeline
>>> texts = ["Could you please take a look? Thanks!", "Why did you delete it, you idiot?"] * 5
>>> model = make_pipeline(ToneVectorizer(), LogisticRegression()).fit(texts, [1, 0] * 5)
>>> model.predict(["Thank you so much, could you help?"]).tolist()
[1]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .lexicon import DIMENSIONS, Lexicon, resolve
from .pipeline import pipeline_for
from .scoring import MODIFIER_KINDS
from .shared import plain_str

# Modifier kind -> the adjective used in feature names ("negated_courtesy").
_MODIFIER_NAMES = {
    "negation": "negated",
    "intensifier": "intensified",
    "downtoner": "downtoned",
    "contrast": "contrast",
    "distanced": "distanced",
    "refused": "refused",
    "conditioned": "conditioned",
    "reported": "reported",
    "topic": "topic",
}
# Danescu-Niculescu-Mizil et al. 2013, Table 3: strategies defined by position, which a
# lexicon of terms cannot express. Each is counted per sentence opening.
_QUESTION_WORDS = frozenset({"what", "why", "who", "how", "where", "when", "which", "whose"})
_DIRECT_STARTS = frozenset({"so", "then", "and", "but", "or"})
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
_FIRST_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves", "u", "ur"})
STRUCTURE_FEATURES = (
    "n_sentences",
    "question_marks",
    "exclamation_marks",
    "direct_question_start",  # "Why did you ...", "What is ..."
    "direct_start",  # "So ...", "And ...", "But ..."
    "please_start",  # "Please ..." (less polite than mid-sentence "please")
    "first_person_start",
    "second_person_start",
    "first_person",
    "first_person_plural",
    "second_person",
    "shouted_words",  # all-capital words of 3+ letters
)


class ToneVectorizer(TransformerMixin, BaseEstimator):
    """Turn texts into tonekit features (a scikit-learn transformer).

    Parameters
    ----------
    lexicon : Lexicon, str, Path or None
        A :class:`~tonekit.Lexicon`, a bundled lexicon name, or a path to a lexicon
        CSV (None: the bundled default).
    counts : bool
        Weighted marker count per category (``count__<category>``).
    rates : bool
        Per-category rates per 100 tokens (``rate__<category>``) and the bounded
        ``score__hostility`` / ``score__courtesy``.
    modifiers : bool
        Number of markers of each dimension changed by each modifier kind
        (``mod__negated_hostility``, ``mod__intensified_courtesy`` ...).
    structure : bool
        Positional politeness cues and the number of tokens (``struct__...``).
    batch_size : int
        Texts per batch given to spaCy.

    ``fit`` learns nothing from the texts: it records the feature names of the
    lexicon. Like scikit-learn's text vectorizers the input is a sequence of strings,
    so ``n_features_in_`` is not set.

    >>> vec = ToneVectorizer(rates=False, modifiers=False, structure=False).fit([])
    >>> vec.get_feature_names_out()[:2].tolist()
    ['count__insult', 'count__epithet']
    """

    def __init__(
        self,
        lexicon: Lexicon | str | Path | None = None,
        *,
        counts: bool = True,
        rates: bool = True,
        modifiers: bool = True,
        structure: bool = True,
        batch_size: int = 256,
    ):
        self.lexicon = lexicon
        self.counts = counts
        self.rates = rates
        self.modifiers = modifiers
        self.structure = structure
        self.batch_size = batch_size

    # -- scikit-learn API ------------------------------------------------------------
    def fit(self, X: Iterable[str] | None = None, y=None) -> ToneVectorizer:
        """Record the lexicon's label and the feature names; ``X`` is not read."""
        lex = resolve(self.lexicon)
        self.lexicon_label_ = lex.label
        self.categories_ = tuple(lex.categories)
        self.feature_names_out_ = np.asarray(self._names(self.categories_), dtype=object)
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """One row of features per text, columns as :meth:`get_feature_names_out`."""
        check_is_fitted(self, "feature_names_out_")
        texts = as_texts(X)
        nlp = pipeline_for(self.lexicon)
        lexicon_label = nlp.get_pipe("tonekit").lexicon.label
        if lexicon_label != self.lexicon_label_:
            raise ValueError(
                f"the lexicon changed since fit ({self.lexicon_label_} -> {lexicon_label}): fit again"
            )
        out = np.zeros((len(texts), len(self.feature_names_out_)), dtype=np.float64)
        for i, doc in enumerate(nlp.pipe(texts, batch_size=self.batch_size)):
            out[i] = self._row(doc)
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Feature names (``count__insult``, ``rate__gratitude``, ``struct__n_tokens`` ...)."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags

    # -- pickling ----------------------------------------------------------------------
    def __getstate__(self) -> dict:
        # Lexicons are data, never pickled: a Lexicon parameter travels as the text of
        # its two files and is parsed and validated again on loading.
        state = dict(super().__getstate__())  # object.__getstate__ returns __dict__ itself
        if isinstance(self.lexicon, Lexicon):
            state["lexicon"] = _LexiconText(*self.lexicon.to_strings())
        return state

    def __setstate__(self, state: dict) -> None:
        lexicon = state.get("lexicon")
        if isinstance(lexicon, _LexiconText):
            state = {**state, "lexicon": Lexicon.from_strings(lexicon.entries_csv, lexicon.metadata)}
        super().__setstate__(state)

    # -- features of one Doc ---------------------------------------------------------
    def _names(self, categories: tuple[str, ...]) -> list[str]:
        names: list[str] = []
        if self.counts:
            names += [f"count__{c}" for c in categories]
        if self.rates:
            names += [f"rate__{c}" for c in categories]
            names += [f"score__{d}" for d in DIMENSIONS]
        if self.modifiers:
            names += [f"mod__{_MODIFIER_NAMES[k]}_{d}" for k in MODIFIER_KINDS for d in DIMENSIONS]
        if self.structure:
            names += ["struct__n_tokens", *(f"struct__{s}" for s in STRUCTURE_FEATURES)]
        return names

    def _row(self, doc) -> list[float]:
        result = doc._.tonekit
        row: list[float] = []
        if self.counts:
            weights = dict.fromkeys(self.categories_, 0.0)
            for m in result.markers:
                weights[m.category] += m.effective_weight
            row += [weights[c] for c in self.categories_]
        if self.rates:
            row += [result.categories[c] for c in self.categories_]
            row += [getattr(result, d) for d in DIMENSIONS]
        if self.modifiers:
            changed = {(k, d): 0.0 for k in MODIFIER_KINDS for d in DIMENSIONS}
            for m in result.markers:
                for kind in set(m.modifier_kinds):
                    changed[kind, m.dimension] += 1.0
            row += [changed[k, d] for k in MODIFIER_KINDS for d in DIMENSIONS]
        if self.structure:
            row += [float(len(doc)), *structure_counts(doc)]
        return row


class _LexiconText(NamedTuple):
    """A lexicon as the text of its files (entries CSV, metadata) inside a pickle."""

    entries_csv: str
    metadata: dict


def structure_counts(doc) -> list[float]:
    """The :data:`STRUCTURE_FEATURES` of a sentence-split Doc, in that order."""
    n_sentences = direct_question = direct_start = please_start = 0
    first_start = second_start = 0
    for sent in doc.sents:
        words = [t for t in sent if not (t.is_punct or t.is_space)]
        if not words:
            continue
        n_sentences += 1
        first = words[0].lower_
        direct_question += first in _QUESTION_WORDS
        direct_start += first in _DIRECT_STARTS
        please_start += first == "please"
        first_start += first in _FIRST_PERSON
        second_start += first in _SECOND_PERSON
    lowers = [t.lower_ for t in doc]
    shouted = sum(t.is_alpha and t.is_upper and len(t) >= 3 for t in doc)
    return [
        float(n_sentences),
        float(sum("?" in t.text for t in doc if t.is_punct)),
        float(sum("!" in t.text for t in doc if t.is_punct)),
        float(direct_question),
        float(direct_start),
        float(please_start),
        float(first_start),
        float(second_start),
        float(sum(w in _FIRST_PERSON for w in lowers)),
        float(sum(w in _FIRST_PLURAL for w in lowers)),
        float(sum(w in _SECOND_PERSON for w in lowers)),
        float(shouted),
    ]


def as_texts(X) -> list[str]:
    """A list of str from a list, array or Series of texts, or a one-column DataFrame."""
    if isinstance(X, str):
        raise TypeError("ToneVectorizer expects a sequence of texts, not a single str: wrap it in a list")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(
                f"ToneVectorizer expects one text column, got a DataFrame with columns {list(X.columns)}"
            )
        X = X.iloc[:, 0]
    if isinstance(X, pd.Series):
        labels = list(X.index)
        values = X.tolist()
    else:
        values = list(np.asarray(X, dtype=object).ravel()) if isinstance(X, np.ndarray) else list(X)
        labels = list(range(len(values)))
    for label, value in zip(labels, values):
        if not isinstance(value, str):
            raise TypeError(f"row {label!r}: expected a text (str), got {type(value).__name__}: {value!r:.60}")
    return [plain_str(value) for value in values]
