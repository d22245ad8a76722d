"""Forms of address: titled, bare and derogatory references to a person."""

from __future__ import annotations

import pandas as pd
import pytest

import tonekit
from tonekit.address import (
    Target,
    TargetError,
    address_by_group,
    address_forms,
    address_metrics,
    load_targets,
)
from tonekit.compare import compare


def forms(text: str, target="Kishida", **kw) -> list[str]:
    return address_forms(text, targets=target, **kw)["form"].tolist()


def test_acceptance_titled_bare_derogatory():
    assert forms("Prime Minister Kishida") == ["titled"]
    assert forms("Kishida") == ["bare"]
    assert forms("the Kishida group of traitors") == ["derogatory"]


@pytest.mark.parametrize("text,target,expected", [
    ("Mr. Abe arrived in Pyongyang. (constructed)", "Abe", ["titled"]),
    ("Japanese Prime Minister Kishida spoke. (constructed)", "Kishida", ["titled"]),
    ("I express condolences to Your Excellency. (constructed)", "Kishida", ["titled"]),
    ("The Abe clique and Abe's gang are panicking. (constructed)", "Abe", ["derogatory", "derogatory"]),
    ("Abe, a political dwarf, must know that. (constructed)", "Abe", ["derogatory"]),
    ("Abe is none other than a perfect imbecile and a political dwarf.", "Abe", ["derogatory"]),
    ("The traitor Abe will pay. (constructed)", "Abe", ["derogatory"]),
    ("Kishida's visit was cancelled. (constructed)", "Kishida", ["bare"]),
    ("Abe is not an idiot. (constructed)", "Abe", ["bare"]),  # negated insult is not bound
    ("Kishida, the prime minister, came. (constructed)", "Kishida", ["bare"]),
])
def test_reference_forms(text, target, expected):
    assert forms(text, target) == expected


def test_reference_rows_carry_offsets_and_cue():
    text = "It is a pity that Prime Minister Fumio Kishida met the Abe group. (constructed)"
    refs = address_forms(text, targets=["Abe", "Kishida"])
    assert refs.columns.tolist() == ["id", "target", "text", "start_char", "end_char", "form", "cue"]
    kishida = refs[refs.target == "Kishida"].iloc[0]
    assert kishida["text"] == "Prime Minister Fumio Kishida"
    assert text[kishida.start_char:kishida.end_char] == kishida["text"]
    assert kishida["cue"] == "Prime Minister"
    abe = refs[refs.target == "Abe"].iloc[0]
    assert (abe["form"], abe["cue"]) == ("derogatory", "group")


def test_nameless_references_follow_the_date_of_the_statement():
    corpus = pd.DataFrame({"id": ["d1", "d2"], "date": pd.to_datetime(["2024-01-06", "2019-11-30"]),
                           "text": ["I express sympathy to Your Excellency. (constructed)"] * 2})
    refs = address_forms(corpus, targets=["Abe", "Kishida"])
    assert refs[["id", "target"]].values.tolist() == [["d1", "Kishida"], ["d2", "Abe"]]


def test_targets_are_data_and_cover_the_tenure_table():
    targets = load_targets()
    assert {"Koizumi", "Abe", "Suga", "Kishida", "Ishiba", "Takaichi"} <= set(targets)
    persons = {t.person for t in tonekit.eras.japan_prime_ministers()}
    assert persons == {t.person for t in targets.values()}


def test_user_targets_csv(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("target,person,names,titles,references\nYoon,Yoon Suk Yeol,Yoon Suk Yeol|Yoon,President,\n")
    targets = load_targets(path)
    assert targets["Yoon"].titles == ("President",)
    refs = address_forms("President Yoon met Yoon's puppet regime. (constructed)", targets=path)
    assert refs["form"].tolist() == ["titled", "derogatory"]
    bad = tmp_path / "bad.csv"
    bad.write_text("target,names\nYoon,\n")
    with pytest.raises(TargetError, match=r"bad.csv, line 2, field 'names'"):
        load_targets(bad)
    with pytest.raises(KeyError, match="unknown target 'Yoon'"):
        address_forms("Yoon", targets="Yoon")


def test_shares_per_document_and_group_usable_in_compare():
    corpus = pd.DataFrame({
        "id": [f"d{i}" for i in range(12)],
        "era": ["Abe"] * 6 + ["Kishida"] * 6,
        "text": ["The Abe group is a gang of idiots, and Abe lies. (constructed)"] * 5
        + ["No reference here. (constructed)"]
        + ["Prime Minister Kishida should know. (constructed)"] * 6,
    })
    metrics = address_metrics(corpus, targets=["Abe", "Kishida"], date=None)
    assert metrics.index.equals(corpus.index)
    assert metrics.loc[0, ["address_n", "address_derogatory", "address_bare"]].tolist() == [2, 1, 1]
    assert metrics.loc[0, "address_derogatory_share"] == 0.5
    assert pd.isna(metrics.loc[5, "address_titled_share"])  # no reference: missing, not 0
    table = pd.concat([corpus, metrics], axis=1)
    by_group = address_by_group(table, by="era").set_index("group")
    assert by_group.loc["Kishida", "titled_share"] == 1.0
    assert by_group.loc["Abe", "n_docs_with_references"] == 5
    cmp = compare(table, by="era", metrics=["address_derogatory_share"], n_boot=500)
    groups = cmp.groups.set_index("group")
    assert groups.loc["Abe", "n_missing"] == 1 and groups.loc["Abe", "mean"] == 0.5


def test_bad_text_is_named():
    with pytest.raises(TypeError, match="id 'x'"):
        address_forms(pd.DataFrame({"id": ["x"], "text": [None]}), targets="Abe")
    assert isinstance(load_targets()["Abe"], Target)
