"""Scores and modifiers on statements of the founding case and constructed examples."""

from __future__ import annotations

import math
import textwrap

import pytest

import tonekit
from tonekit.scoring import PRIOR_TOKENS, SCALE, saturate, totals


def kinds(result, term):
    return [m.modifier_kinds for m in result.markers if m.term == term]


# Reported quotes (2019 and 2024 statements of the DPRK on Japan), see corpora/dprk_japan.
def test_abusive_abe_quote_is_clearly_hostile_with_intensifier():
    r = tonekit.score(
        "Abe is none other than a perfect imbecile and a political dwarf without parallel in the world."
    )
    assert r.hostility > 0.8 and r.courtesy == 0
    insults = [m for m in r.markers if m.dimension == "hostility"]
    assert {m.term for m in insults} >= {"imbecile", "political dwarf"}
    imbecile = next(m for m in insults if m.term == "imbecile")
    assert imbecile.modifier_kinds == ("intensifier",) and imbecile.effective_weight > imbecile.weight


def test_conditional_offer_of_dialogue_has_courtesy_and_low_hostility():
    r = tonekit.score(
        "If Japan truly wants to improve bilateral relations ... it is necessary for it to make a political decision"
    )
    assert r.courtesy > 0 and r.hostility < 0.2
    assert "dialogue" in {m.category for m in r.markers}


def test_refusal_with_scare_quotes():
    r = tonekit.score(
        "North Korea has \"nothing to solve as regards the 'abduction issue' insisted by Japan\""
    )
    categories = {m.category for m in r.markers}
    assert {"refusal", "distancing"} <= categories
    scare = next(m for m in r.markers if m.category == "distancing")
    assert scare.text == "'abduction issue'"


def test_condolence_message_is_courteous_and_not_hostile():
    r = tonekit.score(
        "I express deep condolences and sympathy to Your Excellency and, through you, "
        "to the bereaved families and the people in the stricken area. (constructed)"
    )
    assert r.courtesy >= 0.8 and r.hostility == 0


def test_negation_cancels_the_marker_it_governs_but_keeps_it_as_evidence():
    negated = tonekit.score("We have no hostile intent.")
    plain = tonekit.score("We have hostile intent.")
    assert negated.hostility < plain.hostility
    assert kinds(negated, "hostile intent") == [("negation",)]
    assert negated.markers[0].effective_weight == 0


def test_negation_is_scoped_to_the_word_it_governs():
    r = tonekit.score("The DPRK will never tolerate the reckless provocations of the Japanese reactionaries.")
    assert r.hostility > 0.7
    assert all("negation" not in m.modifier_kinds for m in r.markers)


def test_negated_courtesy_word_loses_its_courtesy():
    assert tonekit.score("Their answer was constructive. (constructed)").courtesy > 0
    assert tonekit.score("Their answer was not constructive. (constructed)").courtesy == 0


def test_two_axes_are_not_netted_before_tone():
    r = tonekit.score("We kindly request that Japan cease its hostile acts.")
    assert r.courtesy > 0 and r.hostility > 0
    assert r.tone == pytest.approx(r.courtesy - r.hostility)


def test_so_called_apology_is_distancing_not_courtesy():
    r = tonekit.score("The so-called 'apology' of Japan is a shameless deception.")
    assert r.courtesy == 0
    distancing = [m for m in r.markers if m.category == "distancing"]
    assert len(distancing) == 1 and distancing[0].text == "so-called 'apology'"
    apology = next(m for m in r.markers if m.term == "apology")
    assert apology.modifier_kinds == ("distanced",) and apology.effective_weight == 0


def test_quoted_speech_is_not_a_scare_quote():
    r = tonekit.score('The spokesman said: "We will never accept this." (constructed)')
    assert "distancing" not in {m.category for m in r.markers}
    r = tonekit.score('"We are ready for dialogue," the minister said. (constructed)')
    assert "distancing" not in {m.category for m in r.markers}


def test_plural_possessives_are_not_scare_quotes():
    # Constructed condolences: each apostrophe follows a word, so none opens a quotation.
    r = tonekit.score("We share the victims' grief and the families' sorrow. (constructed)")
    assert r.hostility == 0 and "distancing" not in {m.category for m in r.markers}
    assert {m.term for m in r.markers} >= {"grief", "sorrow"} and r.courtesy > 0.5
    r = tonekit.score("The leaders' so-called 'apology' is a lie. (constructed)")
    assert [m.text for m in r.markers if m.category == "distancing"] == ["so-called 'apology'"]


def test_quoted_so_called_is_one_distancing_marker():
    r = tonekit.score('The "so-called" apology of Japan. (constructed)')
    distancing = [m for m in r.markers if m.category == "distancing"]
    assert [(m.text, m.term) for m in distancing] == [('"so-called" apology', "so-called")]
    assert next(m for m in r.markers if m.term == "apology").effective_weight == 0


@pytest.mark.parametrize("width", [40, 72])
def test_line_breaks_and_runs_of_spaces_change_no_score(width):
    """A hard-wrapped or double-spaced statement scores as its single-spaced text: terms
    and modifiers reach across the breaks, and whitespace is no token of the rates."""
    corpus = tonekit.corpora.load("dprk_japan", era=False)
    for text in corpus["text"]:
        flat = " ".join(text.split())
        wrapped = textwrap.fill(flat, width, break_long_words=False, break_on_hyphens=False)
        spaced = flat.replace(". ", ".  ").replace(", ", ",\u00a0")
        expected = tonekit.score(flat)
        for variant in (wrapped, spaced):
            r = tonekit.score(variant)
            assert (r.hostility, r.courtesy, r.tone, r.n_tokens) == (
                expected.hostility, expected.courtesy, expected.tone, expected.n_tokens
            ), variant[:80]
            assert [(m.term, m.effective_weight, m.modifier_kinds) for m in r.markers] == [
                (m.term, m.effective_weight, m.modifier_kinds) for m in expected.markers
            ]
            assert all(variant[m.start_char : m.end_char] == m.text for m in r.markers)


def test_sentences_are_the_words_without_the_layout_around_them():
    # Constructed: paragraph breaks between sentences and a trailing line break.
    text = "\n\nWe thank you.\n\nWe condemn the\nsanctions.\n"
    r = tonekit.score(text)
    assert [(s.index, s.text, s.n_tokens) for s in r.sentences] == [
        (0, "We thank you.", 4), (1, "We condemn the\nsanctions.", 5)
    ]
    assert all(text[s.start_char : s.end_char] == s.text for s in r.sentences)
    assert [(m.term, m.sentence) for m in r.markers] == [("thank you", 0), ("condemn", 1)]
    assert sum(s.n_tokens for s in r.sentences) == r.n_tokens
    assert tonekit.score(" \n\n ").sentences == ()
    # spaCy's own sentences keep the breaks; their tones agree with the result's.
    spans = [s._.tonekit for s in tonekit.load()(text).sents if s.text.strip()]
    assert [(t.index, t.n_tokens, t.hostility, t.courtesy) for t in spans] == [
        (s.index, s.n_tokens, s.hostility, s.courtesy) for s in r.sentences
    ]


def test_negation_and_intensifiers_reach_across_a_line_break():
    assert kinds(tonekit.score("He is not\nan idiot. (constructed)"), "idiot") == [("negation",)]
    assert kinds(tonekit.score("a very\n\nstupid man (constructed)"), "stupid") == [("intensifier",)]
    r = tonekit.score("Abe is a political\n  dwarf. (constructed)")
    assert [m.text for m in r.markers] == ["political\n  dwarf"]


def test_intensifier_and_downtoner_scale_the_marker():
    base = tonekit.score("He is stupid. (constructed)").hostility
    assert tonekit.score("He is the most stupid man ever. (constructed)").hostility > base
    assert tonekit.score("He is somewhat stupid. (constructed)").hostility < base


def test_intensifiers_chain_and_count_only_where_no_other_term_claims_them():
    # Constructed. One-word intensifiers ("you", "very", "perfect") are looked up before a
    # marker rather than matched: they must behave exactly as matched cues would.
    def cues(text, term):
        (marker,) = [m for m in tonekit.score(text).markers if m.term == term]
        return [(x.kind, x.cue) for x in marker.modifiers]

    assert cues("You are a perfect imbecile. (constructed)", "imbecile") == [
        ("intensifier", "perfect"), ("intensifier", "You are a"),
    ]
    assert cues("It is a very very hostile act. (constructed)", "hostile") == [
        ("intensifier", "very"), ("intensifier", "very"),
    ]
    # ("call" with a subject other than the speaker makes the insult reported speech.)
    assert cues("They call you fools. (constructed)", "fool") == [("intensifier", "you"), ("reported", "call")]
    # "you" belongs to "thank you" (a longer match), so it does not intensify "fools".
    assert cues("They thank you fools. (constructed)", "fool") == []


def test_contrast_weighs_what_follows():
    r = tonekit.score("We respect the Japanese people, but their government is a puppet. (constructed)")
    before = next(m for m in r.markers if m.dimension == "courtesy")
    after = next(m for m in r.markers if m.term == "puppet")
    assert before.effective_weight < before.weight and after.effective_weight > after.weight
    assert {x.kind for x in before.modifiers} == {"contrast"}


def test_lemma_entries_match_inflections_and_lower_entries_do_not():
    r = tonekit.score("Tokyo condemned the puppets and their provocations. (constructed)")
    assert {m.term for m in r.markers} >= {"condemn", "puppet", "provocation"}


def test_formula_matches_the_documented_worked_example():
    r = tonekit.score("Abe is a perfect imbecile.")
    (m,) = [m for m in r.markers if m.dimension == "hostility"]
    density = 100 * m.effective_weight / (r.n_tokens + PRIOR_TOKENS)
    assert r.hostility == pytest.approx(1 - math.exp(-density / SCALE))
    assert r.hostility_rate == pytest.approx(100 * m.effective_weight / r.n_tokens)
    assert sum(r.categories[c] for c in ("insult", "epithet")) == pytest.approx(r.hostility_rate)


def test_scores_are_comparable_across_lengths():
    one = (
        "Japan must stop its reckless provocations at once. We have made our position clear "
        "many times, and the region does not need another round of tension this year. "
        "Our people will watch what Tokyo does next, and we will respond to it. (constructed) "
    )
    short, long = tonekit.score(one), tonekit.score(one * 20)
    assert long.hostility_rate == pytest.approx(short.hostility_rate)
    assert long.hostility == pytest.approx(short.hostility, abs=0.05)
    assert saturate(0, 10) == 0 and 0 < saturate(1, 10) < saturate(5, 10) < 1


def test_sentences_carry_their_own_scores():
    r = tonekit.score("We thank Your Excellency. The puppet regime must be punished. (constructed)")
    assert len(r.sentences) >= 2
    first, second = r.sentences[0], r.sentences[1]
    assert first.courtesy > 0 and first.hostility == 0
    assert second.hostility > 0 and second.courtesy == 0
    assert all(m.sentence == 1 for m in r.sentence_markers(1))


def test_evidence_serialises_to_json_and_frames():
    r = tonekit.score("The so-called 'apology' of Japan is a shameless deception.")
    data = r.to_dict()
    assert data["markers"][0]["start_char"] == r.markers[0].start_char
    assert '"distancing"' in r.to_json()
    frame = r.markers_frame()
    assert len(frame) == len(r.markers) and "modifiers" in frame
    for m in r.markers:
        assert r.text[m.start_char : m.end_char] == m.text


def test_scores_are_deterministic_and_independent_of_the_batch(nlp):
    texts = [
        "Japan had better drop its reckless ambition. (constructed)",
        "We sincerely thank the Japanese government. (constructed)",
        "The Abe group is a pack of political swindlers. (constructed)",
    ]
    alone = [nlp(t)._.tonekit for t in texts]
    together = [d._.tonekit for d in nlp.pipe(list(reversed(texts)) + texts, batch_size=2)][3:]
    assert alone == together
    assert [tonekit.score(t) for t in texts] == alone


def test_totals_name_a_dimension_they_do_not_know():
    # A lexicon read from CSV is validated; one built by hand reaches the aggregation here.
    assert totals([("hostility", "insult", 3.0)], 20).categories == {"insult": 15.0}
    with pytest.raises(ValueError, match="unknown dimension 'anger' of category 'insult'"):
        totals([("anger", "insult", 3.0)], 20)


@pytest.mark.parametrize("text", ["'\"\"'", "\"''\"", "''''", '"..."', "'—'", 'He said "" and left. (constructed)'])
def test_quote_marks_around_punctuation_alone_are_no_scare_quotes(text):
    r = tonekit.score(text)
    assert r.hostility == 0 and not r.markers, text
    assert tonekit.score('The "5" points of the "democracy" (constructed)').hostility > 0  # words inside still count
