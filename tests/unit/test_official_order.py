"""Do the scores order real statements as a careful reader would?

Each test is a judgement a reader of the bundled corpus makes without any score: which
statement is the courteous one, which the abusive one, and how the 2024 statements to
Prime Minister Kishida compare with the statements of the Abe era. The texts are the
corpus rows (quoted exactly from their sources; see corpora/dprk_japan/README.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

import tonekit

CONDOLENCE = "dprkjp-20240106-kimjongun-condolence"
ABUSE_2019 = "dprkjp-20191130-foreignministry-japan-dept"  # "perfect imbecile", "political dwarf"
TO_KISHIDA_2024 = [
    "dprkjp-20240215-kimyojong",
    "dprkjp-20240325-kimyojong",
    "dprkjp-20240326-kimyojong",
    "dprkjp-20240329-choesonhui",
]
REFUSAL_2024 = "dprkjp-20240329-riryongnam"  # "nothing to talk with the Japanese side"


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return tonekit.score_corpus(tonekit.corpora.load("dprk_japan"), progress=False).set_index("id")


def test_the_condolence_message_is_the_most_courteous_and_not_hostile(scores):
    assert scores["courtesy"].idxmax() == CONDOLENCE
    assert scores.loc[CONDOLENCE, "hostility"] == 0


def test_the_abusive_2019_statement_is_among_the_most_hostile(scores):
    # Among the three most hostile of 85: the 2013 statement on Abe's UN speech, a longer
    # pile of accusations ("criminal state", "despicable", "sordid atrocities"), may rank
    # above it, as a reader may too.
    assert ABUSE_2019 in scores["hostility"].nlargest(3).index
    assert scores.loc[ABUSE_2019, "courtesy"] == 0


def test_statements_to_kishida_refuse_yet_keep_some_courtesy(scores):
    abe_median = scores.loc[scores["era"] == "Abe", "hostility"].median()
    for doc_id in TO_KISHIDA_2024:
        assert scores.loc[doc_id, "courtesy"] > 0, doc_id
        assert scores.loc[doc_id, "hostility"] < abe_median, doc_id
    assert scores.loc[REFUSAL_2024, "refusal"] > 0


def test_each_2024_statement_to_kishida_is_less_hostile_than_the_2019_abuse(scores):
    for doc_id in [*TO_KISHIDA_2024, REFUSAL_2024]:
        assert scores.loc[doc_id, "tone"] > scores.loc[ABUSE_2019, "tone"], doc_id
