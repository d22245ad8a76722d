"""``tonekit lexicon validate|diff``, ``tonekit snapshot``, ``tonekit check``, ``tonekit cases run``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import tonekit
from tonekit import corpora
from tonekit.cli import main
from tonekit.lexicon import Lexicon

DEFAULT = Lexicon.default()

BUNDLED = Path(tonekit.__file__).parent / "data" / "lexicons" / "diplomatic-en.csv"
TERM = "war criminal"


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    # A frozen copy, so the test does not depend on later edits of the bundled corpus.
    path = tmp_path_factory.mktemp("corpus") / "statements.csv"
    corpora.load("dprk_japan", era=False).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def reweighted(tmp_path_factory) -> Path:
    lex = Lexicon.default()
    new = lex.replace(
        version=f"{DEFAULT.version}-reweighted",
        entries=tuple(replace(e, weight=1.0) if e.term == TERM else e for e in lex),
    )
    return new.to_csv(tmp_path_factory.mktemp("lexicon") / "diplomatic-en.csv")


def containing(corpus_file: Path, term: str) -> set[str]:
    df = pd.read_csv(corpus_file)
    return {i for i, t in zip(df["id"], df["text"]) if any(m.term == term for m in tonekit.score(t).markers)}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- acceptance: a reweighted entry --------------------------------------------------------------


def test_diff_and_check_name_exactly_the_documents_with_the_reweighted_term(capsys, tmp_path, corpus_file, reweighted):
    expected = containing(corpus_file, TERM)
    assert expected

    code, out, _ = run(capsys, "lexicon", "diff", "diplomatic-en", str(reweighted), "--corpus", str(corpus_file),
                       "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert [e["term"] for e in report["entries"]] == [TERM] and report["entries"][0]["kind"] == "reweighted"
    assert {d["id"] for d in report["documents"]} == expected
    assert all(m["term"] == TERM for d in report["documents"] for m in d["markers"])

    code, text, _ = run(capsys, "lexicon", "diff", "diplomatic-en", str(reweighted), "--corpus", str(corpus_file),
                        "--top", "0")
    assert f"documents: {len(expected)} of " in text and all(doc_id in text for doc_id in expected)

    golden = tmp_path / "golden.csv"
    assert run(capsys, "snapshot", str(corpus_file), "-o", str(golden))[0] == 0
    assert run(capsys, "check", str(corpus_file), "--golden", str(golden))[0] == 0
    code, out, _ = run(capsys, "check", str(corpus_file), "--golden", str(golden), "--lexicon", str(reweighted))
    assert code == 1
    drifted = {line.split()[1].rstrip(":") for line in out.splitlines() if line.strip().startswith("drifted ")}
    assert drifted == expected
    assert f"lexicon: snapshot {DEFAULT.label}, now {DEFAULT.name}@{DEFAULT.version}-reweighted" in out


def test_diff_markdown_groups_and_top(capsys, corpus_file, reweighted):
    df = pd.read_csv(corpus_file)
    df["outlet_group"] = df["outlet"]
    grouped = corpus_file.with_name("grouped.csv")
    df.to_csv(grouped, index=False)
    code, out, _ = run(capsys, "lexicon", "diff", "diplomatic-en", str(reweighted), "--corpus", str(grouped),
                       "--group", "outlet_group", "--format", "markdown", "--top", "2")
    assert code == 0
    assert out.startswith(f"### Lexicon diff `{DEFAULT.label}` → `{DEFAULT.name}@{DEFAULT.version}-reweighted`")
    assert "| reweighted | war criminal | hostility/epithet 3 (lemma) | hostility/epithet 1 (lemma) |" in out
    assert "**Mean change by outlet_group:**" in out
    assert out.count("| `dprkjp-") == 2 and "more document(s)" in out


# -- acceptance: validate ------------------------------------------------------------------------


def test_validate_reports_duplicate_conflict_and_unknown_category_with_lines(capsys, tmp_path):
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    puppet_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("puppet,"))
    lines += ["puppet,hostility,insult,1,lemma,conflicting duplicate", "marionette,hostility,frobnication,2,lemma,"]
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text(BUNDLED.with_suffix(".json").read_text(encoding="utf-8"), encoding="utf-8")
    n = len(lines)

    code, out, _ = run(capsys, "lexicon", "validate", str(path))
    assert code == 1
    assert f"broken.csv, line {n - 1}, field 'term': 'puppet' conflicts with line {puppet_line}" in out
    assert f"broken.csv, line {n}, field 'category': unknown category 'frobnication'" in out

    code, out, _ = run(capsys, "lexicon", "validate", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert {(p["line"], p["field"]) for p in data["problems"]} == {(n - 1, "term"), (n, "category")}


def test_validate_ok_and_usage_errors(capsys, tmp_path):
    code, out, _ = run(capsys, "lexicon", "validate", str(BUNDLED))
    assert code == 0 and out.startswith(f"OK {DEFAULT.label}")
    code, _, err = run(capsys, "lexicon", "validate", str(tmp_path / "absent.csv"))
    assert code == 2 and "no such lexicon file" in err


# -- cases and snapshots -------------------------------------------------------------------------


def test_cases_run_names_the_wrong_expectation(capsys, tmp_path):
    path = tmp_path / "mine.jsonl"
    cases = [
        {"name": "dwarf is hostile", "text": "Abe is a political dwarf. (constructed)",
         "expect": {"metric": "hostility", "op": ">=", "value": 0.5}},
        {"name": "dwarf is courteous", "text": "Abe is a political dwarf. (constructed)",
         "expect": {"metric": "courtesy", "op": ">=", "value": 0.5}},
    ]
    path.write_text("\n".join(json.dumps(c) for c in cases) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "cases", "run", str(path))
    assert code == 1
    assert f"2 cases [{DEFAULT.label}]: 1 passed, 1 failed" in out
    assert "mine.jsonl:2: dwarf is courteous [mft] FAILED: expected courtesy >= 0.5; measured courtesy 0.000" in out
    assert "dwarf is hostile" not in out

    code, out, _ = run(capsys, "cases", "run", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 1 and [r["status"] for r in data["results"]] == ["passed", "failed"]

    path.write_text(json.dumps(cases[0]) + "\n", encoding="utf-8")
    assert run(capsys, "cases", "run", str(path))[0] == 0


def test_cases_run_usage_errors(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "x", "kind": "mft", "text": "x", "expect": {"metric": "hostility", "op": "=~", "value": 1}}\n')
    code, _, err = run(capsys, "cases", "run", str(bad))
    assert code == 2 and "bad.jsonl, line 1, field 'expect[0].op'" in err
    assert run(capsys, "cases", "run", str(tmp_path / "absent.jsonl"))[0] == 2


def test_check_reports_added_and_missing_and_usage_errors(capsys, tmp_path, corpus_file):
    golden = tmp_path / "golden.csv"
    assert run(capsys, "snapshot", str(corpus_file), "-o", str(golden))[0] == 0
    df = pd.read_csv(corpus_file)
    changed = tmp_path / "changed.csv"
    pd.concat([df.iloc[1:], pd.DataFrame({"id": ["new-1"], "text": ["We condemn it. (constructed)"]})]).to_csv(
        changed, index=False)
    code, out, _ = run(capsys, "check", str(changed), "--golden", str(golden), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["added"] == ["new-1"] and data["missing"] == [df["id"].iloc[0]]
    assert run(capsys, "check", str(changed), "--golden", str(tmp_path / "none.csv"))[0] == 2
    assert run(capsys, "check", "no_such_corpus", "--golden", str(golden))[0] == 2
    code, out, _ = run(capsys, "snapshot", "dprk_japan", "-o", "-")
    assert code == 0 and out.startswith("id,hostility,courtesy,tone,")


def test_check_fails_on_a_reweighted_marker_in_a_saturated_document(capsys, tmp_path):
    corpus = tmp_path / "puppets.csv"
    text = "The puppets and traitors will pay dearly for this."
    pd.DataFrame({"id": ["p1"], "text": [text]}).to_csv(corpus, index=False)
    lighter = DEFAULT.replace(
        version=f"{DEFAULT.version}-puppet",
        entries=tuple(replace(e, weight=e.weight / 3) if e.term == "puppet" else e for e in DEFAULT),
    ).to_csv(tmp_path / "diplomatic-en.csv")
    golden = tmp_path / "golden.csv"
    assert run(capsys, "snapshot", str(corpus), "-o", str(golden))[0] == 0
    assert "markers" in pd.read_csv(golden).columns
    code, out, _ = run(capsys, "check", str(corpus), "--golden", str(golden), "--tolerance", "0.01",
                       "--lexicon", str(lighter))
    assert code == 1 and "drifted p1:" in out and "markers: reweighted 'puppet' (epithet)" in out
    code, out, _ = run(capsys, "check", str(corpus), "--golden", str(golden), "--lexicon", str(lighter),
                       "--format", "json")
    [drift] = json.loads(out)["drifted"]
    assert code == 1 and [(m["change"], m["term"]) for m in drift["markers"]] == [("reweighted", "puppet")]
