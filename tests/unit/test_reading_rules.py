"""Constructions and the clause-level reading rules: refusals, conditions, reported speech,
performative frames. Texts are constructed."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

import tonekit
from tonekit.lexicon import LexiconError

THREAT = {"threat": {"dimension": "hostility", "definition": "Threat of violence."}}


def lexicon(*rows, modifiers=None):
    return tonekit.Lexicon.from_records(
        [{"term": t, "dimension": "hostility", "category": "threat", "weight": 3, "match": "pattern"} for t in rows],
        name="constructions", categories=THREAT, modifiers=modifiers or {},
    )


def threats(text, lex):
    return [m.text for m in tonekit.score(text, lexicon=lex).markers]


def test_a_construction_matches_with_its_gap_alternatives_and_inflections():
    lex = lexicon("(turn|reduce) {0,3} (into|to) (ashes|a sea of fire)")
    assert threats("They reduced the whole city to ashes. (constructed)", lex) == ["reduced the whole city to ashes"]
    assert threats("We will turn Seoul into a sea of fire. (constructed)", lex) == ["turn Seoul into a sea of fire"]
    assert threats("We will turn the page. Ashes to ashes. (constructed)", lex) == []  # the gap stays in its sentence
    assert threats("Turn it around and walk to the ashes of the old camp. (constructed)", lex) == []  # gap too long


def test_slots_come_from_the_metadata():
    lex = lexicon("(destroy|annihilate) {0,2} <target>", modifiers={"slots": {"target": ["city", "army"]}})
    assert threats("We will annihilate their army. (constructed)", lex) == ["annihilate their army"]
    assert threats("We will destroy their hopes. (constructed)", lex) == []


def test_spacy_json_patterns_are_accepted():
    lex = lexicon('[{"LOWER": "sea"}, {"LOWER": "of"}, {"LOWER": {"IN": ["fire", "flames"]}}]')
    assert threats("A sea of flames awaits. (constructed)", lex) == ["sea of flames"]


@pytest.mark.parametrize("pattern, problem", [
    ("{0,3} to ashes", "must begin and end with a word"),
    ("reduce {0,30} ashes", "n <= 10"),
    ("(reduce|turn to ashes", "not closed"),
    ("destroy <enemy>", "unknown slot <enemy>"),
    ('[{"LOWR": "sea"}]', "invalid token pattern"),
    ("(a b|c d) (e f|g h) (i j|k l) (m n|o p) (q r|s t) (u v|w x) (y z|a b)", "at most 64"),
])
def test_a_construction_that_cannot_be_used_is_an_error_naming_file_line_and_field(tmp_path, pattern, problem):
    lex = lexicon("sea of fire")
    lex.to_csv(tmp_path / "mine.csv")
    text = (tmp_path / "mine.csv").read_text(encoding="utf-8")
    (tmp_path / "mine.csv").write_text(text.replace('"sea of fire"', "sea of fire").replace(
        "sea of fire,", '"' + pattern.replace('"', '""') + '",'), encoding="utf-8")
    with pytest.raises(LexiconError) as raised:
        tonekit.Lexicon.from_csv(tmp_path / "mine.csv")
    (found,) = raised.value.problems
    assert (found.file, found.line, found.field) == ("mine.csv", 2, "term")
    assert problem in found.message


def markers(text):
    return [(m.term, m.category, m.modifier_kinds) for m in tonekit.score(text).markers]


def test_refused_offers_are_refusals_and_keep_the_cue():
    for text, cue in [
        ("Dialogue with the puppets is out of the question. (constructed)", "out of the question"),
        ("We reject any negotiation with Tokyo. (constructed)", "reject"),
        ("We will never hold dialogue with them. (constructed)", "never"),
    ]:
        r = tonekit.score(text)
        refused = [m for m in r.markers if m.category == "refusal" and "refused" in m.modifier_kinds]
        assert refused and r.courtesy == 0, text
        assert refused[0].modifiers[0].cue.lower() == cue, text


def test_an_offer_in_another_clause_is_not_refused():
    r = tonekit.score("They rejected the proposal, but we remain open to dialogue. (constructed)")
    assert r.courtesy > 0
    assert any(m.category == "dialogue" and m.effective_weight > 0 for m in r.markers)


def test_a_parse_decides_what_a_negator_governs():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("tonekit")
    words = ["We", "do", "not", "want", "dialogue", "."]
    doc = Doc(nlp.vocab, words=words, heads=[3, 3, 3, 3, 3, 3],
              deps=["nsubj", "aux", "neg", "ROOT", "dobj", "punct"])
    result = component(doc)._.tonekit
    assert [(m.category, m.modifier_kinds) for m in result.markers] == [("refusal", ("refused",))]


def test_reported_insults_are_not_the_speakers_and_the_speakers_own_are():
    assert tonekit.score("The newspaper called the minister a coward. (constructed)").hostility == 0
    assert tonekit.score('"The minister is a coward," the newspaper wrote. (constructed)').hostility == 0
    assert tonekit.score('"The minister is a coward," we said. (constructed)').hostility > 0
    assert tonekit.score("We have always called the minister a coward. (constructed)").hostility > 0


def test_topic_nouns_count_only_when_performed():
    assert tonekit.score("The resolution expressed no hostility. (constructed)").hostility == 0
    assert tonekit.score("Japan's apology was discussed. (constructed)").courtesy == 0
    assert tonekit.score("We offer our apology to the families. (constructed)").courtesy > 0


def test_every_rule_reads_across_line_breaks():
    for text in ("Dialogue with them is\nnot possible. (constructed)", "We will reduce your\ncities to ashes. (constructed)",
                 "They called\nhim a fool. (constructed)"):
        wrapped, flat = tonekit.score(text), tonekit.score(" ".join(text.split()))
        assert [(m.term, m.effective_weight) for m in wrapped.markers] == [(m.term, m.effective_weight) for m in flat.markers]
