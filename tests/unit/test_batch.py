"""Tests for tonekit.batch: score_corpus and the streaming engine behind ``tonekit score``.

Statements are taken from the bundled DPRK–Japan corpus or are short constructed
examples, marked "(constructed)".
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

import tonekit
from tonekit.batch import SCORE_COLUMNS, read_scoring_input, score_chunks, score_corpus
from tonekit.corpus import CorpusError, read_corpus

# (constructed)
HOSTILE = "Abe is none other than a political dwarf and a puppet of the United States."
COURTEOUS = "We express deep condolences and sympathy to Your Excellency and the bereaved families."
CONTRAST = "We thank Japan for its message, but the so-called apology is a shameless lie."

CATEGORIES = tuple(tonekit.Lexicon.default().categories)


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return tonekit.corpora.load("dprk_japan")


def expected_row(result: tonekit.ToneResult) -> dict:
    row = {c: getattr(result, c) for c in SCORE_COLUMNS}
    row.update(result.categories)
    return row


def assert_row_equals(out: pd.Series, result: tonekit.ToneResult) -> None:
    for column, value in expected_row(result).items():
        assert out[column] == pytest.approx(value, abs=1e-12), column


# --------------------------------------------------------------------------- numbers


def test_bundled_corpus_scores_equal_tonekit_score(corpus: pd.DataFrame):
    out = score_corpus(corpus, progress=False)
    assert len(out) == len(corpus)
    assert out["error"].isna().all()
    assert out["hostility"].max() > 0.5 and out["courtesy"].max() > 0.5  # the corpus has both
    for i, text in enumerate(corpus["text"]):
        assert_row_equals(out.iloc[i], tonekit.score(text))


def test_output_columns_are_input_then_scores_then_categories_then_error(corpus: pd.DataFrame):
    out = score_corpus(corpus.head(3), progress=False)
    assert list(out.columns) == [*corpus.columns, *SCORE_COLUMNS, *CATEGORIES, "error"]
    assert out.index.equals(corpus.head(3).index)
    assert str(out["n_tokens"].dtype) == "Int64" and str(out["n_markers"].dtype) == "Int64"
    pd.testing.assert_frame_equal(out[list(corpus.columns)], corpus.head(3))


def test_non_fast_pipeline_gives_the_numbers_of_that_pipeline():
    # An enabled lemmatizer takes the nlp.pipe path; the numbers follow that pipeline.
    nlp = tonekit.load(lemmatizer=True)
    texts = [HOSTILE, COURTEOUS, CONTRAST, "The puppets were condemned by the people. (constructed)"]
    out = score_corpus(pd.DataFrame({"id": list("abcd"), "text": texts}), nlp=nlp, progress=False)
    for i, text in enumerate(texts):
        assert_row_equals(out.iloc[i], tonekit.score(text, nlp=nlp))


def test_components_after_tonekit_do_not_change_its_batch_scores():
    # A sentencizer after the component splits sentences for later components only.
    nlp = spacy.blank("en")
    nlp.add_pipe("tonekit")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["."]})
    texts = ["Is Abe a puppet? But we thank you. (constructed)", HOSTILE, CONTRAST]
    out = score_corpus(pd.DataFrame({"id": list("abc"), "text": texts}), nlp=nlp, progress=False)
    for i, text in enumerate(texts):
        assert_row_equals(out.iloc[i], nlp(text)._.tonekit)


def test_results_do_not_depend_on_batch_size(corpus: pd.DataFrame):
    a = score_corpus(corpus, batch_size=1, progress=False)
    b = score_corpus(corpus, batch_size=1000, progress=False)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow
def test_n_process_2_equals_n_process_1(corpus: pd.DataFrame):
    small = corpus.head(24)
    one = score_corpus(small, progress=False)
    two = score_corpus(small, n_process=2, batch_size=5, progress=False)
    pd.testing.assert_frame_equal(one, two)


# --------------------------------------------------------------------------- rows and errors


def test_10k_rows_keep_length_and_order_with_empty_non_string_and_huge_texts():
    nlp = tonekit.load()
    # (constructed) Marker-dense but without negators: their scope check grows with
    # negators x markers, which a multi-megabyte text of "none other than" would make slow.
    paragraph = "Abe is a political dwarf and a puppet of the United States. " + COURTEOUS + "\n\n"
    huge = (paragraph * (2_000_000 // len(paragraph) + 1))[:2_000_000]
    assert len(huge) == 2_000_000 > nlp.max_length
    base = [HOSTILE, COURTEOUS, CONTRAST, "", None, float("nan"), 42, ["a", "list"], {"text": "x"}]
    texts = [base[i % len(base)] for i in range(10_000)]
    texts[7_777] = huge
    df = pd.DataFrame({"id": [f"r{i}" for i in range(10_000)], "text": pd.Series(texts, dtype=object)})
    df.index = pd.RangeIndex(100, 10_100)  # an index that is not 0..n-1 is kept

    out = score_corpus(df, progress=False, nlp=nlp)

    assert len(out) == len(df)
    assert out.index.equals(df.index)
    assert out["id"].tolist() == df["id"].tolist()
    expected_errors = [
        None, None, None, "empty text",
        "missing text (null)", "missing text (null)", "text must be a string, not a number",
        "text must be a string, not an array", "text must be a string, not an object",
    ]
    for i, message in enumerate(expected_errors):
        row = out.iloc[i]
        if message is None:
            assert pd.isna(row["error"]) and row["n_tokens"] >= 0
        else:
            assert row["error"] == message
            assert math.isnan(row["hostility"]) and pd.isna(row["n_tokens"])
    assert out.iloc[9]["error"] is None and out.iloc[9]["hostility"] == out.iloc[0]["hostility"]
    assert out.iloc[3][list(SCORE_COLUMNS)].isna().all()  # an empty text has no scores, not zeros
    n_failed = sum(not isinstance(t, str) or not t for t in texts)
    assert out["error"].notna().sum() == n_failed

    big = out.loc[100 + 7_777]
    assert pd.isna(big["error"])
    assert big["n_tokens"] > 300_000 and big["hostility"] > 0.5 and big["courtesy"] > 0.5


def test_text_longer_than_max_length_is_scored_in_pieces_like_tonekit_score(corpus: pd.DataFrame):
    nlp = tonekit.load()
    nlp.max_length = 600  # the same code path as a multi-megabyte text, cheaply
    long_texts = sorted(corpus["text"], key=len)[-3:]
    assert all(len(t) > 2 * nlp.max_length for t in long_texts)
    assert long_texts
    out = score_corpus(pd.DataFrame({"id": range(len(long_texts)), "text": long_texts}), nlp=nlp, progress=False)
    for i, text in enumerate(long_texts):
        assert_row_equals(out.iloc[i], tonekit.score(text, nlp=nlp))
        assert out.iloc[i]["n_tokens"] == sum(not t.is_space for t in nlp.tokenizer(text))  # line breaks are no words


def test_existing_error_column_is_kept_and_row_not_scored(broken_jsonl: Path):
    path = broken_jsonl
    with pytest.raises(CorpusError) as info:
        read_corpus(path, errors="raise")
    assert info.value.problems[0].line == 2
    assert "line 2" in str(info.value)

    out = score_corpus(path, progress=False)  # a path is read with errors="report"
    assert len(out) == 3
    assert out["error"].notna().tolist() == [False, True, False]
    assert "line 2, field 'text': not valid JSON" in out.loc[1, "error"]
    assert math.isnan(out.loc[1, "hostility"])
    assert out.loc[0, "hostility"] > 0.5 and out.loc[2, "courtesy"] > 0.5
    assert [p.line for p in out.attrs["problems"]] == [2]


def test_a_failing_component_fails_only_its_row():
    @Language.component("tonekit_test_rejects_marker")
    def rejects(doc):  # a user component that breaks on some input
        if "REJECT" in doc.text:
            raise RuntimeError("cannot handle this statement")
        return doc

    nlp = tonekit.load()
    nlp.add_pipe("tonekit_test_rejects_marker", before="tonekit")
    texts = [HOSTILE, "REJECT " + COURTEOUS, COURTEOUS]
    out = score_corpus(pd.DataFrame({"id": list("abc"), "text": texts}), nlp=nlp, progress=False)
    assert out["error"].tolist()[0] is None and out["error"].tolist()[2] is None
    assert out.loc[1, "error"] == "could not score the text: RuntimeError: cannot handle this statement"
    assert out.loc[0, "hostility"] > 0.5 and out.loc[2, "courtesy"] > 0.5


def test_text_that_is_not_valid_unicode_fails_its_row_with_a_clear_reason():
    # An unpaired surrogate, which only an object column holds (constructed text).
    texts = pd.Series([HOSTILE, "Japan \udc80 must", COURTEOUS], dtype=object)
    out = score_corpus(pd.DataFrame({"id": list("abc"), "text": texts}), progress=False)
    assert out["error"].tolist() == [None, "text is not valid Unicode: an unpaired surrogate \\udc80 at character 6", None]
    assert out.loc[0, "hostility"] > 0.5 and out.loc[2, "courtesy"] > 0.5


def test_missing_text_column_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no text column 'body' \(columns: id, text\)"):
        score_corpus(pd.DataFrame({"id": ["a"], "text": [HOSTILE]}), text="body", progress=False)


def test_empty_corpus_gives_empty_table_with_all_columns():
    out = score_corpus(pd.DataFrame({"id": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)}), progress=False)
    assert len(out) == 0
    assert list(out.columns) == ["id", "text", *SCORE_COLUMNS, *CATEGORIES, "error"]


# --------------------------------------------------------------------------- column names


def test_colliding_input_column_is_replaced_with_a_warning():
    df = pd.DataFrame({"id": ["a"], "text": [HOSTILE], "threat": ["nuclear test (metadata)"]})
    with pytest.warns(UserWarning, match="replaced by score columns of the same name: threat"):
        out = score_corpus(df, progress=False)
    assert list(out.columns).count("threat") == 1
    assert out.loc[0, "threat"] == 0.0  # the category rate, not the metadata


def test_rescoring_a_scored_table_replaces_scores_silently(corpus: pd.DataFrame):
    once = score_corpus(corpus.head(5), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        twice = score_corpus(once.drop(columns=["error"]), progress=False)
    pd.testing.assert_frame_equal(once, twice)


def test_a_row_flagged_in_the_input_keeps_its_message_and_is_not_scored(tmp_path: Path):
    path = tmp_path / "statements.jsonl"
    rows = [
        {"id": "a", "text": HOSTILE, "error": None},
        {"id": "b", "text": COURTEOUS, "error": "withheld: translation disputed"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = score_corpus(path, progress=False)
    assert out["error"].tolist() == [None, "withheld: translation disputed"]
    assert out.loc[0, "hostility"] > 0.5
    assert pd.isna(out.loc[1, "courtesy"])


def test_rescoring_a_scored_file_scores_its_failed_rows_afresh(tmp_path: Path):
    # A scored table's error column is its run's: a new run tries every row again.
    scored = score_corpus(pd.DataFrame({"id": ["a", "b"], "text": [HOSTILE, COURTEOUS]}), progress=False)
    scored.loc[1, "error"] = "could not score the text: RuntimeError: out of memory"
    scored.loc[1, "courtesy"] = float("nan")
    path = tmp_path / "scores.jsonl"
    tonekit.write_corpus(scored, path)
    again = score_corpus(path, progress=False)
    assert again["error"].isna().all()
    assert again.loc[1, "courtesy"] > 0.5


def test_category_named_like_text_column_is_refused():
    lex = tonekit.Lexicon.default()
    with pytest.raises(ValueError, match="text column 'insult'"):
        score_corpus(pd.DataFrame({"id": ["a"], "insult": [HOSTILE]}), text="insult", lexicon=lex, progress=False)


# --------------------------------------------------------------------------- streaming


def test_score_chunks_streams_one_output_chunk_per_input_chunk(corpus: pd.DataFrame, tmp_path: Path):
    path = tmp_path / "corpus.csv"
    tonekit.write_corpus(corpus, path)
    chunks = list(score_chunks(read_scoring_input(path, chunksize=10), progress=False))
    n = len(corpus)
    assert [len(c) for c in chunks] == [10] * (n // 10) + ([n % 10] if n % 10 else [])
    whole = score_corpus(path, progress=False)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert chunks[1].index[0] == 10


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_python_strings_change_the_dtype_of_ids_and_texts_not_the_scores(corpus: pd.DataFrame, tmp_path: Path, suffix: str):
    """``tonekit score`` reads ids and texts as Python strings; the scored rows are the
    same as with pandas' string dtype, missing texts included."""
    frame = corpus.copy()
    frame["text"] = frame["text"].astype(object)
    frame.loc[frame.index[1], "text"] = None
    path = tmp_path / f"corpus{suffix}"
    tonekit.write_corpus(frame, path)
    plain = next(read_scoring_input(path, chunksize=None, python_strings=True))
    default = next(read_scoring_input(path, chunksize=None))
    assert plain["id"].dtype == object and plain["text"].dtype == object
    assert plain["text"].tolist()[2:] == default["text"].tolist()[2:]
    scored_plain = next(score_chunks([plain], progress=False))
    scored_default = next(score_chunks([default], progress=False))
    pd.testing.assert_frame_equal(
        scored_plain.drop(columns=["id", "text"]), scored_default.drop(columns=["id", "text"])
    )
    missing = scored_plain.loc[scored_plain.index[1]]
    if suffix == ".csv":  # CSV has no null: the empty cell is an empty statement, with nothing to score
        assert missing["text"] == "" and missing["error"] == "empty text" and pd.isna(missing["n_tokens"])
    else:
        assert "field 'text': missing text" in missing["error"]


def test_read_scoring_input_accepts_another_text_column(tmp_path: Path):
    path = tmp_path / "speeches.csv"
    path.write_text(f'id,body\n1,"{HOSTILE}"\n2,"{COURTEOUS}"\n', encoding="utf-8")
    out = score_corpus(path, text="body", progress=False)
    assert list(out.columns[:2]) == ["id", "body"] and "text" not in out.columns
    assert out["error"].isna().all()
    assert out.loc[0, "hostility"] > 0.5


def test_read_scoring_input_refuses_a_corpus_without_ids(tmp_path: Path):
    path = tmp_path / "speeches.csv"
    path.write_text(f'text\n"{HOSTILE}"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="missing required column 'id'"):
        score_corpus(path, progress=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=200), st.none(), st.integers(), st.floats()), min_size=0, max_size=8))
def test_any_texts_give_one_row_each_and_never_crash(texts):
    df = pd.DataFrame({"id": [f"x{i}" for i in range(len(texts))], "text": pd.Series(texts, dtype=object)})
    out = score_corpus(df, progress=False)
    assert len(out) == len(texts)
    for value, (_, row) in zip(texts, out.iterrows()):
        if isinstance(value, str) and value.strip():
            assert pd.isna(row["error"])
            assert 0.0 <= row["hostility"] < 1.0 and 0.0 <= row["courtesy"] < 1.0
        elif isinstance(value, str):
            assert row["error"] == "empty text" and np.isnan(row["hostility"])
        else:
            assert isinstance(row["error"], str)
            assert np.isnan(row["hostility"])


# --------------------------------------------------------------------------- reading for scoring


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_another_text_column_works_in_every_chunk_and_format(tmp_path: Path, suffix: str):
    # Speeches whose text is in "body"; more rows than one chunk.
    speeches = pd.DataFrame({"id": ["1", "2", "3"], "body": [HOSTILE, COURTEOUS, CONTRAST]})
    path = tmp_path / f"speeches{suffix}"
    tonekit.write_corpus(speeches, path)
    chunks = list(read_scoring_input(path, text="body", chunksize=2))
    assert [list(c.columns) for c in chunks] == [["id", "body", "error"]] * 2
    out = pd.concat(score_chunks(chunks, text="body", progress=False))
    assert out["error"].isna().all() and "text" not in out.columns
    assert out["hostility"].tolist()[0] > 0.5 and out["courtesy"].tolist()[1] > 0.5


def test_jsonl_records_without_the_other_text_column_fail_naming_it(tmp_path: Path):
    path = tmp_path / "speeches.jsonl"
    path.write_text(f'{{"id": 1, "body": "{HOSTILE}"}}\n{{"id": 2, "text": "not this one"}}\n', encoding="utf-8")
    out = score_corpus(path, text="body", progress=False)
    assert out.loc[0, "hostility"] > 0.5 and pd.isna(out.loc[0, "error"])
    assert out.loc[1, "error"].endswith("speeches.jsonl, line 2, field 'body': missing text")
    assert out.loc[1, "text"] == "not this one"  # an ordinary column here


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_corpus_without_its_text_column_is_refused_in_every_format(tmp_path: Path, suffix: str):
    path = tmp_path / f"statements{suffix}"
    tonekit.write_corpus(pd.DataFrame({"id": ["a", "b"], "body": [HOSTILE, COURTEOUS]}), path)
    with pytest.raises(CorpusError, match="missing required column 'text'"):
        next(read_scoring_input(path))
    with pytest.raises(ValueError, match="no text column 'speech'"):
        next(read_scoring_input(path, text="speech"))


def test_dates_in_other_notations_are_kept_and_the_rows_scored(tmp_path: Path):
    path = tmp_path / "statements.csv"
    path.write_text(
        f'id,date,text\na,30/11/2019,"{HOSTILE}"\nb,Nov 2019,"{COURTEOUS}"\nc,2019-11-30T09:00+09:00,"{CONTRAST}"\n',
        encoding="utf-8",
    )
    out = score_corpus(path, progress=False)
    assert out["date"].tolist() == ["30/11/2019", "Nov 2019", "2019-11-30T09:00+09:00"]
    assert out["error"].isna().all()
    assert out.loc[0, "hostility"] > 0.5 and out.loc[1, "courtesy"] > 0.5


def test_error_false_or_0_is_no_previous_error(tmp_path: Path):
    df = pd.DataFrame({"id": ["a", "b", "c"], "text": [HOSTILE] * 3, "error": pd.Series([False, 0, "withheld"], dtype=object)})
    out = score_corpus(df, progress=False)
    assert out["error"].tolist() == [None, None, "withheld"]
    assert out["hostility"].notna().tolist() == [True, True, False]
    path = tmp_path / "statements.jsonl"
    path.write_text(f'{{"id": "a", "text": "{HOSTILE}", "error": false}}\n', encoding="utf-8")
    assert score_corpus(path, progress=False).loc[0, "hostility"] > 0.5


def test_a_signal_in_the_pools_critical_section_is_raised_when_it_ends():
    # Raised inside a lock's acquire, KeyboardInterrupt can leave the worker pool's lock
    # held, and shutting the pool down then hangs: Ctrl-C is noted there, raised after.
    import signal

    from tonekit.engine import signals_deferred

    steps = []
    with pytest.raises(KeyboardInterrupt):
        with signals_deferred() as caught:
            signal.raise_signal(signal.SIGINT)
            steps.append(("noted", list(caught)))
    assert steps == [("noted", [signal.SIGINT])]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
