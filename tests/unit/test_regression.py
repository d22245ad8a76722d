"""Lexicon diff, snapshots and behaviour cases (tonekit.regression), and the bundled
lexicon guarded by its own case file and corpus snapshot."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tonekit
from tonekit import corpora
from tonekit.lexicon import Lexicon
from tonekit.regression import (
    CaseFileError,
    diff,
    check,
    entry_changes,
    load_cases,
    marker_drifts,
    run_case,
    run_cases,
    parse_cases,
    snapshot,
)
from tonekit.testing import assert_cases, assert_matches_snapshot

TESTS = Path(__file__).resolve().parents[1]
CASES = TESTS / "cases" / "diplomatic-en.jsonl"
# After an intended lexicon or scoring change, review `tonekit lexicon diff` and refresh with:
#     tonekit snapshot dprk_japan -o tests/snapshots/dprk_japan.csv
SNAPSHOT = TESTS / "snapshots" / "dprk_japan.csv"


def reweighted(lexicon: Lexicon, term: str, weight: float) -> Lexicon:
    return lexicon.replace(entries=tuple(replace(e, weight=weight) if e.term == term else e for e in lexicon))


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return corpora.load("dprk_japan")


@pytest.fixture(scope="module")
def default() -> Lexicon:
    return Lexicon.default()


# -- the bundled lexicon is guarded -----------------------------------------------------------


def test_bundled_lexicon_passes_its_behaviour_cases():
    report = assert_cases(CASES)
    assert len(load_cases(CASES)) >= 150
    assert report.counts()["passed"] >= 150


def test_case_file_covers_each_capability_and_labels_its_sources(corpus):
    cases = load_cases(CASES)
    kinds = {c.kind for c in cases}
    assert kinds == {"mft", "invariance", "directional"}
    names = " ".join(c.name for c in cases)
    for capability in ("negation", "intensifier", "downtoner", "contrast", "scare quotes", "so-called",
                       "multiword", "name invariance", "courtesy formula", "lemma"):
        assert capability in names, capability
    texts = dict(zip(corpus["id"], corpus["text"]))
    for case in cases:
        assert case.source == "constructed" or case.source.startswith("corpus:dprk_japan/"), case.name
        if case.source.startswith("corpus:"):
            # Corpus excerpts are quoted exactly from their statement.
            assert case.text in texts[case.source.split("/", 1)[1]], case.name


def test_bundled_corpus_matches_its_snapshot():
    assert_matches_snapshot("dprk_japan", SNAPSHOT, tolerance=0.01)
    golden = pd.read_csv(SNAPSHOT)
    assert golden["lexicon"].unique().tolist() == [Lexicon.default().label]


# -- diff -------------------------------------------------------------------------------------


def test_entry_changes_classify_added_removed_relabelled_reweighted(default):
    entries = {e.term: e for e in default}
    changed = [e for e in default if e.term not in ("stooge", "puppet", "condemn")]
    changed.append(replace(entries["puppet"], category="insult"))
    changed.append(replace(entries["condemn"], weight=3.0))
    changed.append(replace(entries["stooge"], term="marionette"))
    new = default.replace(entries=tuple(changed))
    kinds = {(c.kind, c.term) for c in entry_changes(default, new)}
    assert kinds == {("removed", "stooge"), ("relabelled", "puppet"), ("reweighted", "condemn"), ("added", "marionette")}
    report = diff(default, new)
    assert [c.term for c in report.reweighted] == ["condemn"]
    assert report.n_documents is None and report.documents == ()
    text = report.to_text()
    assert "~ 'condemn' weight 2 -> 3" in text and "hostility/epithet -> hostility/insult" in text
    assert "documents:" not in text


def test_diff_lists_exactly_the_documents_containing_the_reweighted_term(default, corpus):
    new = reweighted(default, "war criminal", 1.0)
    report = tonekit.regression.diff(default, new, corpus=corpus)
    containing = {
        doc_id
        for doc_id, text in zip(corpus["id"], corpus["text"])
        if any(m.term == "war criminal" for m in tonekit.score(text).markers)
    }
    assert containing and {d.id for d in report.documents} == containing
    sizes = [d.size for d in report.documents]
    assert sizes == sorted(sizes, reverse=True)
    for d in report.documents:
        assert d.delta("hostility") < 0 and d.delta("courtesy") == 0
        assert d.markers and all(m.term == "war criminal" and m.new_weight < m.old_weight for m in d.markers)
        text = corpus.set_index("id").at[d.id, "text"]
        assert all(text[m.start_char : m.end_char].lower().startswith("war criminal") for m in d.markers)
    assert report.summary["documents_changed"] == len(containing)
    assert report.summary["largest_change"]["id"] == report.documents[0].id


def test_lexicon_diff_is_the_entries_part_and_points_to_the_corpus_diff(default, corpus):
    new = reweighted(default, "war criminal", 1.0)
    entries = tonekit.lexicon.diff(default, new)
    assert [c.term for c in entries.reweighted] == ["war criminal"]
    assert entries.to_text() == diff(default, new).to_text()
    assert entries.to_markdown() == diff(default, new).to_markdown()
    with pytest.raises(TypeError, match=r"tonekit\.regression\.diff"):
        tonekit.lexicon.diff(default, new, corpus=corpus)
    with pytest.raises(TypeError, match=r"tonekit\.regression\.diff"):
        tonekit.lexicon.diff(default, new, group="era")


def test_diff_group_summary_is_the_mean_change_per_group(default, corpus):
    new = reweighted(default, "reactionary", 3.0)
    report = diff(default, new, corpus=corpus, group="era")
    by_group = {g["group"]: g for g in report.group_summary}
    assert sum(g["documents"] for g in by_group.values()) == len(corpus)
    frame = report.documents_frame()
    for era, g in by_group.items():
        ids = set(corpus.loc[corpus["era"].astype(str) == era, "id"])
        moved = frame[frame["id"].isin(ids)]
        assert g["changed"] == len(moved)
        assert g["mean_d_hostility"] == pytest.approx(moved["d_hostility"].sum() / g["documents"])
    markdown = report.to_markdown()
    assert "| document | era | hostility |" in markdown and "**Mean change by era:**" in markdown
    data = json.loads(report.to_json())
    assert data["summary"]["entries_reweighted"] == 1 and len(data["documents"]) == len(report.documents)


def test_diff_relabel_shows_old_and_new_marker_and_escapes_markdown(default):
    entries = tuple(replace(e, category="insult") if e.term == "puppet" else e for e in default)
    df = pd.DataFrame({"id": ["a|b", "c"], "text": ["They are puppets of Washington.", "We welcome the talks."]})
    report = diff(default, default.replace(entries=entries), corpus=df)
    assert [d.id for d in report.documents] == ["a|b"]
    (doc,) = report.documents
    assert {(m.category, m.old_weight, m.new_weight) for m in doc.markers} == {("epithet", 2.0, 0.0), ("insult", 0.0, 2.0)}
    assert "`a\\|b`" in report.to_markdown()


def test_diff_markdown_escapes_the_group_column_and_lexicon_labels(default):
    new = default.replace(
        version="<img src=x onerror=alert(1)>|2",
        entries=tuple(e for e in default if e.term != "puppet"),
    )
    df = pd.DataFrame({"id": ["d1"], "desk|<b>x</b>": ["Tokyo"], "text": ["Abe is a puppet of Washington."]})
    markdown = diff(default, new, corpus=df, group="desk|<b>x</b>").to_markdown()
    assert "<b>" not in markdown and "<img" not in markdown
    version = tonekit.Lexicon.default().version
    assert markdown.startswith(f"### Lexicon diff `diplomatic-en@{version}` → `diplomatic-en@&lt;img src=x onerror=alert(1)&gt;\\|2`")
    # The header keeps its six columns: the pipe inside the group name is escaped.
    assert "| document | desk\\|&lt;b&gt;x&lt;/b&gt; | hostility | courtesy | tone | markers responsible |" in markdown


def test_diff_shows_the_exact_weights_of_a_small_reweighting(default):
    report = diff(default, reweighted(default, "puppet", 2.0000001))
    assert report.entries[0].describe() == "~ 'puppet' weight 2 -> 2.0000001"
    assert "| reweighted | puppet | hostility/epithet 2 (lemma) | hostility/epithet 2.0000001 (lemma) |" in report.to_markdown()


def test_diff_rejects_a_corpus_without_the_text_column(default):
    with pytest.raises(ValueError, match="no 'body' column"):
        diff(default, default, corpus=pd.DataFrame({"id": ["1"], "text": ["x"]}), text="body")


# -- snapshots --------------------------------------------------------------------------------


def test_snapshot_records_scores_lexicon_and_version(corpus):
    golden = snapshot(corpus)
    assert len(golden) == len(corpus) and list(golden["id"]) == list(corpus["id"])
    assert set(golden["lexicon"]) == {tonekit.Lexicon.default().label}
    assert set(golden["tonekit_version"]) == {tonekit.__version__}
    first = tonekit.score(corpus["text"].iloc[0])
    assert golden["hostility"].iloc[0] == pytest.approx(first.hostility)


def test_check_reports_drift_added_and_missing(default, corpus, tmp_path):
    golden = snapshot(corpus)
    assert check(corpus, golden).passed
    new = reweighted(default, "war criminal", 1.0)
    report = check(corpus, golden, lexicon=new)
    assert not report.passed and report.drifted
    assert {d.id for d in report.drifted} == {d.id for d in diff(default, new, corpus=corpus).documents}
    assert f"drifted {report.drifted[0].id}:" in str(report)

    path = tmp_path / "golden.csv"
    golden.iloc[1:].to_csv(path, index=False)
    fewer = corpus.iloc[:-1]
    report = check(fewer, path)
    assert report.added == (corpus["id"].iloc[0],) and report.missing == (corpus["id"].iloc[-1],)
    assert not report.drifted
    text = str(report)
    assert f"added {corpus['id'].iloc[0]}" in text and f"missing {corpus['id'].iloc[-1]}" in text


def test_check_tolerance(corpus):
    golden = snapshot(corpus.iloc[:3])
    nudged = golden.assign(hostility=golden["hostility"] + 0.005)
    assert check(corpus.iloc[:3], nudged, tolerance=0.01).passed
    report = check(corpus.iloc[:3], nudged, tolerance=0.001)
    assert len(report.drifted) == 3
    with pytest.raises(ValueError, match="tolerance"):
        check(corpus.iloc[:3], golden, tolerance=-1)


PUPPETS = pd.DataFrame({"id": ["hostile", "calm"],
                        "text": ["The puppets and traitors will pay dearly for this.", "We thank you. (constructed)"]})


def test_check_sees_a_reweighted_marker_where_scores_saturate(default, tmp_path):
    golden = snapshot(PUPPETS)
    assert json.loads(golden["markers"].iloc[1]) == [["thank you", "gratitude", 2.0]]
    puppet = next(e for e in default if e.term == "puppet")
    lighter = reweighted(default, "puppet", puppet.weight / 3)
    # The saturated score hardly moves: a score tolerance alone would pass.
    assert abs(snapshot(PUPPETS, lighter)["hostility"].iloc[0] - golden["hostility"].iloc[0]) < 0.01
    report = check(PUPPETS, golden, tolerance=0.01, lexicon=lighter)
    assert not report.passed and [d.id for d in report.drifted] == ["hostile"]
    [change] = report.drifted[0].markers
    assert (change.change, change.term, change.category) == ("reweighted", "puppet", "epithet")
    assert change.old_weight == puppet.weight and change.new_weight == pytest.approx(puppet.weight / 3)
    assert "markers: reweighted 'puppet' (epithet)" in str(report) and "hostility_rate" in str(report)
    assert report.to_dict()["drifted"][0]["markers"][0]["change"] == "reweighted"
    # The rates alone catch it too, in a snapshot written without markers (still read).
    path = tmp_path / "old.csv"
    golden.drop(columns=["markers"]).to_csv(path, index=False)
    old = check(PUPPETS, path, tolerance=0.01, lexicon=lighter)
    assert not old.markers_checked and [d.id for d in old.drifted] == ["hostile"] and "older format" in str(old)
    assert check(PUPPETS, path, tolerance=0).passed
    assert check(PUPPETS, path, tolerance=0.01, lexicon=lighter, rate_tolerance=20).passed


def test_check_names_markers_added_and_removed(default):
    golden = snapshot(PUPPETS)
    without = default.replace(entries=tuple(e for e in default if e.term != "traitor"))
    report = check(PUPPETS, golden, tolerance=1, lexicon=without)  # scores may move freely
    [drift] = report.drifted
    assert [(m.change, m.term) for m in drift.markers] == [("removed", "traitor")]
    report = check(PUPPETS, snapshot(PUPPETS, without), tolerance=1, rate_tolerance=1e9)
    assert [(m.change, m.term) for m in report.drifted[0].markers] == [("added", "traitor")]
    assert "added 'traitor' (epithet)" in report.drifted[0].describe()


def test_marker_drifts_pair_reweighted_repeats_and_keep_the_rest():
    old = [("puppet", "epithet", 2.0), ("puppet", "epithet", 2.0), ("idiot", "insult", 3.0)]
    new = [("puppet", "epithet", 2.0), ("puppet", "epithet", 1.0), ("puppet", "epithet", 1.0)]
    assert [(d.change, d.term, d.old_weight, d.new_weight) for d in marker_drifts(old, new)] == [
        ("removed", "idiot", 3.0, None), ("reweighted", "puppet", 2.0, 1.0), ("added", "puppet", None, 1.0)]
    assert marker_drifts(old, list(reversed(old))) == ()


def test_check_rejects_a_snapshot_with_a_bad_markers_cell(tmp_path):
    path = tmp_path / "bad.csv"
    snapshot(PUPPETS).assign(markers=["[[1]]", "[]"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="line 2, field 'markers'"):
        check(PUPPETS, path)


def test_check_rejects_a_file_that_is_not_a_snapshot(corpus, tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"id": ["x"], "score": [1]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="missing column.*hostility"):
        check(corpus, path)


# -- behaviour cases --------------------------------------------------------------------------


def test_minimum_functionality_expectations():
    report = run_cases(
        [
            {"name": "imbecile", "kind": "mft", "text": "Abe is a perfect imbecile.",
             "expect": [{"metric": "hostility", "op": ">=", "value": 0.5},
                        {"marker": {"category": "insult", "modifier": "intensifier"}},
                        {"no_marker": {"dimension": "courtesy"}}]},
            {"name": "wrong", "kind": "mft", "text": "We express our deepest condolences.",
             "expect": [{"metric": "hostility", "op": ">=", "value": 0.5}]},
            {"name": "insult rate", "kind": "mft", "text": "Abe is an idiot.",
             "expect": {"metric": "insult", "op": ">", "value": 10}},
        ]
    )
    assert [r.passed for r in report.results] == [True, False, True]
    failure = report.failures[0]
    assert failure.name == "wrong" and failure.expectation == "hostility >= 0.5"
    assert failure.measured.startswith("hostility 0.000") and "condolence" in failure.measured
    assert "wrong [mft] FAILED: expected hostility >= 0.5; measured hostility 0.000" in str(report)


def test_invariance_detects_length_dependence_and_templates_expand():
    base = {"kind": "invariance", "template": "{name} is a political dwarf.", "metrics": ["hostility"]}
    same = run_cases([{**base, "name": "single tokens", "values": {"name": ["Abe", "Suga", "Yoon"]}}])
    assert same.passed and "over 3 variants" in same.results[0].expectation
    # A two-token name changes the length and therefore the density: not invariant at tolerance 0.
    longer = run_cases([{**base, "name": "full name", "values": {"name": ["Abe", "Shinzo Abe"]}}])
    assert not longer.passed and "'Shinzo Abe is a political dwarf.'" in longer.results[0].measured
    tolerant = run_cases([{**base, "name": "full name", "values": {"name": ["Abe", "Shinzo Abe"]}, "tolerance": 0.05}])
    assert tolerant.passed
    expanded = run_cases([{"name": "each", "kind": "mft", "template": "{a} condemns {b}.",
                           "values": {"a": ["Japan", "Korea"], "b": ["it", "them", "this"]},
                           "expect": {"marker": {"term": "condemn"}}}])
    assert [r.name for r in expanded.results] == [f"each[{i}]" for i in range(6)]


def test_directional_cases():
    up = {"name": "excellency", "kind": "directional", "text": "We express sympathy.",
          "transform": {"insert": "Your Excellency, "}, "expect": {"metric": "courtesy", "direction": "up"}}
    down = {"name": "negate", "kind": "directional", "text": "This is a provocation.",
            "transform": {"replace": {"is a": "is not a"}}, "expect": {"metric": "hostility", "direction": "down"}}
    wrong = {"name": "wrong way", "kind": "directional", "text": "This is a provocation.",
             "transform": {"text": "This is not a provocation."}, "expect": {"metric": "hostility", "direction": "up"}}
    report = run_cases([up, down, wrong])
    assert [r.passed for r in report.results] == [True, True, False]
    before = tonekit.score("This is a provocation.").hostility
    assert report.results[2].measured.startswith(f"hostility {before:.3f} -> 0.000")


def test_xfail_is_strict():
    case = {"name": "known gap", "kind": "mft", "text": "Retaliation is not what the ministry seeks.",
            "expect": {"metric": "hostility", "op": "==", "value": 0.0}, "xfail": "negation scope"}
    report = run_cases([case])
    assert report.passed and report.results[0].status == "xfailed"
    fixed = run_cases([{**case, "text": "The ministry does not seek anything."}])
    assert not fixed.passed and fixed.results[0].status == "xpassed"


def test_case_file_problems_are_reported_with_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps({"name": "ok", "text": "Hello.", "expect": {"metric": "courtesy", "op": ">", "value": 0}}),
        "{not json",
        json.dumps({"name": "bad op", "text": "x", "expect": {"metric": "hostility", "op": "__import__('os')", "value": 1}}),
        json.dumps({"name": "bad kind", "kind": "vibes", "text": "x"}),
        json.dumps({"name": "hole", "kind": "invariance", "template": "{name} and {place}", "values": {"name": ["A"]}}),
        json.dumps({"name": "ok", "text": "Hello.", "expect": {"metric": "courtesy", "op": ">", "value": 0}}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CaseFileError) as err:
        load_cases(path)
    problems = "\n".join(err.value.problems)
    assert "bad.jsonl, line 2: invalid JSON" in problems
    assert "line 3, field 'expect[0].op'" in problems
    assert "line 4, field 'kind'" in problems
    assert "line 5, field 'template': placeholder(s) without values: place" in problems
    assert "line 6, field 'name': duplicate case name 'ok'" in problems


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        ({"name": "x", "text": "y", "expect": {"metric": "hostility", "op": ">", "value": 0}, "expct": 1},
         "expct", "unknown field"),
        ({"name": "x", "text": "y", "expect": {"marker": {"categry": "insult"}}}, "expect[0].marker.categry", "unknown field"),
        ({"name": "x", "text": "y", "expect": {"metric": "hostility", "op": ">", "value": "0.5"}},
         "expect[0].value", "must be a number, got '0.5'"),
        ({"name": "x", "text": "y", "expect": {"count": 1}}, "expect[0]", "needs 'metric'"),
        ({"name": "x", "kind": "dir", "text": "y", "expect": {"metric": "hostility", "direction": "up"}},
         "transform", "missing"),
        ({"name": "x", "kind": "dir", "text": "y", "transform": {"insert": "z", "at": "middle"},
          "expect": {"metric": "hostility", "direction": "up"}}, "transform.at", "must be 'start' or 'end'"),
        ({"name": "x", "kind": "invariance", "template": "{a}", "values": {"a": []}}, "values.a", "must not be empty"),
        ({"name": "x", "text": "y", "expect": {"marker": {}}, "tolerance": -0.1}, "tolerance", "greater than or equal to 0"),
    ],
)
def test_case_schema_problems_name_the_field(record, field, message):
    with pytest.raises(CaseFileError) as err:
        parse_cases([(3, record)], "c.jsonl")
    (problem,) = err.value.problems
    assert problem.startswith(f"c.jsonl, line 3, field {field!r}: ") and message in problem


def test_unknown_metric_is_an_error_not_a_silent_zero():
    with pytest.raises(CaseFileError, match="unknown metric 'rudeness'"):
        run_cases([{"name": "x", "text": "Abe is an idiot.", "expect": {"metric": "rudeness", "op": ">", "value": 0}}])


def test_yaml_case_file(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(
        "cases:\n"
        "  - name: perfect imbecile\n"
        "    text: Abe is a perfect imbecile.\n"
        "    expect:\n"
        "      - marker: {category: insult, modifier: intensifier}\n"
        "  - name: wrongly courteous\n"
        "    text: Abe is a perfect imbecile.\n"
        "    expect: {metric: courtesy, op: '>=', value: 0.5}\n",
        encoding="utf-8",
    )
    report = run_cases(path)
    assert [r.passed for r in report.results] == [True, False]
    assert report.failures[0].where == "cases.yaml:6"


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_one_result_per_case(text):
    (case,) = parse_cases([{"name": "any", "text": text, "expect": [{"metric": "tone", "op": "<=", "value": 1},
                                                                      {"no_marker": {"category": "nonexistent"}}]}])
    (result,) = run_case(case)
    assert result.passed
