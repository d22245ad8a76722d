"""How well do tonekit's scores agree with human labels? :func:`evaluate`.

Every figure comes from :mod:`sklearn.metrics` (correlations and intervals from
:mod:`scipy.stats`, through :mod:`tonekit.stats`):

* ROC AUC of the score against the binary labels (the main figure for binary labels);
* accuracy and F1 at a threshold that was **not** chosen on the texts it is applied
  to: the data are split into stratified folds, the accuracy-maximising threshold is
  found on the other folds and applied to each held-out fold (cross-fitting);
* Spearman and Pearson correlation with the labels (Spearman is the main figure for
  graded labels, which are binarised at their median for AUC, accuracy and F1);
* a seeded percentile-bootstrap confidence interval of the main figure: for ROC AUC the
  positives and the negatives are resampled separately (every resample holds both classes,
  in their observed numbers), for Spearman's rho the (score, label) pairs are resampled.

>>> ev = evaluate([0.1, 0.4, 0.35, 0.8, 0.7, 0.2], [0, 0, 1, 1, 1, 0], folds=3)
>>> round(ev.roc_auc, 3)
0.889
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .batch import SCORE_COLUMNS, score_corpus
from .lexicon import Lexicon, resolve
from .stats import bootstrap_interval, correlations, roc_auc, spearman

MAIN_METRIC = {"binary": "roc_auc", "graded": "spearman"}


@dataclass(frozen=True)
class Evaluation:
    """Agreement of one score with labels (see :func:`evaluate`).

    ``threshold`` is the accuracy-maximising threshold on all the data, for use on new
    texts; ``accuracy`` and ``f1`` were measured with thresholds chosen on other folds.
    """

    score: str
    kind: str  # binary | graded
    n: int
    n_positive: int
    roc_auc: float
    accuracy: float
    f1: float
    threshold: float
    spearman: float
    pearson: float
    main: str
    ci_low: float
    ci_high: float
    confidence: float
    n_bootstrap: int
    folds: int
    seed: int
    label_threshold: float | None = None  # graded labels above this count as positive
    lexicon: str = ""

    @property
    def main_value(self) -> float:
        """The main figure: ROC AUC (binary labels) or Spearman's rho (graded labels)."""
        return getattr(self, self.main)

    def __repr__(self) -> str:
        others = ", ".join(
            f"{name}={getattr(self, name):.3f}"
            for name in ("roc_auc", "accuracy", "f1", "spearman", "pearson")
            if name != self.main
        )
        return (
            f"Evaluation(score={self.score!r}, n={self.n}, {self.main}={self.main_value:.3f} "
            f"[{self.ci_low:.3f}, {self.ci_high:.3f}], {others})"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: ``metric, value, ci_low, ci_high`` (CI on the main figure)."""
        rows = []
        for name in ("roc_auc", "accuracy", "f1", "spearman", "pearson"):
            main = name == self.main
            rows.append(
                {
                    "metric": name,
                    "value": getattr(self, name),
                    "ci_low": self.ci_low if main else math.nan,
                    "ci_high": self.ci_high if main else math.nan,
                }
            )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:  # notebooks
        return self.to_frame().to_html(index=False, float_format=lambda v: f"{v:.3f}")


def evaluate(
    texts_or_scores: Sequence[str] | Sequence[float] | pd.Series | pd.DataFrame | np.ndarray,
    labels: Sequence[float] | pd.Series | np.ndarray | str,
    score: str = "courtesy",
    *,
    lexicon: Lexicon | str | Path | None = None,
    text: str = "text",
    folds: int = 5,
    n_bootstrap: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    label_threshold: float | None = None,
) -> Evaluation:
    """Measure how well a tonekit score agrees with human labels.

    ``texts_or_scores`` is either texts (scored with ``lexicon``), numbers (the scores
    themselves), or a DataFrame holding a column named ``score`` (scores) or ``text``
    (texts). ``labels`` are 0/1 (binary) or graded numbers where higher means more
    of what ``score`` measures (e.g. politeness ratings for ``courtesy``, insult labels
    for ``hostility``); with a DataFrame it may name a column. ``score`` is any column
    of a score row: ``courtesy``, ``hostility``, ``tone``, the rates or a category.

    >>> texts = ["Thank you so much for your kind help.", "Why did you delete it, you idiot?",
    ...          "Could you please take a look?", "Shut up and get lost."]
    >>> ev = evaluate(texts, [1, 0, 1, 0], score="tone", n_bootstrap=200, folds=2)
    >>> ev.roc_auc
    1.0
    """
    if isinstance(labels, str):
        if not isinstance(texts_or_scores, pd.DataFrame):
            raise TypeError(f"labels={labels!r} names a column, but no DataFrame was given")
        if labels not in texts_or_scores.columns:
            raise KeyError(f"no label column {labels!r}; columns: {list(texts_or_scores.columns)}")
        labels = texts_or_scores[labels]
    x, label = _scores(texts_or_scores, score, lexicon, text)
    y = _labels(labels, len(x))
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ValueError(f"row {int(bad[0])}: score {score!r} is not a finite number ({x[bad[0]]!r})")

    values = np.unique(y)
    kind = "binary" if set(values.tolist()) <= {0.0, 1.0} else "graded"
    if kind == "graded":
        label_threshold = float(np.median(y)) if label_threshold is None else float(label_threshold)
        yb = (y > label_threshold).astype(int)
    else:
        yb = y.astype(int)
    n_pos = int(yb.sum())
    if n_pos == 0 or n_pos == len(yb):
        raise ValueError("the labels hold a single class: ROC AUC and accuracy need both")
    min_class = min(n_pos, len(yb) - n_pos)
    if folds < 2 or min_class < folds:
        raise ValueError(f"folds={folds}: needs 2 <= folds <= {min_class} (the smaller class's size)")

    # scikit-learn is imported when needed: it takes longer to import than spaCy.
    from sklearn import metrics

    predicted = _cross_fitted(x, yb, folds, seed)
    main = MAIN_METRIC[kind]
    rho, r = correlations(x, y)
    values_by_name = {"roc_auc": metrics.roc_auc_score(yb, x), "spearman": rho}
    ci_low, ci_high = _bootstrap(x, y if kind == "graded" else yb, main, n_bootstrap, confidence, seed)
    return Evaluation(
        score=score,
        kind=kind,
        n=len(y),
        n_positive=n_pos,
        roc_auc=float(values_by_name["roc_auc"]),
        accuracy=float(metrics.accuracy_score(yb, predicted)),
        f1=float(metrics.f1_score(yb, predicted)),
        threshold=best_threshold(x, yb),
        spearman=rho,
        pearson=r,
        main=main,
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=confidence,
        n_bootstrap=n_bootstrap,
        folds=folds,
        seed=seed,
        label_threshold=label_threshold if kind == "graded" else None,
        lexicon=label,
    )


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The threshold ``t`` maximising the accuracy of ``score >= t`` (midpoint between
    adjacent distinct scores; the lowest such threshold on ties)."""
    order = np.argsort(scores, kind="stable")
    s, yb = scores[order], labels[order]
    distinct = np.flatnonzero(np.diff(s) > 0) + 1  # first index of each new value
    cuts = np.concatenate(([0], distinct, [len(s)]))
    # Predict positive from cut on: correct = negatives below + positives at or above.
    neg_below = np.concatenate(([0], np.cumsum(1 - yb)))[cuts]
    pos_above = yb.sum() - np.concatenate(([0], np.cumsum(yb)))[cuts]
    best = int(np.argmax(neg_below + pos_above))
    cut = cuts[best]
    if cut == 0:
        return float(s[0])
    if cut == len(s):
        return float(np.nextafter(s[-1], np.inf))
    return float((s[cut - 1] + s[cut]) / 2)


def _cross_fitted(x: np.ndarray, yb: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Predictions where each fold's threshold was chosen on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    predicted = np.zeros(len(x), dtype=int)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x.reshape(-1, 1), yb):
        predicted[test] = x[test] >= best_threshold(x[train], yb[train])
    return predicted


def _bootstrap(
    x: np.ndarray, y: np.ndarray, metric: str, n: int, confidence: float, seed: int
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric``: ROC AUC with the classes resampled
    separately, Spearman's rho with the pairs resampled."""
    if n <= 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    if metric == "roc_auc":
        data, statistic, paired = (x[y == 1], x[y == 0]), roc_auc, False
    else:
        data, statistic, paired = (x, y), spearman, True
    low, high = bootstrap_interval(data, statistic, n_resamples=n, confidence=confidence, rng=rng, paired=paired)
    return float(low), float(high)


def _labels(labels, n: int) -> np.ndarray:
    values = labels.to_numpy() if isinstance(labels, pd.Series) else np.asarray(labels, dtype=object)
    if values.ndim != 1 or len(values) != n:
        raise ValueError(f"got {len(values)} labels for {n} texts or scores")
    try:
        y = values.astype(float)
    except (TypeError, ValueError):
        y = None
    if y is None or not np.isfinite(y).all():
        row = next(
            i for i, v in enumerate(values)
            if not isinstance(v, (int, float, np.number)) or not math.isfinite(float(v))
        )
        raise ValueError(f"row {row}: label {values[row]!r} is not a number")
    return y


def _scores(data, score: str, lexicon, text: str) -> tuple[np.ndarray, str]:
    """The score of every row, and the lexicon label when texts were scored."""
    if isinstance(data, pd.DataFrame):
        if score in data.columns:
            return data[score].to_numpy(dtype=float), ""
        if text not in data.columns:
            raise KeyError(f"the DataFrame has neither a {score!r} column nor a {text!r} column of texts")
        data = data[text]
    values = data.tolist() if isinstance(data, (pd.Series, np.ndarray)) else list(data)
    if values and all(isinstance(v, str) for v in values):
        return score_texts(values, score, lexicon)
    if any(isinstance(v, str) for v in values):
        first_is_text = isinstance(values[0], str)
        row = next(i for i, v in enumerate(values) if isinstance(v, str) != first_is_text)
        raise TypeError(f"row {row}: mixed texts and numbers; give either texts or scores")
    try:
        return np.asarray(values, dtype=float), ""
    except (TypeError, ValueError) as exc:
        raise TypeError(f"expected texts or numeric scores: {exc}") from exc


def score_texts(texts: Sequence[str], score: str, lexicon=None) -> tuple[np.ndarray, str]:
    """One score column for ``texts`` (batch scoring: no sentences, no Docs kept)."""
    lex = resolve(lexicon)
    if score not in SCORE_COLUMNS and score not in lex.categories:
        raise KeyError(f"unknown score {score!r}; use one of {sorted(SCORE_COLUMNS)} or a category of the lexicon")
    scored = score_corpus(pd.DataFrame({"text": list(texts)}), lexicon=lex, progress=False)
    failed = scored["error"].notna().to_numpy().nonzero()[0]
    if failed.size:  # e.g. an empty text: nothing to agree or disagree with a label
        raise ValueError(f"row {int(failed[0])}: {scored['error'].iloc[failed[0]]}")
    return scored[score].to_numpy(dtype=float), lex.label
