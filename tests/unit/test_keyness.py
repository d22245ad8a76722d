"""Marker tables, category rates with document-bootstrap CIs, Fightin' Words keyness."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from tonekit.batch import score_corpus
from tonekit.keyness import Keyness, category_rates, keyness, markers_table

# Two toy groups of statements (constructed): "imbecile" only in group A,
# "condolences" only in group B, "provocation" and "warn" in both.
TOY = pd.DataFrame({
    "id": [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)],
    "era": ["A"] * 4 + ["B"] * 4,
    "text": [
        "The prime minister is an imbecile who seeks provocation.",
        "Only an imbecile would warn us about provocation.",
        "This imbecile should stop the provocation at once.",
        "We warn the imbecile.",
        "We express our deep condolences to the people of Japan.",
        "Please accept our condolences; we warn against provocation.",
        "Our condolences go to the families of the victims.",
        "Condolences, and we do not forget the provocation.",
    ],
})


@pytest.fixture(scope="module")
def toy_markers():
    return markers_table(TOY)


def test_markers_table_has_one_row_per_marker_with_document_metadata(toy_markers):
    assert {"id", "era", "term", "category", "dimension", "effective_weight", "marker", "n_tokens"} <= set(toy_markers.columns)
    assert "text" not in toy_markers.columns
    imbecile = toy_markers[toy_markers.term == "imbecile"]
    assert set(imbecile["id"]) == {"a0", "a1", "a2", "a3"}
    assert (imbecile["era"] == "A").all() and (imbecile["category"] == "insult").all()
    first = imbecile.iloc[0]
    assert TOY.set_index("id").loc[first["id"], "text"][first["start_char"]:first["end_char"]] == first["marker"]


def test_keyness_ranks_marker_used_only_by_one_group_first(toy_markers):
    k = keyness(toy_markers, by="era", a="A", b="B")
    assert isinstance(k, Keyness)
    assert k.top(1, "A")["term"].item() == "imbecile"
    assert k.top(1, "B")["term"].item() == "condolence"
    table = k.to_frame().set_index("term")
    assert table.loc["imbecile", "count_a"] == 4 and table.loc["imbecile", "count_b"] == 0
    assert table.loc["imbecile", "z"] > 0 > table.loc["condolence", "z"]
    assert k.table["z"].is_monotonic_decreasing
    assert "imbecile" in repr(k)


def test_keyness_formula_matches_monroe_et_al():
    m = pd.DataFrame({"g": ["x"] * 3 + ["y"] * 2, "term": ["t1", "t1", "t2", "t2", "t2"],
                      "category": "c", "dimension": "hostility", "effective_weight": 1.0})
    k = keyness(m, by="g", a="x", b="y", alpha0=10).to_frame().set_index("term")
    # pooled shares: t1 2/5, t2 3/5; alpha_w = 10 * share
    ya, yb, na, nb, a0, al = 2, 0, 3, 2, 10, 4.0
    delta = np.log((ya + al) / (na + a0 - ya - al)) - np.log((yb + al) / (nb + a0 - yb - al))
    var = 1 / (ya + al) + 1 / (yb + al)
    assert k.loc["t1", "delta"] == pytest.approx(delta)
    assert k.loc["t1", "z"] == pytest.approx(delta / np.sqrt(var))


def test_keyness_counts_only_markers_with_positive_effective_weight():
    m = pd.DataFrame({"g": ["x", "x", "y", "y"], "term": ["idiot", "regret", "regret", "idiot"],
                      "category": ["insult", "apology", "apology", "insult"],
                      "dimension": ["hostility", "courtesy", "courtesy", "hostility"],
                      "effective_weight": [2.0, 1.0, 1.0, 0.0]})  # y's "idiot" was negated
    table = keyness(m, by="g", a="x", b="y").to_frame().set_index("term")
    assert table.loc["idiot", "count_b"] == 0


def test_keyness_errors_name_the_problem(toy_markers):
    with pytest.raises(ValueError, match="a= and b="):
        keyness(toy_markers, by="era")
    with pytest.raises(ValueError, match="'C'"):
        keyness(toy_markers, by="era", a="A", b="C")


def test_category_rates_per_group_with_bootstrap_interval():
    scores = score_corpus(TOY, progress=False)
    rates = category_rates(scores, by="era", n_boot=1000)
    insult = rates[rates.category == "insult"].set_index("group")
    assert insult.loc["B", "rate"] == 0 and insult.loc["A", "rate"] > 0
    assert insult.loc["A", "ci_low"] <= insult.loc["A", "rate"] <= insult.loc["A", "ci_high"]
    # pooled rate = 100 * sum of weights / sum of tokens
    a = scores[scores.era == "A"]
    expected = 100 * (a["insult"] * a["n_tokens"] / 100).sum() / a["n_tokens"].sum()
    assert insult.loc["A", "rate"] == pytest.approx(expected)
    assert set(rates["dimension"]) == {"hostility", "courtesy"}
    again = category_rates(scores, by="era", n_boot=1000)
    pd.testing.assert_frame_equal(rates, again)
