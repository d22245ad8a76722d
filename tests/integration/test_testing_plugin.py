"""The pytest plugin: a user's own suite checks a lexicon in one line, failures per case."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

GOOD = {"name": "imbecile is hostile", "text": "Abe is none other than a perfect imbecile. (constructed)",
        "expect": [{"metric": "hostility", "op": ">=", "value": 0.5},
                   {"marker": {"category": "insult", "modifier": "intensifier"}}]}
WRONG = {"name": "condolence wrongly expected hostile",
         "text": "We express our deepest condolences to the bereaved families. (constructed)",
         "expect": {"metric": "hostility", "op": ">=", "value": 0.5}}


def _case_file(pytester: pytest.Pytester, name: str, cases: list[dict]) -> None:
    (pytester.path / name).write_text("\n".join(json.dumps(c) for c in cases) + "\n", encoding="utf-8")


def test_plugin_is_registered_through_the_pytest11_entry_point():
    assert "tonekit.testing" in {ep.value for ep in entry_points(group="pytest11")}


def test_assert_cases_names_the_failing_case_inside_pytest(pytester: pytest.Pytester):
    _case_file(pytester, "lexicon_cases.jsonl", [GOOD, WRONG])
    pytester.makepyfile(
        test_user="""
        from tonekit.testing import assert_cases

        def test_lexicon_cases():
            assert_cases("lexicon_cases.jsonl")

        def test_fixture(tonekit_cases, tonekit_lexicon):
            assert tonekit_lexicon.name == "diplomatic-en"
            tonekit_cases("lexicon_cases.jsonl")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*1 of 2 behaviour cases failed*",
        "*lexicon_cases.jsonl:2: condolence wrongly expected hostile [[]mft[]] FAILED: expected hostility >= 0.5; measured hostility 0.000*",
    ])
    assert "imbecile is hostile [" not in result.stdout.str()


def test_case_files_are_collected_one_item_per_case(pytester: pytest.Pytester):
    xfail = {**WRONG, "name": "known gap", "xfail": "documented limitation"}
    _case_file(pytester, "mine.cases.jsonl", [GOOD, WRONG, xfail])
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, xfailed=1)
    result.stdout.fnmatch_lines([
        "*mine.cases.jsonl::imbecile is hostile PASSED*",
        "*mine.cases.jsonl::condolence wrongly expected hostile FAILED*",
        "*mine.cases.jsonl:2: condolence wrongly expected hostile [[]mft[]] FAILED: expected hostility >= 0.5*",
    ])


def test_lexicon_option_selects_the_lexicon_under_test(pytester: pytest.Pytester):
    from tonekit.lexicon import Lexicon

    lex = Lexicon.default()
    # A copy in which "imbecile" is no longer an entry: the case must now fail.
    lex.replace(entries=tuple(e for e in lex if e.term != "imbecile"), name="trimmed").to_csv(pytester.path / "trimmed.csv")
    _case_file(pytester, "mine.cases.jsonl", [GOOD])
    assert pytester.runpytest("-p", "no:cacheprovider").ret == 0
    result = pytester.runpytest("-p", "no:cacheprovider", "--tonekit-lexicon", "trimmed.csv")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*imbecile is hostile*FAILED*0 matching*"])


def test_assert_matches_snapshot_lists_each_drifted_document(pytester: pytest.Pytester):
    import pandas as pd

    pd.DataFrame({"id": ["a", "b"], "text": ["Abe is an idiot. (constructed)", "We thank you. (constructed)"]}).to_csv(
        pytester.path / "corpus.csv", index=False)
    pytester.makepyfile(
        test_snap="""
        import pandas as pd
        from tonekit.regression import snapshot
        from tonekit.testing import assert_matches_snapshot

        def test_drift():
            golden = snapshot("corpus.csv")
            golden.loc[golden["id"] == "a", "hostility"] = 0.0
            assert_matches_snapshot("corpus.csv", golden)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*scores differ from the snapshot*", "*drifted a: hostility 0.0000 -> *"])
    assert "drifted b" not in result.stdout.str()


def test_a_case_file_named_after_a_bundled_lexicon_of_another_language_runs_against_it(pytester: pytest.Pytester):
    pytest.importorskip("kiwipiepy")
    korean = {"name": "conjugated threat (constructed)", "text": "침략자들을 섬멸할것이다.",
              "expect": [{"marker": {"category": "threat", "term": "섬멸하다"}}]}
    _case_file(pytester, "diplomatic-ko.cases.jsonl", [korean])
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
