"""tonekit: hostility and courtesy in official statements, with the evidence for every score.

>>> import tonekit
>>> r = tonekit.score("Abe is none other than a perfect imbecile and a political dwarf.")
>>> r.hostility > 0.5, r.courtesy
(True, 0.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import corpora, eras
from .corpus import (
    CORPUS_COLUMNS,
    CorpusError,
    CorpusProblem,
    CorpusWriter,
    iter_corpus,
    read_corpus,
    write_corpus,
)
from .calibrate import calibrate
from .eras import Tenure, TenureTable, assign_era, japan_prime_ministers
from .address import address_by_group, address_forms, address_metrics, address_shares, load_targets
from .batch import score_corpus
from .compare import Comparison, compare
from .evaluate import Evaluation, evaluate
from .keyness import Keyness, category_rates, keyness, markers_table
from .lexicon import Category, Entry, Lexicon, LexiconError, LexiconProblem, Modifiers
from .pipeline import ToneComponent, load, score
from .regression import CheckReport, CasesReport, LexiconDiff, check, run_cases, snapshot
from .shared import __version__
from .scoring import Marker, Modifier, SentenceTone, ToneResult
from .viz import render

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
    "CasesReport",
    "CheckReport",
    "Comparison",
    "Evaluation",
    "Keyness",
    "ToneVectorizer",
    "LexiconDiff",
    "address_by_group",
    "address_forms",
    "address_metrics",
    "address_shares",
    "calibrate",
    "category_rates",
    "check",
    "compare",
    "keyness",
    "load_targets",
    "markers_table",
    "render",
    "run_cases",
    "score_corpus",
    "snapshot",
    "CORPUS_COLUMNS",
    "CorpusError",
    "CorpusProblem",
    "CorpusWriter",
    "Tenure",
    "TenureTable",
    "assign_era",
    "corpora",
    "eras",
    "evaluate",
    "iter_corpus",
    "japan_prime_ministers",
    "read_corpus",
    "write_corpus",
    "Category",
    "Entry",
    "Lexicon",
    "LexiconError",
    "LexiconProblem",
    "Marker",
    "Modifier",
    "Modifiers",
    "SentenceTone",
    "ToneComponent",
    "ToneResult",
    "__version__",
    "load",
    "score",
]
