"""evaluate(): agreement of tonekit scores with human labels, from sklearn.metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics
from sklearn.model_selection import StratifiedKFold

import tonekit
from tonekit.evaluate import Evaluation, best_threshold, evaluate

# Requests with a politeness judgement (constructed).
LABELED = [
    ("Thank you so much for your help with the citations.", 1),
    ("Could you please take a look at the draft when you have time?", 1),
    ("Hi! Would you mind checking the map? Many thanks.", 1),
    ("I apologise for the confusion; perhaps we could talk it over.", 1),
    ("Congratulations on the new article, great work.", 1),
    ("We are grateful for your kind assistance.", 1),
    ("Why did you delete my paragraph again?", 0),
    ("What is wrong with you? This is nonsense.", 0),
    ("Shut up and stop reverting my edits.", 0),
    ("Your edit was stupid and you know it.", 0),
    ("Who do you think you are?", 0),
    ("The figures were updated on Monday.", 0),
]


def test_reproduces_sklearn_roc_auc_on_known_scores():
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.05])
    labels = np.array([0, 0, 1, 1, 1, 0, 1, 0])
    ev = evaluate(scores, labels, folds=2, n_bootstrap=200)
    assert ev.roc_auc == pytest.approx(metrics.roc_auc_score(labels, scores))
    assert ev.roc_auc == pytest.approx(15 / 16)  # one discordant pair of 16
    assert ev.spearman == pytest.approx(stats.spearmanr(scores, labels).statistic)
    assert ev.pearson == pytest.approx(stats.pearsonr(scores, labels).statistic)
    assert ev.kind == "binary" and ev.main == "roc_auc" and ev.n == 8 and ev.n_positive == 4


def test_scores_texts_with_the_lexicon():
    texts, labels = zip(*LABELED)
    ev = evaluate(list(texts), list(labels), score="tone", folds=3, n_bootstrap=200)
    tones = [tonekit.score(t).tone for t in texts]
    assert ev.roc_auc == pytest.approx(metrics.roc_auc_score(labels, tones))
    assert ev.roc_auc > 0.9
    assert ev.lexicon == tonekit.Lexicon.default().label


def test_dataframe_with_label_column_and_precomputed_scores():
    texts, labels = zip(*LABELED)
    frame = pd.DataFrame({"text": texts, "polite": labels})
    by_text = evaluate(frame, "polite", score="courtesy", folds=3, n_bootstrap=100)
    frame["courtesy"] = [tonekit.score(t).courtesy for t in texts]
    by_score = evaluate(frame, "polite", score="courtesy", folds=3, n_bootstrap=100)
    assert by_text.roc_auc == pytest.approx(by_score.roc_auc)
    assert by_score.lexicon == ""  # scores were given, not computed


def test_accuracy_uses_thresholds_chosen_on_other_folds():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 400)
    scores = labels + rng.normal(0, 1.2, 400)
    ev = evaluate(scores, labels, folds=4, n_bootstrap=0, seed=7)
    predicted = np.zeros(400, dtype=int)
    for train, test in StratifiedKFold(4, shuffle=True, random_state=7).split(scores.reshape(-1, 1), labels):
        predicted[test] = scores[test] >= best_threshold(scores[train], labels[train])
    assert ev.accuracy == pytest.approx(metrics.accuracy_score(labels, predicted))
    assert ev.f1 == pytest.approx(metrics.f1_score(labels, predicted))
    in_sample = metrics.accuracy_score(labels, scores >= ev.threshold)
    assert ev.accuracy <= in_sample  # the in-sample threshold is optimistic


def test_best_threshold_maximises_accuracy():
    scores = np.array([0.0, 0.0, 0.2, 0.5, 0.6, 0.9])
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert best_threshold(scores, labels) == pytest.approx(0.35)
    assert metrics.accuracy_score(labels, scores >= 0.35) == 1.0


def test_graded_labels_use_spearman_and_binarise_at_the_median():
    rng = np.random.default_rng(0)
    ratings = rng.normal(0, 1, 300)
    scores = ratings + rng.normal(0, 1, 300)
    ev = evaluate(scores, ratings, n_bootstrap=300)
    assert ev.kind == "graded" and ev.main == "spearman"
    assert ev.spearman == pytest.approx(stats.spearmanr(scores, ratings).statistic)
    assert ev.label_threshold == pytest.approx(np.median(ratings))
    assert ev.roc_auc == pytest.approx(metrics.roc_auc_score(ratings > np.median(ratings), scores))
    assert ev.ci_low < ev.spearman < ev.ci_high


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 200)
    scores = labels + rng.normal(0, 1, 200)
    a = evaluate(scores, labels, n_bootstrap=300, seed=5)
    b = evaluate(scores, labels, n_bootstrap=300, seed=5)
    c = evaluate(scores, labels, n_bootstrap=300, seed=6)
    assert a == b
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.ci_low < a.roc_auc < a.ci_high
    assert 0.05 < a.ci_high - a.ci_low < 0.3


def test_result_is_frozen_and_tabular():
    ev = evaluate([0.1, 0.2, 0.8, 0.9, 0.3, 0.7], [0, 0, 1, 1, 0, 1], folds=2, n_bootstrap=50)
    assert isinstance(ev, Evaluation)
    with pytest.raises(AttributeError):
        ev.roc_auc = 0.5
    frame = ev.to_frame()
    assert frame["metric"].tolist() == ["roc_auc", "accuracy", "f1", "spearman", "pearson"]
    assert frame.loc[0, "ci_low"] == ev.ci_low and np.isnan(frame.loc[1, "ci_low"])
    assert "roc_auc=1.000" in repr(ev)
    assert '"roc_auc": 1.0' in ev.to_json()


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="3 labels for 2"):
        evaluate([0.1, 0.2], [0, 1, 1])
    with pytest.raises(ValueError, match="single class"):
        evaluate([0.1, 0.2, 0.3], [1, 1, 1])
    with pytest.raises(ValueError, match="row 1: label"):
        evaluate([0.1, 0.2, 0.3], [0, "polite", 1])
    with pytest.raises(TypeError, match="row 1: mixed"):
        evaluate(["Thank you.", 0.3], [0, 1])
    with pytest.raises(KeyError, match="unknown score"):
        evaluate(["Thank you.", "Why?"], [1, 0], score="politeness")
    with pytest.raises(ValueError, match="folds=5"):
        evaluate([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])
