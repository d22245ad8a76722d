"""A lexicon's name, version, language and description are strings, from a file or in memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tonekit import Lexicon, LexiconError

ENTRIES = [{"term": "puppet", "dimension": "hostility", "category": "epithet", "weight": 2.5}]
CATEGORIES = {"epithet": {"dimension": "hostility", "definition": "a demeaning label for a person or state"}}


@pytest.mark.parametrize(("field", "value"), [("name", ["embassy-en"]), ("version", {"v": 1}), ("description", ["x"])])
def test_metadata_file_with_a_wrong_type_names_file_and_field(tmp_path: Path, field, value):
    path = Lexicon.default().to_csv(tmp_path / "embassy-en.csv")
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    meta[field] = value
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(path)
    assert [(p.file, p.field) for p in info.value.problems] == [("embassy-en.json", field)]


@pytest.mark.parametrize(("field", "value"), [("name", ["embassy-en"]), ("version", {"v": 1}), ("language", 5)])
def test_in_memory_lexicon_with_a_wrong_type_is_refused_not_stringified(field, value):
    args = {"name": "embassy-en", "version": "1.0.0", "language": "en", field: value}
    with pytest.raises(LexiconError) as info:
        Lexicon.from_records(ENTRIES, categories=CATEGORIES, **args)
    problem = info.value.problems[0]
    assert problem.field == field and "must be a string" in problem.message
    assert problem.file.endswith(".json") and "[" not in problem.file


def test_replace_with_a_wrong_type_is_refused():
    with pytest.raises(LexiconError, match="field 'version': must be a string, got 2"):
        Lexicon.default().replace(version=2)
    with pytest.raises(LexiconError, match="missing lexicon name"):
        Lexicon.default().replace(name="   ")
