"""tonekit: hostility and courtesy in official statements, with the evidence for every score.

The names here are the ones most users need; the rest is reached through its module:
:mod:`tonekit.eras` (tenures, ``assign_era``), :mod:`tonekit.address` (forms of address),
:mod:`tonekit.corpora` (bundled corpora), :mod:`tonekit.regression` (diffs, snapshots,
behaviour cases), :mod:`tonekit.viz` (plots), :mod:`tonekit.pipeline` and
:mod:`tonekit.scoring` (the spaCy component and the rules).

>>> import tonekit
>>> r = tonekit.score("Abe is none other than a perfect imbecile and a political dwarf.")
>>> r.hostility > 0.5, r.courtesy
(True, 0.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import address, corpora, eras, regression, viz
from .batch import score_corpus
from .calibrate import calibrate
from .compare import Comparison, compare
from .corpus import CorpusError, CorpusWriter, read_corpus, write_corpus
from .evaluate import evaluate
from .keyness import category_rates, keyness
from .lexicon import Lexicon, LexiconError
from .pipeline import load, score
from .report import report
from .scoring import Marker, ToneResult
from .shared import __version__
from .viz import render
from .translations import TranslationComparison, compare_translations

if TYPE_CHECKING:
    from .features import ToneVectorizer


def __getattr__(name: str) -> Any:
    # ToneVectorizer is a scikit-learn estimator, and scikit-learn takes longer to
    # import than spaCy: `import tonekit` and the command line load it only on use.
    if name == "ToneVectorizer":
        from .features import ToneVectorizer

        return ToneVectorizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Comparison",
    "CorpusError",
    "CorpusWriter",
    "Lexicon",
    "LexiconError",
    "Marker",
    "ToneResult",
    "ToneVectorizer",
    "TranslationComparison",
    "__version__",
    "address",
    "calibrate",
    "category_rates",
    "compare",
    "compare_translations",
    "corpora",
    "eras",
    "evaluate",
    "keyness",
    "load",
    "read_corpus",
    "regression",
    "render",
    "report",
    "score",
    "score_corpus",
    "viz",
    "write_corpus",
]
