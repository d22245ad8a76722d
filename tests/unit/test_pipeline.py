"""The spaCy component in tonekit's own pipeline and in user pipelines."""

from __future__ import annotations

import pandas as pd
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

import tonekit
from tonekit.scoring import SCORE_COLUMNS

HOSTILE = "The DPRK will never tolerate the reckless provocations of the Japanese reactionaries."
MIXED = "We thank Your Excellency. The so-called 'apology' of Japan is a shameless deception."


def result_tuple(result):
    return (result.hostility, result.courtesy, result.tone, [m.to_dict() for m in result.markers])


def test_load_builds_the_documented_pipeline(nlp):
    assert nlp.pipe_names == ["sentencizer", "tonekit"]
    assert "lemmatizer" in nlp.component_names  # present, disabled: matching does not need it
    doc = nlp(MIXED)
    assert doc._.tonekit.markers and doc.spans["tonekit"]
    assert {s.label_ for s in doc.spans["tonekit"]} >= {"distancing", "honorific"}


def test_doc_and_sentence_attributes_agree_with_the_result(nlp):
    doc = nlp(MIXED)
    result = doc._.tonekit
    assert doc._.hostility == result.hostility and doc._.markers == result.markers
    sentences = list(doc.sents)
    assert [s._.courtesy for s in sentences] == [s.courtesy for s in result.sentences]
    assert [s._.hostility for s in sentences] == [s.hostility for s in result.sentences]
    assert sentences[1]._.markers and all(m.sentence == 1 for m in sentences[1]._.markers)


def test_component_works_in_a_user_pipeline_with_lemmas():
    user = spacy.blank("en")
    user.add_pipe("lemmatizer", config={"mode": "lookup"})
    user.initialize()
    user.add_pipe("tonekit")
    doc = user("Tokyo's puppets condemned the talks. (constructed)")
    assert doc.has_annotation("LEMMA")
    assert {m.term for m in doc._.markers} >= {"puppet", "condemn"}
    assert doc._.tonekit.sentences  # sentence bounds set by the component when missing


def test_dependency_parse_scopes_negation():
    """A pipeline with a parser: negation follows the dependency tree."""
    nlp = spacy.blank("en")
    component = nlp.add_pipe("tonekit")
    words = ["The", "DPRK", "will", "never", "tolerate", "the", "reckless", "provocations", "."]
    heads = [1, 4, 4, 4, 4, 7, 7, 4, 4]
    deps = ["det", "nsubj", "aux", "neg", "ROOT", "det", "amod", "dobj", "punct"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, sent_starts=[True] + [False] * 8)
    doc = component(doc)
    assert doc._.hostility > 0.5
    assert all("negation" not in m.modifier_kinds for m in doc._.markers)

    words = ["We", "have", "no", "hostile", "intent", "."]
    heads = [1, 1, 4, 4, 1, 1]
    deps = ["nsubj", "ROOT", "det", "amod", "dobj", "punct"]
    doc = component(Doc(nlp.vocab, words=words, heads=heads, deps=deps))
    assert doc._.hostility == 0
    assert doc._.markers[0].modifier_kinds == ("negation",)


def test_to_disk_and_spacy_load_give_identical_scores(tmp_path, nlp):
    custom = tonekit.Lexicon.from_records(
        [{"term": "sea of fire", "dimension": "hostility", "category": "threat", "weight": 3}],
        name="custom",
        categories={"threat": {"dimension": "hostility", "definition": "Threat of violence."}},
    )
    for pipeline in (nlp, tonekit.load(custom)):
        pipeline.to_disk(tmp_path / "model")
        reloaded = spacy.load(tmp_path / "model")
        for text in (HOSTILE, MIXED, "Seoul will turn into a sea of fire. (constructed)"):
            assert result_tuple(reloaded(text)._.tonekit) == result_tuple(pipeline(text)._.tonekit)
        assert reloaded.get_pipe("tonekit").lexicon == pipeline.get_pipe("tonekit").lexicon


def test_a_pipeline_with_a_csv_lexicon_loads_after_the_csv_is_gone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tonekit.Lexicon.default().to_csv("my-lexicon.csv")
    tonekit.load("my-lexicon.csv").to_disk("model")
    (tmp_path / "my-lexicon.csv").unlink()
    reloaded = spacy.load("model")  # the lexicon travels inside the saved pipeline
    assert result_tuple(reloaded(HOSTILE)._.tonekit) == result_tuple(tonekit.score(HOSTILE))


def test_doc_spans_are_set_on_every_doc_and_never_stale(nlp):
    component = nlp.get_pipe("tonekit")
    assert len(nlp(HOSTILE).spans["tonekit"]) > 0
    assert list(nlp("The weather was mild on Tuesday. (constructed)").spans["tonekit"]) == []
    doc = nlp(HOSTILE)
    component.set_lexicon(tonekit.Lexicon.from_records(
        [{"term": "sea of fire", "dimension": "hostility", "category": "threat", "weight": 3}],
        name="custom", categories={"threat": {"dimension": "hostility", "definition": "Threat of violence."}},
    ))
    try:
        assert list(component(doc).spans["tonekit"]) == []  # re-scored with no marker left
    finally:
        component.set_lexicon(tonekit.Lexicon.default())


def test_score_refuses_what_it_cannot_honour(nlp):
    with pytest.raises(ValueError, match="no 'tonekit' component"):
        tonekit.score(HOSTILE, nlp=spacy.blank("en"))
    disabled = tonekit.load()
    disabled.disable_pipe("tonekit")
    with pytest.raises(ValueError, match="disabled"):
        tonekit.score(HOSTILE, nlp=disabled)
    with pytest.raises(ValueError, match="either lexicon= or nlp="):
        tonekit.score(HOSTILE, nlp=nlp, lexicon="diplomatic-en")
    with pytest.raises(ValueError, match=r"unpaired surrogate \\ud800 at character 16"):
        tonekit.score("Abe is a puppet \ud800.")


def test_to_bytes_round_trip(nlp):
    fresh = spacy.blank("en")
    fresh.add_pipe("tonekit", config={"lexicon": ""})
    fresh.get_pipe("tonekit").from_bytes(nlp.get_pipe("tonekit").to_bytes())
    assert result_tuple(fresh(HOSTILE)._.tonekit) == result_tuple(nlp(HOSTILE)._.tonekit)


def row_of(component, scores):
    """A batch row built from Totals: the document columns, then every category's rate."""
    return [*scores[: len(SCORE_COLUMNS)], *(scores.categories.get(c, 0.0) for c in component.lexicon.categories)]


def test_document_totals_equal_the_full_result(nlp):
    """The batch path (tokenizer + matcher, no sentences, no evidence) gives exactly the
    numbers of the full result, modifiers included, on every statement of the corpus."""
    component = nlp.get_pipe("tonekit")
    texts = [
        HOSTILE, MIXED, "We respect you, but you are a puppet. (constructed)", "", "   ",
        *tonekit.corpora.load("dprk_japan", era=False)["text"],
    ]
    for text in texts:
        scores = component.totals(nlp.make_doc(text))
        full = nlp(text)._.tonekit
        expected = {c: getattr(full, c) for c in SCORE_COLUMNS}
        assert dict(zip(SCORE_COLUMNS, scores)) == expected, text[:80]
        assert all(scores.categories.get(c, 0.0) == v for c, v in full.categories.items()), text[:80]


def test_score_docs_gives_the_rows_of_the_totals(nlp):
    """The batch engine's array of rows equals each Doc's totals, bit for bit,
    whichever texts have markers and in whatever order they come."""
    component = nlp.get_pipe("tonekit")
    texts = [
        "", HOSTILE, "The weather was mild on Tuesday. (constructed)", MIXED, "   ",
        *tonekit.corpora.load("dprk_japan", era=False)["text"],
        "Thank you. (constructed)",
    ]
    rows = component.score_docs(nlp.tokenizer.pipe(texts))
    assert rows.shape == (len(texts), len(component.columns))
    for text, row in zip(texts, rows.tolist()):
        assert row == row_of(component, component.totals(nlp.make_doc(text))), text[:80]
    assert rows[2].tolist() == [0.0] * 5 + [len(nlp.make_doc(texts[2])), 0] + [0.0] * (len(rows[2]) - 7)
    assert component.score_docs([]).shape == (0, len(component.columns))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["puppet", "so-called", '"', "not", "but", "also", "very", "never",
                                          "Your Excellency", "thank", ".", ",", ":", "you", "\n", "want", "attack",
                                          "dialogue", "refuse", "is not possible", "called", "'", "we", "they",
                                          "only if", "condemnation", "reduce", "to ashes", "a sea of", "fire",
                                          "tolerate", "wrote", "our"]),
                         max_size=20), max_size=8))
def test_score_docs_rows_match_the_full_results_for_any_cues(nlp, texts):
    texts = [" ".join(words) for words in texts]
    component = nlp.get_pipe("tonekit")
    rows = component.score_docs(nlp.tokenizer.pipe(texts))
    for text, row in zip(texts, rows.tolist()):
        full = nlp(text)._.tonekit
        assert row[: len(SCORE_COLUMNS)] == [getattr(full, c) for c in SCORE_COLUMNS], text
        assert row[len(SCORE_COLUMNS):] == [full.categories[c] for c in component.lexicon.categories], text


def test_bad_input():
    with pytest.raises(TypeError, match="got int: 42"):
        tonekit.score(42)
    for blank in ("", "   ", "\n\t"):
        r = tonekit.score(blank)
        assert (r.hostility, r.courtesy, r.tone, r.markers) == (0, 0, 0, ())


def test_html_like_text_is_scored_as_text():
    r = tonekit.score("<b>Abe</b> is a <script>alert('puppet')</script> political dwarf.")
    assert "political dwarf" in {m.term for m in r.markers}
    assert all(r.text[m.start_char : m.end_char] == m.text for m in r.markers)


def test_text_longer_than_max_length_is_scored_in_pieces():
    nlp = tonekit.load()
    nlp.max_length = 2_000
    paragraph = "The puppet regime must stop its provocations. We thank Your Excellency. (constructed)\n\n"
    text = paragraph * 200
    r = tonekit.score(text, nlp=nlp)
    single = tonekit.score(paragraph)
    assert len(r.markers) == 200 * len(single.markers)
    assert r.n_tokens == 200 * single.n_tokens
    assert all(text[m.start_char : m.end_char] == m.text for m in r.markers)
    tokens = nlp.tokenizer(text)  # token offsets are the whole text's, not a piece's
    assert all(tokens[m.start : m.end].text == m.text for m in r.markers)
    whole = tonekit.score(text)  # the default max_length takes it in one piece
    assert r.hostility == pytest.approx(whole.hostility, abs=1e-3)
    assert r.courtesy == pytest.approx(whole.courtesy, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_scores_without_crashing(text):
    r = tonekit.score(text)
    assert 0 <= r.hostility < 1 and 0 <= r.courtesy < 1 and -1 < r.tone < 1
    assert all(text[m.start_char : m.end_char] == m.text for m in r.markers)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "b", ".", " ", "\n", "\r", "\t", "\x0b", "\x0c", "\x1c", "\x1f",
                                         "\xa0", "\u2003", "\u3000", "\u2028", "é", "'"]), max_size=30))
def test_whitespace_tokens_are_no_tokens_on_every_path(nlp, text):
    doc = nlp.make_doc(text)
    words = sum(not t.is_space for t in doc)
    component = nlp.get_pipe("tonekit")
    assert component.score_docs([doc], [text])[0, SCORE_COLUMNS.index("n_tokens")] == words
    assert nlp(text)._.tonekit.n_tokens == words


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["puppet", "so-called", "'", '"', "not", "but", "Your Excellency", "never",
                                 "thank", ".", "very", "\n", "“", "”", "sea of fire", "no"]), max_size=30))
def test_any_arrangement_of_cues_and_terms_scores(words):
    text = " ".join(words)
    r = tonekit.score(text)
    assert 0 <= r.hostility < 1 and 0 <= r.courtesy < 1
    assert all(m.effective_weight >= 0 for m in r.markers)


FORMAT_CHARACTERS = ["\u202c", "\u200d", "\u200b", "\u00ad", "\u2060", "\ufeff", "\u200e", "\U000e0020"]


@pytest.mark.parametrize("char", FORMAT_CHARACTERS)
@pytest.mark.parametrize("template",
                         ["You idiot{c}.", "You idi{c}ot!", "You {c}idiot", "{c}idiot{c}", "You {c} idiot."])
def test_format_characters_do_not_hide_a_marker(char, template):
    text = template.format(c=char)
    r = tonekit.score(text)
    [marker] = r.markers
    assert marker.term == "idiot" and r.hostility > 0.8, text
    # Offsets point into the text as given, format characters and all.
    assert text[marker.start_char : marker.end_char] == marker.text and "idiot" in marker.text.replace(char, "")


def test_format_characters_are_ignored_in_any_pipeline_and_on_the_batch_path():
    text = ("The pup\u00adpets and trai\u200btors will pay dearly\u202c. "
            "We thank Your\u2060 Excellency\u200b. (constructed)")
    expected = {"puppet", "traitor", "pay dearly", "thank", "your excellency"}
    user = spacy.blank("en")
    user.add_pipe("lemmatizer", config={"mode": "lookup"})
    user.initialize()
    user.add_pipe("tonekit", name="tone")
    for nlp in (tonekit.load(), tonekit.load(lemmatizer=True), user):
        assert {m.term for m in tonekit.score(text, nlp=nlp).markers} == expected
        doc = nlp(text)
        assert [doc.text[s.start_char : s.end_char] for s in doc.spans["tonekit"]] == [m.text for m in doc._.markers]
    scored = tonekit.score_corpus(pd.DataFrame({"text": [text, text.replace("\u200b", "")]}), progress=False)
    full = tonekit.score(text)
    assert scored.loc[0, "hostility"] == full.hostility and scored.loc[0, "courtesy"] == full.courtesy
    assert scored.loc[0, "n_markers"] == len(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["puppet", "so-called", '"', "'", "not", "very", "\n", ".", "Your Excellency",
                                 "\u200b", "\u00ad", "pup\u00adpet", "idiot\u202c.", "\u200dthank", "“", "”"]),
                max_size=20))
def test_batch_rows_match_the_full_results_with_format_characters(nlp, words):
    text = " ".join(words)
    component = nlp.get_pipe("tonekit")
    row = component.score_docs(nlp.tokenizer.pipe([text]))[0].tolist()
    full = nlp(text)._.tonekit
    assert row[: len(SCORE_COLUMNS)] == [getattr(full, c) for c in SCORE_COLUMNS], text
    assert all(text[m.start_char : m.end_char] == m.text for m in full.markers)
