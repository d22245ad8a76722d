"""The component in ordinary spaCy workflows: DocBin, multiprocessing, instance names,
config and registry, initialize, serialization with exclude, nlp.evaluate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example

import tonekit

TEXTS = [
    "The DPRK will never tolerate the reckless provocations of the Japanese reactionaries. (constructed)",
    "We thank Your Excellency. The so-called 'apology' of Japan is a shameless deception. (constructed)",
    "Abe is none other than a perfect imbecile and a political dwarf.",
    "The weather was mild on Tuesday. (constructed)",
]


def scores(doc: Doc) -> tuple:
    result = doc._.tonekit
    return result.hostility, result.courtesy, tuple(m.to_dict()["term"] for m in result.markers)


def test_docbin_with_user_data_round_trips_the_scores(nlp):
    docs = list(nlp.pipe(TEXTS))
    data = DocBin(store_user_data=True, docs=docs).to_bytes()
    restored = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert [scores(d) for d in restored] == [scores(d) for d in docs]
    assert restored[2]._.tonekit == docs[2]._.tonekit  # markers, modifiers and sentences too
    assert [s._.tone for s in restored[1].sents] == [s._.tone for s in docs[1].sents]


def test_two_processes_give_the_scores_of_one(nlp):
    one = [scores(d) for d in nlp.pipe(TEXTS * 3)]
    two = [scores(d) for d in nlp.pipe(TEXTS * 3, n_process=2, batch_size=2)]
    assert two == one


def test_a_component_named_tone_works_everywhere(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("tonekit", name="tone")
    result = tonekit.score(TEXTS[2], nlp=nlp)
    assert result == tonekit.score(TEXTS[2])
    frame = tonekit.score_corpus(pd.DataFrame({"id": ["a", "b"], "text": TEXTS[2:]}), nlp=nlp, progress=False)
    assert frame["hostility"].tolist() == [tonekit.score(t).hostility for t in TEXTS[2:]]
    nlp.to_disk(tmp_path / "tone_model")
    corpus = tmp_path / "c.csv"
    pd.DataFrame({"id": ["a"], "text": [TEXTS[2]]}).to_csv(corpus, index=False)
    script = Path(sys.executable).with_name("tonekit")
    done = subprocess.run(
        [str(script), "score", str(corpus), "-o", str(tmp_path / "s.csv"), "--model", str(tmp_path / "tone_model")],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(tmp_path / "s.csv")["hostility"].tolist() == pytest.approx([result.hostility], abs=1e-12)


def test_a_disabled_component_is_named_in_the_error():
    nlp = spacy.blank("en")
    nlp.add_pipe("tonekit", name="tone")
    nlp.disable_pipe("tone")
    with pytest.raises(ValueError, match="'tone' is disabled"):
        tonekit.score(TEXTS[0], nlp=nlp)


def test_the_lexicon_comes_from_the_config_registry(tmp_path):
    custom = tonekit.Lexicon.from_records(
        [{"term": "sea of fire", "dimension": "hostility", "category": "threat", "weight": 3}],
        name="custom",
        categories={"threat": {"dimension": "hostility", "definition": "Threat of violence."}},
    )
    custom.to_csv(tmp_path / "custom.csv")
    nlp = spacy.blank("en")
    config = {"lexicon": {"@misc": "tonekit.lexicon.v1", "source": str(tmp_path / "custom.csv")}, "spans_key": "tone"}
    component = nlp.add_pipe("tonekit", config=config)
    assert component.lexicon == tonekit.Lexicon.from_csv(tmp_path / "custom.csv")
    doc = nlp("Seoul will turn into a sea of fire, the idiots. (constructed)")
    assert [m.term for m in doc._.markers] == ["sea of fire"]  # "idiot" is not in this lexicon
    assert [s.label_ for s in doc.spans["tone"]] == ["threat"] and "tonekit" not in doc.spans
    assert nlp.config["components"]["tonekit"]["lexicon"]["source"].endswith("custom.csv")


def test_initialize_swaps_the_lexicon_as_span_ruler_does():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("tonekit", config={"lexicon": None})
    with pytest.raises(ValueError, match="has no lexicon"):
        nlp("Abe is a puppet.")
    nlp.initialize()  # nothing given: still none, still a clear error
    with pytest.raises(ValueError, match="initialize"):
        nlp("Abe is a puppet.")
    component.initialize(lexicon="diplomatic-en")
    assert nlp("Abe is a puppet.")._.hostility > 0


def test_serialization_honours_exclude(tmp_path, nlp):
    component = nlp.get_pipe("tonekit")
    fresh = spacy.blank("en").add_pipe("tonekit", config={"lexicon": None})
    fresh.from_bytes(component.to_bytes(exclude=["lexicon"]))
    assert fresh.lexicon is None
    fresh.from_bytes(component.to_bytes())
    assert fresh.lexicon == component.lexicon
    component.to_disk(tmp_path / "without", exclude=["lexicon"])
    assert not (tmp_path / "without" / "lexicon.csv").exists()


def test_nlp_evaluate_scores_the_marker_spans(nlp):
    doc = nlp.make_doc(TEXTS[2])
    gold = nlp.make_doc(TEXTS[2])
    gold.spans["tonekit"] = [Span(gold, 7, 8, label="insult"), Span(gold, 10, 12, label="epithet")]  # imbecile, political dwarf
    result = nlp.evaluate([Example(doc, gold)])
    assert result["spans_tonekit_f"] == 1.0
    assert result["spans_tonekit_per_type"]["insult"]["p"] == 1.0


def test_an_attribute_someone_else_registered_is_never_replaced():
    Doc.set_extension("courtesy", default=0.5, force=True)
    try:
        with pytest.raises(ValueError, match=r"Doc\._\.courtesy is already registered"):
            spacy.blank("en").add_pipe("tonekit")
    finally:
        Doc.remove_extension("courtesy")
        tonekit.pipeline.register_extensions()
    assert spacy.blank("en").add_pipe("tonekit")
