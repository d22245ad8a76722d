"""tonekit.stats: the definitions behind compare, keyness and evaluate, checked by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from sklearn.metrics import roc_auc_score

from tonekit.stats import (
    bootstrap_interval,
    cliffs_delta,
    correlations,
    effect_label,
    group_order,
    holm,
    mean_difference_interval,
    mean_interval,
    permutation_p,
    roc_auc,
    seeded_rng,
    spearman,
)

small_samples = st.lists(st.integers(0, 4), min_size=1, max_size=8)  # small integers: many ties


@settings(max_examples=60, deadline=None)
@given(small_samples, small_samples)
def test_cliffs_delta_is_the_pairwise_definition(a, b):
    pairwise = np.mean([np.sign(x - y) for x in a for y in b])
    assert cliffs_delta(np.array(a), np.array(b)) == pytest.approx(pairwise, abs=1e-12)
    assert cliffs_delta(np.array(b), np.array(a)) == -cliffs_delta(np.array(a), np.array(b))  # exactly


def test_cliffs_delta_is_vectorised_and_empty_is_nan():
    a, b = np.array([[1.0, 2, 3], [3, 3, 3]]), np.array([[2.0, 2], [1, 5]])
    rows = [cliffs_delta(a[i], b[i]) for i in range(2)]
    assert cliffs_delta(a, b).tolist() == rows
    assert np.isnan(cliffs_delta(np.array([]), np.array([1.0])))


def test_roc_auc_is_the_area_scikit_learn_computes():
    rng = np.random.default_rng(3)
    scores = np.round(rng.normal(size=60), 1)  # rounded: ties between the classes
    labels = rng.integers(0, 2, 60)
    assert roc_auc(scores[labels == 1], scores[labels == 0]) == pytest.approx(roc_auc_score(labels, scores))


def test_effect_labels_at_the_bounds():
    assert [effect_label(d) for d in (0.1, -0.2, 0.4, -0.6)] == ["negligible", "small", "medium", "large"]
    assert (effect_label(0.147), effect_label(0.33), effect_label(0.474)) == ("small", "medium", "large")
    assert effect_label(float("nan")) == ""


def test_holm_matches_a_hand_computation():
    # sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> 0.06, monotone)
    assert holm([0.01, 0.04, 0.005, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.02, 0.06])
    # NaN is kept and not counted (m = 2): 0.01 x 2 = 0.02, then 0.2 x 1 = 0.2
    adjusted = holm([0.2, np.nan, 0.01])
    assert adjusted[0] == pytest.approx(0.2) and np.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.02)
    assert holm([0.6, 0.55]).tolist() == [1.0, 1.0]  # 0.55 x 2 = 1.1, capped; 0.6 stepped up to it
    assert holm([]).tolist() == []


def test_bootstrap_interval_of_a_known_difference_covers_it():
    # constructed: b is a shifted by exactly 0.3, so the true difference of means is 0.3
    a = np.linspace(0.2, 0.8, 41)
    b = a[::-1] - 0.3
    lo, hi = mean_difference_interval(a, b, n_resamples=4000, rng=seeded_rng(0, "a", "b"))
    assert lo < 0.3 < hi and hi - lo < 0.2
    m_lo, m_hi = mean_interval(a, n_resamples=4000, rng=seeded_rng(0, "a"))
    assert m_lo < a.mean() < m_hi


def test_resampling_is_deterministic_per_seed_and_names():
    x, y = np.arange(10.0), np.arange(10.0) ** 1.5
    def draw(*names):
        return mean_difference_interval(x, y, n_resamples=500, rng=seeded_rng(7, *names))
    assert draw("m", "x", "y") == draw("m", "x", "y")
    assert draw("m", "x", "y") != draw("m", "y", "x")  # names are part of the seed
    assert permutation_p(x, y, n_resamples=500, rng=seeded_rng(1)) == permutation_p(x, y, n_resamples=500, rng=seeded_rng(1))


def test_permutation_p_is_exact_when_every_split_can_be_visited():
    a, b = np.array([1.0, 2, 4]), np.array([3.0, 5, 6, 7])
    pooled = np.r_[a, b]
    observed = abs(a.mean() - b.mean())
    splits = [abs(pooled[list(i)].mean() - np.delete(pooled, list(i)).mean())
              for i in itertools.combinations(range(7), 3)]
    exact = np.mean([s >= observed - 1e-12 for s in splits])
    assert permutation_p(a, b, n_resamples=1000, rng=seeded_rng(0)) == pytest.approx(exact)
    # a single value against the rest: the n splits, by hand
    lone = permutation_p(np.array([9.0]), np.array([1.0, 2, 3, 10]), n_resamples=1000)
    # |value - mean of the others|: 9 -> 5, 1 -> 5, 2 -> 3.75, 3 -> 2.5, 10 -> 6.25; observed 5
    assert lone == pytest.approx(3 / 5)


def test_randomised_permutation_p_is_never_zero():
    a, b = np.ones(12), np.zeros(12)
    p = permutation_p(a, b, n_resamples=999, rng=seeded_rng(0))
    assert 0 < p <= 2 / 1000


def test_one_observation_is_a_constant_of_every_resample():
    a = np.array([0.1, 0.4, 0.5, 0.9])
    lo, hi = mean_difference_interval(a, np.array([0.25]), n_resamples=800, rng=seeded_rng(2))
    m_lo, m_hi = mean_interval(a, n_resamples=800, rng=seeded_rng(2))
    assert (lo, hi) == pytest.approx((m_lo - 0.25, m_hi - 0.25))
    assert mean_interval(np.array([3.0])) == (3.0, 3.0)
    assert np.isnan(mean_interval(np.array([]))).all()


def test_paired_bootstrap_with_several_values():
    weights = np.array([[1.0, 0, 2, 1, 0], [0.0, 1, 1, 0, 0]])  # two categories, five documents
    tokens = np.array([10.0, 20, 10, 5, 15])
    def rate(w, t, axis=-1):
        return w.sum(axis=axis) / t.sum(axis=axis)
    lo, hi = bootstrap_interval((weights, tokens), rate, n_resamples=500, rng=seeded_rng(0), paired=True)
    point = weights.sum(axis=1) / tokens.sum()
    assert lo.shape == hi.shape == (2,)
    assert (lo <= point).all() and (point <= hi).all()


def test_spearman_is_vectorised_rank_correlation():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 30)), rng.normal(size=(4, 30))
    expected = [sps.spearmanr(x[i], y[i]).statistic for i in range(4)]
    assert spearman(x, y) == pytest.approx(expected)
    assert spearman(np.ones(5), np.arange(5.0)) == 0.0
    assert correlations(np.ones(4), np.arange(4.0)) == (0.0, 0.0)


def test_group_order_selects_orders_and_names_unknown_groups():
    labels = pd.Series(pd.Categorical(["Kishida", "Abe", None], categories=["Abe", "Suga", "Kishida"]))
    assert group_order(labels) == ("Abe", "Kishida")  # category order, absent categories left out
    assert group_order(pd.Series(["b", "a", "b"])) == ("a", "b")
    assert group_order(labels, ["Kishida", "Abe"]) == ("Kishida", "Abe")
    with pytest.raises(ValueError, match="'Suga'.*available"):
        group_order(labels, ["Suga"], "era")
    with pytest.raises(ValueError, match="distinct"):
        group_order(labels, ["Abe", "Abe"])
