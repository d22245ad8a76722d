"""Korean and Japanese: pipelines chosen by the lexicon's language, their lexicons, the
language guard and the per-row lexicons of a multilingual corpus. Texts are constructed."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import tonekit
from tonekit.lexicon import bundled
from tonekit.pipeline import languages
from tonekit.pipeline.languages import LanguageMismatchWarning, MissingExtra, korean_tokens, script_mismatch
from tonekit.regression import run_cases

CASES = Path(__file__).resolve().parents[1] / "cases"

pytest.importorskip("kiwipiepy")
pytest.importorskip("sudachipy")


@pytest.fixture(scope="module")
def ko():
    return tonekit.load(lexicon="diplomatic-ko")


@pytest.fixture(scope="module")
def ja():
    return tonekit.load(lexicon="diplomatic-ja")


def markers(text, nlp):
    return tonekit.score(text, nlp=nlp).markers


# -- the pipelines ------------------------------------------------------------------------------


def test_the_lexicon_language_chooses_the_tokenizer(ko, ja):
    assert ko.lang == "ko" and type(ko.tokenizer).__name__ == "KoreanTokenizer"
    assert ja.lang == "ja" and type(ja.tokenizer).__name__ == "JapaneseTokenizer"
    assert ko.config["nlp"]["tokenizer"]["@tokenizers"] == languages.KOREAN_TOKENIZER


def test_korean_tokens_are_morphemes_with_stem_lemmas(ko):
    doc = ko.make_doc("괴뢰들은 징벌할것이다")
    assert [t.text for t in doc][:3] == ["괴뢰", "들", "은"]  # particles do not hide the noun
    assert ("할", "하다") in [(t.text, t.lemma_) for t in doc]  # the stem + 다


@pytest.mark.parametrize("text", [
    "  우리는  감사하지 않는다\n\n대화할 의향이 없다 ",
    "괴뢰들은\t무자비한 징벌을 받게 될것이다.",
    "😀 역적이라고 \u200b 했다",
    "《방위》라고 주장하였다",
    "",
])
def test_korean_tokens_rebuild_the_original_text(text):
    words, spaces, _ = korean_tokens(text)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text


def test_korean_conjugated_threat_and_insult_match_their_lemma_entries(ko):
    found = {(m.category, m.term) for m in markers("미친개들을 무자비하게 징벌하고 소멸해버릴것이다.", ko)}
    assert ("threat", "무자비한 징벌") in found
    assert ("threat", "소멸하다") in found
    assert ("dehumanisation", "미친개") in found
    assert ("threat", "섬멸하다") in {(m.category, m.term) for m in markers("침략자들을 섬멸하였다.", ko)}
    assert ("insult", "비열하다") in {(m.category, m.term) for m in markers("그는 비열한 자이다.", ko)}


def test_korean_negated_courtesy_verb_does_not_count(ko):
    negated = tonekit.score("우리는 그들에게 감사하지 않는다.", nlp=ko)
    assert negated.courtesy == 0
    assert negated.markers[0].modifier_kinds == ("negation",)
    assert negated.markers[0].modifiers[0].cue == "않는다"
    assert tonekit.score("우리는 그들에게 감사한다.", nlp=ko).courtesy > 0.5


def test_korean_refused_dialogue_is_hostility(ko):
    r = tonekit.score("일본과 대화할 생각이 없다.", nlp=ko)
    assert r.courtesy == 0 and r.hostility > 0.5
    assert r.markers[0].category == "refusal"


def test_korean_offsets_point_into_the_original_string(ko):
    text = "  우리는\n\n괴뢰들을  강력히 규탄한다. 《방위》를 떠들었다"
    found = markers(text, ko)
    assert len(found) >= 3
    for m in found:
        assert text[m.start_char:m.end_char] == m.text
    assert "괴뢰" in {m.text for m in found}


def test_japanese_protest_formulae_are_hostility_and_condolence_courtesy(ja):
    protest = tonekit.score("今回の発射は極めて遺憾であり、日本政府として厳重に抗議した。", nlp=ja)
    assert protest.hostility > 0.5 and protest.courtesy == 0
    assert {m.category for m in protest.markers} == {"condemnation"}
    condolence = tonekit.score("犠牲者に哀悼の意を表し、ご遺族に心からお悔やみ申し上げます。", nlp=ja)
    assert condolence.courtesy > 0.5 and condolence.hostility == 0
    assert "condolence" in {m.category for m in condolence.markers}


def test_japanese_nai_negation_applies(ja):
    for text in ("我々は彼らに感謝しない。", "彼らに感謝しなかった。", "彼らに感謝しません。"):
        r = tonekit.score(text, nlp=ja)
        assert r.courtesy == 0, text
        assert r.markers[0].modifier_kinds == ("negation",), text
    assert tonekit.score("彼らに感謝します。", nlp=ja).courtesy > 0.5


def test_japanese_offsets_point_into_the_original_string(ja):
    text = "いわゆる「防衛」は、断じて容認できない。"
    for m in markers(text, ja):
        assert text[m.start_char:m.end_char] == m.text


# -- the lexicons -------------------------------------------------------------------------------


def test_lexicons_have_the_english_categories_and_enough_entries():
    en, ko, ja = (bundled(f"diplomatic-{x}") for x in ("en", "ko", "ja"))
    assert (ko.language, ja.language) == ("ko", "ja")
    assert list(ko.categories) == list(en.categories) == list(ja.categories)
    assert len(ko) >= 400 and len(ja) >= 300
    for lex in (ko, ja):
        assert all(e.note.strip() for e in lex)
        assert all("(constructed)" in c.example for c in lex.categories.values())


@pytest.mark.parametrize("name", ["diplomatic-ko", "diplomatic-ja"])
def test_behaviour_cases_of_each_language_pass(name):
    report = run_cases(CASES / f"{name}.jsonl")  # the file names its lexicon
    assert report.lexicon.startswith(name)
    assert report.passed, [r.describe() for r in report.results if not r.passed]
    assert len(report.results) >= 20


def test_cases_command_runs_the_language_cases(capsys):
    from tonekit.cli import main

    assert main(["cases", "run", str(CASES / "diplomatic-ko.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "diplomatic-ko@" in out and "0 failed" in out


# -- optional extras ----------------------------------------------------------------------------


def test_import_tonekit_does_not_import_the_analysers():
    code = "import sys, tonekit; print(sorted(m for m in ('kiwipiepy', 'sudachipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("language, extra", [("ko", "tonekit[ko]"), ("ja", "tonekit[ja]")])
def test_a_missing_analyser_names_the_extra(monkeypatch, language, extra):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(MissingExtra, match=rf"pip install '{extra}'".replace("[", r"\[").replace("]", r"\]")):
        languages.blank(language)


# -- the language guard -------------------------------------------------------------------------


def test_script_mismatch_tells_scripts_and_languages_apart():
    assert script_mismatch("우리는 대화를 원한다", "en") == "Korean script"
    assert script_mismatch("今回の発射は極めて遺憾である", "en") == "Japanese script"
    assert script_mismatch("Le gouvernement a rejeté la proposition de dialogue avec les autorités du pays.", "en")
    assert script_mismatch("We reject the so-called proposal.", "en") is None
    assert script_mismatch("우리는 대화를 원한다", "ko") is None
    assert script_mismatch("今回の発射は極めて遺憾である", "ko") == "Japanese script"
    assert script_mismatch("We reject it and that is final.", "ja") is not None


def test_scoring_korean_text_with_the_english_lexicon_warns_once_per_batch():
    df = pd.DataFrame({"id": list("abcd"), "text": ["우리는 대화를 원한다.", "괴뢰들을 규탄한다.",
                                                   "Abe is a fool.", "日本は遺憾である。"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tonekit.score_corpus(df, progress=False)
    assert [w.category for w in caught].count(LanguageMismatchWarning) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", LanguageMismatchWarning)
        tonekit.score_corpus(df.iloc[[2]], progress=False)  # English text: no warning


def test_score_corpus_picks_the_lexicon_of_each_row_by_lang():
    df = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e"],
        "lang": ["ko", "en", "ja", "fr", "ko"],
        "text": ["괴뢰역적들을 징벌할것이다.", "They are puppets and traitors.", "極めて遺憾であり、厳重に抗議した。",
                 "Le gouvernement a rejeté la proposition.", "심심한 조의를 표합니다."],
    }, index=[10, 11, 10, 12, 13])
    lexicons = {"en": "diplomatic-en", "ko": "diplomatic-ko", "ja": "diplomatic-ja"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", LanguageMismatchWarning)
        out = tonekit.score_corpus(df, lexicon=lexicons, progress=False)
    assert out["id"].tolist() == ["a", "b", "c", "d", "e"]
    assert (out["hostility"].iloc[[0, 1, 2]] > 0.5).all()
    assert out["courtesy"].iloc[4] > 0.5 and out["hostility"].iloc[4] == 0
    assert "no lexicon for language 'fr'" in out["error"].iloc[3]
    assert out["error"].iloc[[0, 1, 2, 4]].isna().all()
    assert str(out["n_markers"].dtype) == "Int64"
    with pytest.raises(ValueError, match="'lang' column"):
        tonekit.score_corpus(df.drop(columns="lang"), lexicon=lexicons, progress=False)


# -- translation effect -------------------------------------------------------------------------


def test_compare_translations_aligns_by_id_and_finds_the_moved_statements():
    en = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "text": ["They are puppets and traitors. (constructed)", "We express deep condolences. (constructed)",
                 "We condemn this provocation. (constructed)", "The meeting began at ten. (constructed)"],
    })
    ko = pd.DataFrame({
        "id": ["d", "c", "b", "a", "z"],
        "text": ["회의는 10시에 시작되였다.", "이 도발을 규탄한다.", "심심한 조의를 표합니다.",
                 "괴뢰역적들을 무자비하게 징벌할것이다.", "대화를 원한다."],
    })
    en_scores = tonekit.score_corpus(en, progress=False)
    ko_scores = tonekit.score_corpus(ko, lexicon="diplomatic-ko", progress=False)
    result = tonekit.compare_translations(en_scores, ko_scores, on="id", languages=("en", "ko"))
    assert isinstance(result, tonekit.TranslationComparison)
    assert result.table["id"].tolist() == ["a", "b", "c", "d"]  # only statements in both
    assert {"hostility_en", "hostility_ko", "courtesy_en", "courtesy_ko", "shift"} <= set(result.table.columns)
    assert result.spearman["hostility"] > 0.7
    assert result.same_sign == 1.0
    assert len(result.moved) == 4 and result.moved["shift"].abs().is_monotonic_decreasing
    first = result.moved.iloc[0]
    moved_a = result.moved.set_index("id").loc["a"]
    assert any("(epithet)" in m for m in moved_a["markers_ko"]) and any("(epithet)" in m for m in moved_a["markers_en"])
    with pytest.raises(Exception):
        result.n = 0  # frozen
    assert first["id"] in {"a", "b", "c", "d"}
    assert "Spearman" in repr(result)
