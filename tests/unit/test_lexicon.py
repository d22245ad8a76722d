"""The lexicon format: reading, writing, validation with locations."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

import tonekit
from tonekit import Lexicon, LexiconError
from tonekit.lexicon import Modifiers

CATEGORIES = {
    "insult": {"dimension": "hostility", "definition": "Abuse of a person.", "example": "You fool. (constructed)"},
    "distancing": {"dimension": "hostility", "definition": "Doubt or mockery by quotation."},
    "gratitude": {"dimension": "courtesy", "definition": "Thanks.", "example": "We thank you. (constructed)"},
}


def write_lexicon(
    tmp_path: Path,
    rows: str,
    categories=CATEGORIES,
    name="test-lex",
    header="term,dimension,category,weight,match,note",
    **meta_extra,
) -> Path:
    csv_path = tmp_path / f"{name}.csv"
    csv_path.write_text(header + "\n" + rows, encoding="utf-8")
    meta = {"name": name, "version": "0.1", "language": "en", "categories": categories, **meta_extra}
    csv_path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return csv_path


def test_bundled_lexicon_meets_the_coverage_it_promises():
    lex = Lexicon.default()
    assert lex.name == "diplomatic-en"
    assert len(lex) >= 500
    assert len(lex.categories_of("hostility")) >= 8
    assert len(lex.categories_of("courtesy")) >= 6
    for cat in lex.categories.values():
        assert cat.definition.strip() and cat.example.strip(), cat.name
    terms = {e.term for e in lex}
    for term in ("political dwarf", "mutual respect", "sea of fire", "puppet", "your excellency"):
        assert term in terms


def test_round_trip_through_csv_keeps_every_entry(tmp_path):
    lex = Lexicon.default()
    path = lex.to_csv(tmp_path / "copy.csv")
    again = Lexicon.from_csv(path)
    assert again.entries == lex.entries
    assert again.categories == lex.categories
    assert again.modifiers == lex.modifiers
    assert again.content_hash == lex.content_hash


def test_validation_reports_every_problem_with_line_and_field(tmp_path):
    rows = (
        "fool,hostility,insult,2,lemma,\n"          # line 2: fine
        ",hostility,insult,1,lemma,\n"               # line 3: empty term
        "thank,courtesy,gratitude,heavy,lemma,\n"    # line 4: bad weight
        "stooge,hostility,epithet,2,lemma,\n"        # line 5: unknown category
        "Fool,courtesy,gratitude,1,lemma,\n"         # line 6: conflicts with line 2
        "liar,hostility,insult,-1,fuzzy,\n"          # line 7: weight and match
        '"unclosed,hostility,insult,1,lemma,\n'      # line 8: malformed CSV
    )
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(write_lexicon(tmp_path, rows))
    found = {(p.line, p.field) for p in info.value.problems}
    assert {(3, "term"), (4, "weight"), (5, "category"), (6, "term"), (7, "weight"), (7, "match")} <= found
    assert any(p.line == 8 and "malformed" in p.message.lower() for p in info.value.problems)
    message = str(info.value)
    assert "test-lex.csv, line 6, field 'term'" in message and "line 2" in message


def test_category_dimension_mismatch_and_undeclared_distancing_are_reported(tmp_path):
    cats = {k: v for k, v in CATEGORIES.items() if k != "distancing"}
    cats["insult"] = {"dimension": "rudeness", "definition": "x"}
    meta = {"name": "m", "version": "1", "categories": cats, "modifiers": {"distancing": {"cues": ["so-called"]}}}
    csv_path = tmp_path / "m.csv"
    csv_path.write_text("term,dimension,category,weight,match,note\nfool,hostility,insult,2,lemma,\n")
    csv_path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(csv_path)
    fields = {p.field for p in info.value.problems}
    assert "categories.insult.dimension" in fields


def test_from_records_builds_a_usable_lexicon():
    lex = Lexicon.from_records(
        [{"term": "running dog", "dimension": "hostility", "category": "insult", "weight": 3}],
        name="tiny",
        categories=CATEGORIES,
    )
    result = tonekit.score("The running dogs of the United States barked again.", lexicon=lex)
    assert [m.term for m in result.markers] == ["running dog"]
    assert result.lexicon == "tiny@0"


def test_unknown_bundled_name_lists_the_available_ones():
    with pytest.raises(KeyError, match="diplomatic-en"):
        tonekit.lexicon.resolve("no-such-lexicon")


def test_unreadable_file_is_a_lexicon_error_naming_it(tmp_path):
    path = write_lexicon(tmp_path, "fool,hostility,insult,2,lemma,\n")
    path.write_bytes("na\xefve,hostility,insult,2,lemma,\n".encode("latin-1"))
    with pytest.raises(LexiconError, match="test-lex.csv"):
        Lexicon.from_csv(path)
    with pytest.raises(LexiconError, match="cannot read"):
        Lexicon.from_csv(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("modifiers", "field"),
    [
        # A string is not a list of negators (it would become the negators n, o and t).
        ({"negation": "not"}, "modifiers.negation"),
        ({"negation": ["not", " "]}, "modifiers.negation[1]"),
        ({"negation_factor": "zero"}, "modifiers.negation_factor"),
        # Negation weakens a marker: a factor above 1 would make "not an idiot" ruder.
        ({"negation_factor": 2}, "modifiers.negation_factor"),
        ({"contrast": {"cues": ["but"], "after": "nan"}}, "modifiers.contrast.after"),
        ({"intensifiers": {"very": -3}}, "modifiers.intensifiers.very"),
        ({"downtoners": {"slightly": 1.5}}, "modifiers.downtoners.slightly"),
        ({"distancing": {"cues": ["so-called"], "scare_quote_max_tokens": "five"}}, "modifiers.distancing.scare_quote_max_tokens"),
        ({"distancing": {"cues": ["so-called"], "weight": 4}}, "modifiers.distancing.weight"),
        # A misspelt key would leave the default in force without a word.
        ({"negation_factr": 0.5}, "modifiers.negation_factr"),
        ({"contrast": {"cues": ["but"], "afterwards": 2}}, "modifiers.contrast.afterwards"),
    ],
)
def test_bad_modifier_values_are_reported_with_file_and_field(tmp_path, modifiers, field):
    path = write_lexicon(tmp_path, "fool,hostility,insult,2,lemma,\n", modifiers=modifiers)
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(path)
    assert [(p.file, p.field) for p in info.value.problems] == [("test-lex.json", field)]


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ({"version": " "}, "version"),
        ({"version": None}, "version"),
        ({"categories": {}}, "categories"),
        ({"categories": {**CATEGORIES, "threat": "menace"}}, "categories.threat"),
        ({"categories": {**CATEGORIES, "threat": {"dimension": "hostility", "definition": " "}}}, "categories.threat.definition"),
        ({"max_weight": True}, "max_weight"),
        ({"modifiers": []}, "modifiers"),
    ],
)
def test_bad_metadata_is_reported_with_file_and_field(tmp_path, meta, field):
    path = write_lexicon(tmp_path, "fool,hostility,insult,2,lemma,\n", **meta)
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(path)
    # (Without categories, the entry's category is unknown too: reported in the CSV.)
    found = [(p.line, p.field) for p in info.value.problems if p.file == "test-lex.json"]
    assert found == [(None, field)]


@pytest.mark.parametrize("name", ["diplomatic-en.json", "my-lexicon.yaml"])
def test_a_metadata_or_yaml_path_says_which_file_to_give(name):
    with pytest.raises(LexiconError, match=r"given by its entries CSV \((diplomatic-en|my-lexicon)\.csv\)"):
        tonekit.load(name)


def test_modifiers_built_in_memory_are_validated_too():
    with pytest.raises(LexiconError, match=r"tiny.json, field 'modifiers.negation_factor'"):
        Lexicon.from_records(
            [{"term": "fool", "dimension": "hostility", "category": "insult", "weight": 2}],
            name="tiny",
            categories=CATEGORIES,
            modifiers=Modifiers(negation=("not",), negation_factor=math.nan),
        )
    with pytest.raises(LexiconError, match=r"field 'modifiers.negation'"):
        Modifiers.from_dict({"negation": "not"})


def test_weights_survive_a_round_trip_exactly_and_change_the_hash(tmp_path):
    default = Lexicon.default()

    def reweighted(weight: float) -> Lexicon:
        return default.replace(entries=tuple(replace(e, weight=weight) if e.term == "puppet" else e for e in default))

    precise = reweighted(2.123456789)
    again = Lexicon.from_csv(precise.to_csv(tmp_path / "precise.csv"))
    assert next(e.weight for e in again if e.term == "puppet") == 2.123456789
    # Scores are cached by content hash: weights apart in the 7th digit are two lexicons.
    assert reweighted(2.1234561).content_hash != reweighted(2.1234564).content_hash
    # Weights that :g writes exactly keep their text, so existing files and hashes stay.
    bundled_csv = Path(tonekit.__file__).parent / "data" / "lexicons" / "diplomatic-en.csv"
    assert default.to_strings()[0] == bundled_csv.read_text(encoding="utf-8")


def test_max_weight_must_be_a_positive_number_and_bounds_the_weights(tmp_path):
    path = write_lexicon(tmp_path, "fool,hostility,insult,2,lemma,\n", max_weight="ten")
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(path)
    assert [(p.file, p.field) for p in info.value.problems] == [("test-lex.json", "max_weight")]

    path = write_lexicon(tmp_path, "fool,hostility,insult,2,lemma,\nimbecile,hostility,insult,2.5,lemma,\n", max_weight=2.25)
    with pytest.raises(LexiconError, match=r"line 3, field 'weight': weight must be in \(0, 2.25\], got 2.5"):
        Lexicon.from_csv(path)


def test_a_repeated_column_is_an_error_naming_it(tmp_path):
    path = write_lexicon(tmp_path, "fool,hostility,insult,1,2\n", header="term,dimension,category,weight,weight")
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(path)
    assert [(p.file, p.line, p.field) for p in info.value.problems] == [("test-lex.csv", 1, "weight")]


def test_terms_with_a_line_break_tab_or_doubled_space_are_rejected(tmp_path):
    rows = (
        '"political\ndwarf",hostility,insult,2,lemma,\n'  # lines 2-3: a quoted line break
        "running\tdog,hostility,insult,3,lemma,\n"         # line 4
        "lying  imbecile,hostility,insult,3,lemma,\n"      # line 5
        "  fool ,hostility,insult,2,lemma,\n"               # line 6: surrounding spaces are trimmed
    )
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(write_lexicon(tmp_path, rows))
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "term"), (4, "term"), (5, "term")]
    assert "'political\\ndwarf'" in str(info.value)
    lex = Lexicon.from_csv(write_lexicon(tmp_path, "  political dwarf ,hostility,insult,2,lemma,\n"))
    assert [e.term for e in lex] == ["political dwarf"]
