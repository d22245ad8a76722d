"""The statistics that comparisons, keyness and evaluation share, on :mod:`scipy.stats`.

- :func:`bootstrap_interval` (and :func:`mean_interval`, :func:`mean_difference_interval`):
  percentile bootstrap intervals from :func:`scipy.stats.bootstrap`, independent samples
  resampled independently, paired samples together;
- :func:`permutation_p`: two-sided permutation test of equal means from
  :func:`scipy.stats.permutation_test`;
- :func:`cliffs_delta` (and :func:`roc_auc`, the same number on another scale) from the
  Mann-Whitney U statistic of :func:`scipy.stats.mannwhitneyu`; :func:`effect_label`;
- :func:`holm`: Holm's step-down adjustment of p-values;
- :func:`correlations` and :func:`spearman`: rank and linear correlation;
- :func:`seeded_rng` and :func:`group_order`: seeded generators and group orders, so that
  every room draws and orders the same way.

Resampling functions take a :class:`numpy.random.Generator`; :func:`seeded_rng` derives
one from a seed and names, so a number depends on what it is about (a metric, a pair of
groups), not on what else was computed. SciPy is imported inside the functions that use
it: it takes longer to import than spaCy, and ``import tonekit`` does not need it.

Example
-------
>>> a, b = np.array([0.8, 0.7, 0.9, 0.6, 0.75]), np.array([0.2, 0.3, 0.1, 0.25, 0.3])
>>> lo, hi = mean_difference_interval(a, b, n_resamples=2000, rng=seeded_rng(0, "a", "b"))
>>> bool(0 < lo < a.mean() - b.mean() < hi), cliffs_delta(a, b), effect_label(cliffs_delta(a, b))
(True, 1.0, 'large')
"""

from __future__ import annotations

import inspect
import math
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EFFECT_THRESHOLDS", "bootstrap_interval", "cliffs_delta", "correlations", "effect_label",
    "group_order", "holm", "mean_difference_interval", "mean_interval", "permutation_p",
    "roc_auc", "seeded_rng", "spearman",
]

#: Upper bounds of |Cliff's delta| for the labels negligible, small, medium (Romano et al. 2006).
EFFECT_THRESHOLDS = ((0.147, "negligible"), (0.33, "small"), (0.474, "medium"))
# Resampled data are built in batches of at most this many values: memory stays bounded
# for large groups, and groups of the usual size are drawn in one batch.
_BATCH_CELLS = 2_000_000


# -- randomness and groups ----------------------------------------------------------------------


def seeded_rng(seed: int, *names: str) -> np.random.Generator:
    """A generator seeded by ``seed`` and ``names`` (CRC-32 of the names joined by a unit
    separator): the same names give the same draws in any run, on any machine.

    >>> float(seeded_rng(0, "hostility", "Abe").random()) == float(seeded_rng(0, "hostility", "Abe").random())
    True
    """
    key = zlib.crc32("\x1f".join(names).encode("utf-8"))
    return np.random.default_rng([seed, key])


def group_order(labels: pd.Series, groups: Sequence[str] | str | None = None, by: str = "group") -> tuple[str, ...]:
    """The groups of ``labels`` (a column named ``by``) to use, in order, as strings.

    ``groups`` selects and orders them; by default every group present, in category order
    for a categorical column, else sorted. Unknown or repeated groups raise ValueError.

    >>> group_order(pd.Series(["b", "a", None, "b"]))
    ('a', 'b')
    >>> group_order(pd.Series(["b", "a"]), ["b", "a"])
    ('b', 'a')
    """
    present = labels.dropna()
    if isinstance(labels.dtype, pd.CategoricalDtype):
        seen = set(present.astype(str))
        available = [str(c) for c in labels.cat.categories if str(c) in seen]
    else:
        available = sorted(set(present.astype(str)))
    if groups is None:
        return tuple(available)
    if isinstance(groups, str):
        groups = [groups]
    missing = [g for g in groups if str(g) not in set(available)]
    if missing:
        raise ValueError(f"group(s) {missing} not found in column {by!r}; available: {available}")
    if len(set(map(str, groups))) != len(groups):
        raise ValueError(f"groups must be distinct, got {list(groups)}")
    return tuple(str(g) for g in groups)


def _rng_keyword(function: Callable) -> str:
    # SciPy 1.15 renamed `random_state` to `rng`; the old name still works there.
    return "rng" if "rng" in inspect.signature(function).parameters else "random_state"


# -- bootstrap ---------------------------------------------------------------------------------


def bootstrap_interval(
    data: Sequence[np.ndarray],
    statistic: Callable[..., Any],
    *,
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    rng: np.random.Generator | None = None,
    paired: bool = False,
) -> tuple[Any, Any]:
    """Percentile bootstrap interval of ``statistic(*data, axis=-1)``.

    ``statistic`` is vectorised: it reduces the last axis and may return several values
    (one interval each). Samples are resampled independently, or, when ``paired``, by the
    same indices (observations along the last axis). A sample of one observation is a
    constant of every resample (SciPy needs two to resample); with no sample to resample
    the interval is the statistic itself. The interval is the ``(1 - confidence) / 2``
    and ``(1 + confidence) / 2`` quantiles of ``n_resamples`` resampled statistics.

    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    >>> lo, hi = bootstrap_interval((x,), np.median, n_resamples=1000, rng=seeded_rng(0, "x"))
    >>> bool(lo <= np.median(x) <= hi)
    True
    """
    data = [np.asarray(sample, dtype=float) for sample in data]
    if any(sample.shape[-1] == 0 for sample in data):
        return float("nan"), float("nan")
    varying = [i for i, sample in enumerate(data) if sample.shape[-1] > 1]
    if not varying:
        value = np.asarray(statistic(*data, axis=-1), dtype=float)
        return value[()], value[()]

    def resampled(*drawn: np.ndarray, axis: int = -1) -> Any:
        # a one-observation sample is (..., 1, 1): it broadcasts over the resamples
        it = iter(drawn)
        samples = [next(it) if i in varying else sample[..., None, :] for i, sample in enumerate(data)]
        return statistic(*samples, axis=axis)

    from scipy import stats

    # values per resample, once SciPy has broadcast the samples' leading axes together
    leading = math.prod(np.broadcast_shapes(*(data[i].shape[:-1] for i in varying)))
    width = sum(leading * data[i].shape[-1] for i in varying)
    result = stats.bootstrap(
        [data[i] for i in varying], resampled, n_resamples=n_resamples, batch=max(1, _BATCH_CELLS // width),
        vectorized=True, paired=paired, axis=-1, confidence_level=confidence, method="percentile",
        **{_rng_keyword(stats.bootstrap): rng},
    )
    low, high = result.confidence_interval
    return low, high


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return x.mean(axis=axis)


def _mean_difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return a.mean(axis=axis) - b.mean(axis=axis)


def mean_interval(
    x: np.ndarray, *, n_resamples: int = 10_000, confidence: float = 0.95, rng: np.random.Generator | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``x`` (NaN, NaN for an empty ``x``).

    >>> mean_interval(np.array([2.0]), n_resamples=100)
    (2.0, 2.0)
    """
    low, high = bootstrap_interval((x,), _mean, n_resamples=n_resamples, confidence=confidence, rng=rng)
    return float(low), float(high)


def mean_difference_interval(
    a: np.ndarray, b: np.ndarray, *, n_resamples: int = 10_000, confidence: float = 0.95,
    rng: np.random.Generator | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``mean(a) - mean(b)``, ``a`` and ``b`` resampled
    independently (``a`` first, then ``b``, in each batch of resamples).

    >>> lo, hi = mean_difference_interval(np.array([3.0, 4, 5]), np.array([1.0, 2]), n_resamples=500,
    ...                                   rng=seeded_rng(1))
    >>> bool(lo <= 2.5 <= hi)
    True
    """
    low, high = bootstrap_interval((a, b), _mean_difference, n_resamples=n_resamples, confidence=confidence, rng=rng)
    return float(low), float(high)


# -- tests and effect sizes ----------------------------------------------------------------------


def _abs_mean_difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.abs(a.mean(axis=axis) - b.mean(axis=axis))


def permutation_p(
    a: np.ndarray, b: np.ndarray, *, n_resamples: int = 10_000, rng: np.random.Generator | None = None,
) -> float:
    """Two-sided permutation p-value of the difference of means of ``a`` and ``b``.

    The labels of the pooled values are shuffled ``n_resamples`` times and
    ``p = (1 + #{|d*| >= |d|}) / (1 + n_resamples)`` for the observed difference ``d``
    (Phipson & Smyth 2010: never 0). When the pooled values have no more than
    ``n_resamples`` distinct splits, every split is visited once and ``p`` is exact,
    ``#{|d*| >= |d|} / #splits``.

    >>> permutation_p(np.array([1.0, 2, 3]), np.array([4.0, 5, 6]))   # 2 of the 20 splits
    0.1
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not len(a) or not len(b):
        return float("nan")
    n = len(a) + len(b)
    observed = _abs_mean_difference(a, b)
    if min(len(a), len(b)) == 1:
        # SciPy needs two values per sample; the n splits of a single value are few
        pooled = np.concatenate([a, b])
        split = np.abs(pooled - (pooled.sum() - pooled) / (n - 1))  # value k alone vs the rest
        return float(np.count_nonzero(split >= observed - 1e-12 * max(1.0, observed)) / n)

    from scipy import stats

    result = stats.permutation_test(
        (a, b), _abs_mean_difference, permutation_type="independent", vectorized=True,
        n_resamples=n_resamples, batch=max(1, _BATCH_CELLS // n), alternative="greater",
        **{_rng_keyword(stats.permutation_test): rng},
    )
    return float(result.pvalue)


def cliffs_delta(a: np.ndarray, b: np.ndarray, axis: int = -1) -> Any:
    """Cliff's delta, P(a > b) - P(a < b), from the Mann-Whitney U statistic of ``a``:
    ``delta = 2 U / (n_a n_b) - 1`` (ties count half). Vectorised along ``axis``;
    NaN for an empty sample. Swapping ``a`` and ``b`` negates it exactly.

    >>> cliffs_delta(np.array([3, 4]), np.array([1, 2]))
    1.0
    >>> cliffs_delta(np.array([1, 2, 2, 3]), np.array([2, 2, 4]))   # (2 - 6) / 12
    -0.3333333333333333
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n_a, n_b = a.shape[axis], b.shape[axis]
    if not n_a or not n_b:
        return float("nan")
    from scipy import stats

    u = stats.mannwhitneyu(a, b, axis=axis, method="asymptotic", use_continuity=False).statistic
    pairs = n_a * n_b
    delta = (2 * np.asarray(u) - pairs) / pairs  # 2U - n_a n_b is exact, so the sign flips exactly
    return float(delta) if np.ndim(delta) == 0 else delta


def roc_auc(positives: np.ndarray, negatives: np.ndarray, axis: int = -1) -> Any:
    """Area under the ROC curve of scores of positives against negatives: P(pos > neg)
    plus half P(tie), that is ``(1 + cliffs_delta(positives, negatives)) / 2``.
    Vectorised along ``axis``.

    >>> roc_auc(np.array([0.9, 0.4]), np.array([0.5, 0.1]))
    0.75
    """
    return (1 + cliffs_delta(positives, negatives, axis=axis)) / 2


def effect_label(delta: float) -> str:
    """Conventional label of Cliff's delta (Romano et al. 2006): ``|d| < 0.147`` negligible,
    ``< 0.33`` small, ``< 0.474`` medium, else large; "" for NaN.

    >>> effect_label(-0.2), effect_label(0.5)
    ('small', 'large')
    """
    if np.isnan(delta):
        return ""
    for bound, label in EFFECT_THRESHOLDS:
        if abs(delta) < bound:
            return label
    return "large"


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count as a test).

    The i-th smallest of m p-values becomes ``max_{j <= i} min(1, (m - j + 1) p_(j))``.

    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if not m:
        return out
    order = np.argsort(q, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * q[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    out[ok] = adjusted
    return out


# -- correlation ---------------------------------------------------------------------------------


def correlations(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and Pearson's r of ``x`` and ``y``; 0 for a constant ``x`` (a
    constant score is uncorrelated, not undefined, for a user).

    >>> [round(v, 3) for v in correlations(np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4]))]
    [0.8, 0.8]
    """
    if np.ptp(x) == 0:
        return 0.0, 0.0
    from scipy import stats

    return float(stats.spearmanr(x, y).statistic), float(stats.pearsonr(x, y).statistic)


def spearman(x: np.ndarray, y: np.ndarray, axis: int = -1) -> Any:
    """Spearman's rho along ``axis`` (vectorised, for resamples): Pearson's r of the
    average ranks; 0 where ``x`` or ``y`` is constant.

    >>> spearman(np.array([[1.0, 2, 3], [1.0, 1, 1]]), np.array([[3.0, 2, 1], [1.0, 2, 3]])).tolist()
    [-1.0, 0.0]
    """
    from scipy import stats

    rx = stats.rankdata(x, axis=axis)
    ry = stats.rankdata(y, axis=axis)
    rx = rx - rx.mean(axis=axis, keepdims=True)
    ry = ry - ry.mean(axis=axis, keepdims=True)
    scale = np.sqrt((rx * rx).sum(axis=axis) * (ry * ry).sum(axis=axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(scale > 0, (rx * ry).sum(axis=axis) / np.where(scale > 0, scale, 1.0), 0.0)
    return float(rho) if np.ndim(rho) == 0 else rho

