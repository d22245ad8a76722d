"""The formula: effective weights in, bounded scores out. The one aggregation.

Per dimension, the effective weights of a text's markers are summed (``W``) and turned
into a rate and a bounded score that is comparable across lengths::

    rate  = 100 * W / n_tokens                          # weighted markers per 100 tokens
    score = 1 - exp(-(100 * W / (n_tokens + PRIOR_TOKENS)) / SCALE)   # in [0, 1)

``tone = courtesy - hostility`` is derived from the two axes, never the reverse.

>>> round(saturate(3.0, 20), 3)   # one weight-3 insult in a 20-token sentence
0.699
>>> t = totals([("hostility", "insult", 3.0), ("courtesy", "gratitude", 2.0)], 20)
>>> round(t.tone, 3), t.n_markers, t.categories
(-0.148, 2, {'insult': 15.0, 'gratitude': 10.0})
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

PRIOR_TOKENS = 5.0  # pseudo-tokens: one marker in a two-word text is not 50 per 100
SCALE = 10.0

#: The part of a marker that scores need: ``(dimension, category, effective_weight)``.
Weight = tuple[str, str, float]


def saturate(weight_sum: float, n_tokens: int) -> float:
    """Bounded score in [0, 1) of a sum of effective weights over ``n_tokens`` tokens."""
    if weight_sum <= 0.0:
        return 0.0
    density = 100.0 * weight_sum / (n_tokens + PRIOR_TOKENS)
    return 1.0 - math.exp(-density / SCALE)


def rate(weight_sum: float, n_tokens: int) -> float:
    """Weighted markers per 100 tokens (0 for an empty text)."""
    return 100.0 * weight_sum / n_tokens if n_tokens else 0.0


class Totals(NamedTuple):
    """Scores of a text or sentence: the document columns of a batch row, in order, then
    the rates of the categories found (those not found are 0)."""

    hostility: float
    courtesy: float
    tone: float
    hostility_rate: float
    courtesy_rate: float
    n_tokens: int
    n_markers: int
    categories: dict[str, float]


#: Document scores of a batch row, in output order (the category rates follow).
SCORE_COLUMNS: tuple[str, ...] = Totals._fields[:-1]


def totals(weights: Iterable[Weight], n_tokens: int) -> Totals:
    """Aggregate the effective weights of a text's markers (in text order, so that sums
    are the same whichever caller adds them up). A marker of weight 0 (negated, distanced)
    is evidence, not a marker that counts."""
    hostility = courtesy = 0.0
    by_category: dict[str, float] = {}
    counted = 0
    for dimension, category, weight in weights:
        if dimension == "hostility":
            hostility += weight
        elif dimension == "courtesy":
            courtesy += weight
        else:
            raise ValueError(f"unknown dimension {dimension!r} of category {category!r}")
        counted += weight > 0
        by_category[category] = by_category.get(category, 0.0) + weight
    hostility_score = saturate(hostility, n_tokens)
    courtesy_score = saturate(courtesy, n_tokens)
    return Totals(
        hostility_score,
        courtesy_score,
        courtesy_score - hostility_score,
        rate(hostility, n_tokens),
        rate(courtesy, n_tokens),
        n_tokens,
        counted,
        {category: rate(weight, n_tokens) for category, weight in by_category.items()},
    )
