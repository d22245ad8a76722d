"""Work and memory per text stay bounded: runs of punctuation, very long texts, new words.

Nothing here is timed: a spy on the pipeline's tokenizer records what it is given (the
longest whitespace-free span, the longest text, the Docs alive at once), and the
vocabulary's string store is counted. Statements are constructed.
"""

from __future__ import annotations

import gc
import re
import weakref

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tonekit
import tonekit.engine
from tonekit.batch import SCORE_COLUMNS, score_chunks, score_corpus
from tonekit.pipeline import MAX_SPAN, PIECE_LENGTH, memory_zone, pipeline_for, tokenize

# (constructed)
HOSTILE = "Abe is a political dwarf and a puppet of the United States."
COURTEOUS = "We express deep condolences and sympathy to Your Excellency."
PARAGRAPH = f"{HOSTILE} {COURTEOUS} (constructed)\n\n"


class SpyTokenizer:
    """The pipeline's tokenizer, recording the longest whitespace-free span and the
    longest text it is given, and how many of the Docs it made are alive at a call."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.longest_span = 0
        self.longest_text = 0
        self.most_alive = 0
        self._docs: list[weakref.ref] = []

    def __call__(self, text: str):
        runs = re.findall(r"\S+", text)
        self.longest_span = max(self.longest_span, max(map(len, runs), default=0))
        self.longest_text = max(self.longest_text, len(text))
        if len(text) > 10_000:  # only long texts: Docs of short ones come in batches
            gc.collect()
            self.most_alive = max(self.most_alive, sum(ref() is not None for ref in self._docs))
        doc = self.tokenizer(text)
        if len(text) > 10_000:
            self._docs.append(weakref.ref(doc))
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


@pytest.fixture
def spied():
    nlp = tonekit.load()
    nlp.tokenizer = SpyTokenizer(nlp.tokenizer)
    return nlp


def rows(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts})


# --------------------------------------------------------------------------- runs of punctuation


@pytest.mark.parametrize("run", ["!" * 5_000, '"' * 5_000, "'s" * 2_500, "(" * 5_000])
def test_the_tokenizer_never_gets_a_run_longer_than_max_span(spied, run: str):
    # spaCy's tokenizer peels one character at a time off such a run, each time copying
    # the rest: quadratic in the run's length, minutes for one cell of a corpus.
    text = f"{HOSTILE} {run} You idiot{run[:1000]}! {COURTEOUS}"
    r = tonekit.score(text, nlp=spied)
    out = score_corpus(rows([text, HOSTILE]), nlp=spied, progress=False)
    assert spied.tokenizer.longest_span <= MAX_SPAN
    assert {"political dwarf", "puppet", "idiot"} <= {m.term for m in r.markers}
    assert all(text[m.start_char : m.end_char] == m.text for m in r.markers)  # offsets into the original
    assert out.loc[0, "hostility"] == pytest.approx(r.hostility, abs=1e-12)
    assert out.loc[0, "n_tokens"] == r.n_tokens


def test_a_run_is_tokenized_into_the_original_text():
    nlp = tonekit.load()
    text = "Stop! " + '"' * 250 + "puppet" + "!" * 301 + " now"
    doc = tokenize(nlp, text)
    assert doc.text == text and not doc.has_annotation("SENT_START")
    assert [t.text for t in doc].count("!") == 1 + 301 and "puppet" in [t.text for t in doc]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "'s", ".", " ", "  ", "\n", "!", '"', "(", "é", "n't", "x" * 40]),
                max_size=60).map("".join))
def test_tokenize_gives_the_tokenizers_tokens_unless_a_span_is_too_long(text: str):
    nlp = tonekit.pipeline.pipeline_for(None)
    doc = tokenize(nlp, text)
    assert doc.text == text
    if max(map(len, text.split()), default=0) <= MAX_SPAN:
        assert [(t.text, t.whitespace_, t.norm_) for t in doc] == [
            (t.text, t.whitespace_, t.norm_) for t in nlp.tokenizer(text)
        ]


# --------------------------------------------------------------------------- one long text


def test_a_long_text_is_scored_one_piece_at_a_time_on_every_path(spied):
    text = (PARAGRAPH * (int(2.1 * PIECE_LENGTH) // len(PARAGRAPH) + 1))[: int(2.1 * PIECE_LENGTH)]
    r = tonekit.score(text, nlp=spied)
    chunks = list(score_chunks([rows([text])], nlp=spied, progress=False))
    assert spied.tokenizer.longest_text <= PIECE_LENGTH
    assert spied.tokenizer.most_alive <= 1  # the previous piece's Doc at most: never all of them
    single = tonekit.score(PARAGRAPH)
    n = text.count(PARAGRAPH)
    assert n * single.n_tokens <= r.n_tokens and len(r.markers) >= n * len(single.markers)
    assert all(text[m.start_char : m.end_char] == m.text for m in r.markers)
    assert [s.start_char for s in r.sentences] == sorted(s.start_char for s in r.sentences)
    row = chunks[0].iloc[0]
    for column in SCORE_COLUMNS:
        assert row[column] == pytest.approx(getattr(r, column), abs=1e-12), column


def test_a_text_of_one_piece_scores_as_a_whole():
    nlp = tonekit.load()
    nlp.max_length = 5_000  # pieces of at most min(nlp.max_length, PIECE_LENGTH) characters
    text = (PARAGRAPH * (5_000 // len(PARAGRAPH) + 1))[:5_000]
    assert tonekit.score(text, nlp=nlp) == tonekit.pipeline.doc_result(nlp(text))
    out = score_corpus(rows([text]), nlp=nlp, progress=False)
    assert out.loc[0, "hostility"] == tonekit.score(text, nlp=nlp).hostility


# --------------------------------------------------------------------------- new words


def unique_words(n: int, start: int = 0) -> list[str]:
    return [f"The envoy Zq{i}x met Qz{i}y; the puppet Xw{i}v spoke." for i in range(start, start + n)]


def test_new_words_do_not_stay_in_the_vocabulary():
    nlp = tonekit.load()
    score_corpus(rows(unique_words(50)), nlp=nlp, progress=False)  # the first batch may add lasting strings
    tonekit.score("Zq-1x", nlp=nlp)
    strings = len(nlp.vocab.strings)
    out = score_corpus(rows(unique_words(3_000, start=100)), nlp=nlp, batch_size=500, progress=False)
    for text in unique_words(200, start=10_000):
        tonekit.score(text, nlp=nlp)
    assert len(nlp.vocab.strings) == strings
    assert out["hostility"].gt(0).all() and out["n_tokens"].eq(11).all()


def test_memory_zones_do_not_nest():
    nlp = tonekit.load()
    with memory_zone(nlp):
        with memory_zone(nlp):  # the inner block just runs
            r = tonekit.score(HOSTILE + " Zq1x", nlp=nlp)
        assert "Zq1x" in nlp.vocab.strings
    assert "Zq1x" not in nlp.vocab.strings and r.hostility > 0


def test_a_pipeline_that_made_many_lexemes_is_built_anew_with_the_same_scores(monkeypatch):
    # Memory zones free new words, but spaCy's hash tables keep their slots: the batch
    # engine builds its pipeline anew after VOCABULARY_REFRESH lexemes.
    texts = unique_words(400, start=50_000)
    expected = score_corpus(rows(texts), nlp=tonekit.load(), batch_size=50, progress=False)  # never rebuilt
    before = pipeline_for(None)
    monkeypatch.setattr(tonekit.engine, "VOCABULARY_REFRESH", 600)
    out = score_corpus(rows(texts), batch_size=50, progress=False)
    assert pipeline_for(None) is not before  # built anew, and cached in place of the old one
    pd.testing.assert_frame_equal(out, expected)
