"""calibrate(): category weights fitted to labeled texts, returned as a new Lexicon."""

from __future__ import annotations

import numpy as np
import pytest

import tonekit
from tonekit.calibrate import calibrate
from tonekit.evaluate import evaluate

FILLERS = [  # neutral report sentences (constructed)
    "the committee received the report on the fisheries agreement",
    "the delegation will arrive in the capital on Tuesday",
    "the figures for the second quarter are attached",
    "the working group met to review the draft text",
    "the consulate has updated its visa guidance",
]


def synthetic(n: int = 240, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Gratitude truly predicts the label (with noise); a greeting occurs at random.

    The greeting ("hello" + "welcome") outweighs "thank you" in the bundled lexicon,
    so the uncalibrated courtesy score ranks the texts wrongly."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        thanks = rng.random() < 0.5
        greet = rng.random() < 0.5
        polite = rng.random() < (0.8 if thanks else 0.2)
        parts = ["Hello, and welcome:" if greet else "", FILLERS[i % len(FILLERS)] + ".", "Thank you." if thanks else ""]
        texts.append(" ".join(p for p in parts if p).capitalize())
        labels.append(int(polite))
    return texts, np.array(labels)


@pytest.fixture(scope="module")
def calibrated():
    texts, labels = synthetic()
    return calibrate(tonekit.Lexicon.default(), texts, labels, dimension="courtesy")


def weights(lexicon, category):
    return {e.term: e.weight for e in lexicon if e.category == category}


def test_predictive_category_is_raised_and_irrelevant_one_lowered(calibrated):
    base = tonekit.Lexicon.default()
    for term, old in weights(base, "gratitude").items():
        assert calibrated_weight(calibrated, term) > old or old == 3.0
    for term, old in weights(base, "greeting").items():
        assert calibrated_weight(calibrated, term) < old
    record = calibrated.metadata["calibrations"][-1]
    assert record["multipliers"]["gratitude"] > 1 > record["multipliers"]["greeting"]


def calibrated_weight(lexicon, term):
    return next(e.weight for e in lexicon if e.term == term)


def test_new_version_provenance_and_untouched_parts(calibrated):
    base = tonekit.Lexicon.default()
    assert calibrated.version.startswith(base.version.split("+")[0] + "+cal.")
    assert len(calibrated.version.split("+cal.")[1]) == 8
    record = calibrated.metadata["calibrations"][-1]
    assert record["dimension"] == "courtesy" and record["n"] == 240 and record["base"] == base.label
    assert 0.5 < record["cv_score"] <= 1 and record["cv_metric"] == "roc_auc"
    assert not any("time" in key or "date" in key for key in record)
    # categories never seen keep their weights; hostility is not touched
    assert weights(calibrated, "condolence") == weights(base, "condolence")
    assert [e for e in calibrated if e.dimension == "hostility"] == [e for e in base if e.dimension == "hostility"]
    assert all(0 < e.weight <= 3 for e in calibrated)


def test_deterministic_and_round_trips_through_files(calibrated, tmp_path):
    texts, labels = synthetic()
    again = calibrate(tonekit.Lexicon.default(), texts, labels, dimension="courtesy")
    assert again.content_hash == calibrated.content_hash
    path = calibrated.to_csv(tmp_path / "diplomatic-en-cal.csv")
    loaded = tonekit.Lexicon.from_csv(path)
    assert loaded.content_hash == calibrated.content_hash
    assert loaded.metadata["calibrations"] == calibrated.metadata["calibrations"]


def test_calibrated_lexicon_scores_the_labels_better(calibrated):
    texts, labels = synthetic(seed=1)  # fresh data from the same process
    base_ev = evaluate(texts, labels, score="courtesy", n_bootstrap=0)
    cal_ev = evaluate(texts, labels, score="courtesy", lexicon=calibrated, n_bootstrap=0)
    assert cal_ev.roc_auc > base_ev.roc_auc


def test_per_entry_fits_frequent_entries():
    texts, labels = synthetic()
    lex = calibrate("diplomatic-en", texts, labels, dimension="courtesy", per_entry=True, min_count=20)
    record = lex.metadata["calibrations"][-1]
    assert record["per_entry"] and record["entries_fitted"] >= 2  # "thank you" and "hello"


def test_reversed_or_unusable_labels_are_refused():
    texts, labels = synthetic()
    with pytest.raises(ValueError, match="reversed"):
        calibrate("diplomatic-en", texts, 1 - labels, dimension="courtesy")
    with pytest.raises(ValueError, match="single class"):
        calibrate("diplomatic-en", texts, np.ones(len(texts)), dimension="courtesy")
    with pytest.raises(ValueError, match="no hostility markers"):
        calibrate("diplomatic-en", texts, labels, dimension="hostility")
    with pytest.raises(ValueError, match="dimension"):
        calibrate("diplomatic-en", texts, labels, dimension="politeness")
