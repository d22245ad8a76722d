"""``tonekit lexicon init``: a copy of a lexicon, both files, under its own name and version."""

from __future__ import annotations

import json
from pathlib import Path

from tonekit import Lexicon, score
from tonekit.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_a_copy_that_validates_with_its_own_name_and_version(capsys, tmp_path: Path):
    target = tmp_path / "embassy-en.csv"
    code, out, err = run(capsys, "lexicon", "init", str(target), "--from", "diplomatic-en",
                         "--name", "embassy-en", "--version", "2.0.0")
    assert code == 0, err
    assert target.is_file() and target.with_suffix(".json").is_file()
    assert "embassy-en@2.0.0" in out
    code, out, _ = run(capsys, "lexicon", "validate", str(target))
    assert code == 0 and out.startswith("OK embassy-en@2.0.0")
    copy, original = Lexicon.from_csv(target), Lexicon.default()
    assert copy.label == "embassy-en@2.0.0" and copy.entries == original.entries
    assert copy.metadata["derived_from"] == original.label
    text = "The puppets and traitors will pay dearly for this."
    mine, bundled = score(text, lexicon=copy), score(text, lexicon=original)
    assert mine.lexicon == "embassy-en@2.0.0" and mine.hostility == bundled.hostility


def test_init_defaults_to_the_file_stem_and_refuses_to_overwrite(capsys, tmp_path: Path):
    target = tmp_path / "mine.csv"
    assert run(capsys, "lexicon", "init", str(target))[0] == 0
    meta = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    assert (meta["name"], meta["version"]) == ("mine", "0.1.0")
    target.write_text("edited\n", encoding="utf-8")
    code, _, err = run(capsys, "lexicon", "init", str(target))
    assert code == 2 and "already exist" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "edited\n"
    assert run(capsys, "lexicon", "init", str(target), "--force")[0] == 0
    assert run(capsys, "lexicon", "validate", str(target))[0] == 0


def test_init_usage_errors(capsys, tmp_path: Path):
    code, _, err = run(capsys, "lexicon", "init", str(tmp_path / "mine.txt"))
    assert code == 2 and ".csv" in err
    code, _, err = run(capsys, "lexicon", "init", str(tmp_path / "blank.csv"), "--name", "  ")
    assert code == 2 and "missing lexicon name" in err
    assert not (tmp_path / "blank.csv").exists() and not (tmp_path / "blank.json").exists()
    code, _, err = run(capsys, "lexicon", "init", str(tmp_path / "x.csv"), "--from", "no-such-lexicon")
    assert code == 2 and "no-such-lexicon" in err


def test_readme_documents_the_copy_and_the_case_format():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "tonekit lexicon init" in readme
    for word in ("mft", "invariance", "directional", "no_marker", "min_delta", "`>=`", "`!=`"):
        assert word in readme


def test_the_readme_case_examples_run_and_pass(tmp_path: Path):
    import re

    from tonekit.regression import run_cases

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Behaviour cases.*?```json\n(.*?)```", readme, flags=re.S).group(1)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(block, encoding="utf-8")
    report = run_cases(cases)
    assert report.passed and len(report.results) == 4
