"""``tonekit evaluate CORPUS --label-col y``."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tonekit.cli import main
from tonekit.evaluate import evaluate

ROWS = [  # (constructed)
    ("Thank you so much for your help with the citations.", 1),
    ("Could you please take a look at the draft when you have time?", 1),
    ("Hi! Would you mind checking the map? Many thanks.", 1),
    ("I apologise for the confusion; perhaps we could talk it over.", 1),
    ("Why did you delete my paragraph again?", 0),
    ("What is wrong with you? This is nonsense.", 0),
    ("Shut up and stop reverting my edits.", 0),
    ("The figures were updated on Monday.", 0),
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "requests.csv"
    pd.DataFrame({"id": range(len(ROWS)), "request": [t for t, _ in ROWS], "polite": [y for _, y in ROWS]}).to_csv(
        path, index=False
    )
    return path


def test_json_output_matches_the_api(corpus, capsys):
    code = main([
        "evaluate", str(corpus), "--label-col", "polite", "--text-col", "request",
        "--score", "tone", "--folds", "2", "--bootstrap", "200", "--format", "json",
    ])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    expected = evaluate([t for t, _ in ROWS], [y for _, y in ROWS], score="tone", folds=2, n_bootstrap=200)
    assert out["roc_auc"] == pytest.approx(expected.roc_auc)
    assert out["accuracy"] == pytest.approx(expected.accuracy)
    assert out["ci_low"] == pytest.approx(expected.ci_low)
    assert out["n"] == 8 and out["score"] == "tone" and out["lexicon"].startswith("diplomatic-en@")


def test_table_output(corpus, capsys):
    code = main(["evaluate", str(corpus), "--label-col", "polite", "--text-col", "request", "--folds", "2"])
    assert code == 0
    out = capsys.readouterr().out
    assert "courtesy vs polite" in out and "n=8" in out
    assert "roc_auc" in out and "95% CI" in out and "spearman" in out


def test_missing_column_and_bad_label_are_usage_errors(corpus, tmp_path, capsys):
    assert main(["evaluate", str(corpus), "--label-col", "rating", "--text-col", "request"]) == 2
    assert "no column 'rating' (--label-col)" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text('text,y\n"Thank you.",1\n"Why?",impolite\n', encoding="utf-8")
    assert main(["evaluate", str(bad), "--label-col", "y"]) == 2
    assert "line 3, field 'y': label 'impolite' is not a number" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "nope.xlsx"), "--label-col", "y"]) == 2
    assert "unknown file type" in capsys.readouterr().err
