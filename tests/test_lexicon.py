"""The lexicon format: reading, writing, validation with locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tonekit
from tonekit import Lexicon, LexiconError

CATEGORIES = {
    "insult": {"dimension": "hostility", "definition": "Abuse of a person.", "example": "You fool. (constructed)"},
    "distancing": {"dimension": "hostility", "definition": "Doubt or mockery by quotation."},
    "gratitude": {"dimension": "courtesy", "definition": "Thanks.", "example": "We thank you. (constructed)"},
}


def write_lexicon(tmp_path: Path, rows: str, categories=CATEGORIES, name="test-lex") -> Path:
    csv_path = tmp_path / f"{name}.csv"
    csv_path.write_text("term,dimension,category,weight,match,note\n" + rows, encoding="utf-8")
    meta = {"name": name, "version": "0.1", "language": "en", "categories": categories}
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
