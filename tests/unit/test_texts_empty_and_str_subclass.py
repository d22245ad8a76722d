"""One policy for empty texts, and a ``str`` subclass is a text, wherever texts enter."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import tonekit
from tonekit import ToneVectorizer, score, score_corpus
from tonekit.evaluate import evaluate

HOSTILE = "The puppet regime of Japan will pay dearly for this reckless provocation."
COURTEOUS = "We express our deep condolences to Your Excellency and the people of Japan."


class Statement(str):
    """A text type of a user's own, as an annotation tool or a database layer makes them."""

    def __str__(self) -> str:  # must not be what gets scored
        return "overridden"


# -- empty texts ------------------------------------------------------------------------


def test_empty_and_blank_texts_get_an_error_and_no_scores():
    df = pd.DataFrame({"id": list("abcd"), "text": [HOSTILE, "", "  \n\t ", COURTEOUS]})
    out = score_corpus(df, progress=False)
    assert out["error"].tolist() == [None, "empty text", "empty text", None]
    for i in (1, 2):
        row = out.iloc[i]
        assert math.isnan(row["hostility"]) and math.isnan(row["courtesy"]) and pd.isna(row["n_tokens"])
    assert out.loc[0, "hostility"] > 0.5 and out.loc[3, "courtesy"] > 0.5


def test_empty_texts_get_the_same_error_in_worker_processes():
    df = pd.DataFrame({"id": list("abc"), "text": ["", HOSTILE, " "]})
    one = score_corpus(df, progress=False)
    two = score_corpus(df, progress=False, n_process=2, batch_size=1)
    pd.testing.assert_frame_equal(one, two)
    assert two["error"].tolist() == ["empty text", None, "empty text"]


def test_the_scores_of_other_texts_do_not_change():
    texts = [HOSTILE, COURTEOUS, "Thank you."]
    with_empty = score_corpus(pd.DataFrame({"text": [texts[0], "", texts[1], " ", texts[2]]}), progress=False)
    alone = score_corpus(pd.DataFrame({"text": texts}), progress=False)
    kept = with_empty[with_empty["error"].isna()].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, alone)


def test_evaluate_refuses_an_empty_text_with_the_same_words():
    texts = [HOSTILE, "   ", COURTEOUS, "You idiot."]
    with pytest.raises(ValueError, match="row 1: empty text"):
        evaluate(texts, [1, 0, 0, 1], score="hostility", n_bootstrap=100, folds=2)


# -- str subclasses ---------------------------------------------------------------------


def test_score_accepts_a_str_subclass_as_its_text():
    result = score(Statement(HOSTILE))
    assert result.text == HOSTILE and type(result.text) is str
    assert result.hostility == score(HOSTILE).hostility > 0.5


@pytest.mark.parametrize("n_process", [1, 2])
def test_score_corpus_accepts_str_subclasses(n_process):
    texts = pd.Series([Statement(HOSTILE), Statement(COURTEOUS), Statement(" ")], dtype=object)
    out = score_corpus(pd.DataFrame({"id": list("abc"), "text": texts}), progress=False, n_process=n_process)
    plain = score_corpus(pd.DataFrame({"id": list("abc"), "text": [HOSTILE, COURTEOUS, " "]}), progress=False)
    assert out["error"].tolist() == [None, None, "empty text"]
    pd.testing.assert_frame_equal(out.drop(columns="text"), plain.drop(columns="text"))


def test_the_pipeline_component_scores_a_str_subclass_through_score():
    nlp = tonekit.load()
    assert score(Statement(COURTEOUS), nlp=nlp).courtesy == score(COURTEOUS, nlp=nlp).courtesy > 0.5


def test_vectorizer_accepts_str_subclasses():
    vectorizer = ToneVectorizer().fit([HOSTILE])
    np.testing.assert_array_equal(
        vectorizer.transform([Statement(HOSTILE), Statement(COURTEOUS)]), vectorizer.transform([HOSTILE, COURTEOUS])
    )
