"""Tests for tonekit.corpus: problems, the examples of each module, the helpers
other modules use, and round trips through every format.

The statements are short constructed examples in the style of DPRK statements about
Japan, not quotations (see corpus_samples).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonekit.corpus import (
    CORPUS_COLUMNS,
    CorpusProblem,
    error_message,
    is_missing,
    iter_corpus,
    parse_date,
    read_corpus,
    resolve_format,
    value_kind,
    write_corpus,
)

from corpus_samples import HOSTILE, sample_frame


def test_problem_str_names_file_line_and_field():
    p = CorpusProblem("statements.jsonl", 2, 1, "text", "not valid JSON (Expecting ',' delimiter)")
    assert str(p) == "statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)"
    assert str(CorpusProblem("s.parquet", None, 4, "id", "empty id")) == "s.parquet, row 4, field 'id': empty id"


def test_corpus_columns_documented():
    assert CORPUS_COLUMNS[0] == "date"
    assert {"speaker", "speaker_role", "outlet", "addressee", "title", "source_url", "source_note"} <= set(
        CORPUS_COLUMNS
    )


@pytest.mark.parametrize("module", ["errors", "formats", "validate", "read", "encode", "write"])
def test_the_examples_of_each_module_hold(module: str):
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(f"tonekit.corpus.{module}")).failed == 0


def test_helpers_other_modules_use():
    assert [resolve_format(name, None) for name in ("a.CSV", "b.ndjson", "c.pq", "-")] == ["csv", "jsonl", "parquet", "csv"]
    assert resolve_format("statements.txt", "JSONL") == "jsonl"
    with pytest.raises(ValueError, match="cannot tell the format"):
        resolve_format("statements.txt", None)
    with pytest.raises(ValueError, match="unknown corpus format 'xml'"):
        resolve_format("statements.csv", "xml")
    assert parse_date("2019-11-30 23:59:60Z") == (dt.date(2019, 11, 30), None)
    assert parse_date(pd.Timestamp("2019-11-30T22:00")) == (dt.date(2019, 11, 30), None)
    assert parse_date(None) == (None, None) and parse_date("  ") == (None, None)
    assert parse_date(20191130) == (None, "date must be an ISO date string, not a number")
    assert parse_date("2019-02-30")[1] == "unparseable date '2019-02-30' (day is out of range for month)"
    assert [error_message(v) for v in ("e", "", None, False, 0, float("nan"))] == ["e", None, None, None, None, None]
    assert [is_missing(v) for v in (None, pd.NA, np.nan, np.datetime64("NaT"), "", 0)] == [True] * 4 + [False] * 2
    assert [value_kind(v) for v in (np.bool_(True), np.int8(1), (1,), {}, "x")] == [
        "a boolean", "a number", "an array", "an object", "a str"
    ]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_round_trip(tmp_path: Path, suffix: str):
    df = sample_frame(5)
    path = tmp_path / f"statements{suffix}"
    assert write_corpus(df, path) == 5
    back = read_corpus(path)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert back["date"].dtype == df["date"].dtype
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scores=st.lists(st.floats(width=64), min_size=1, max_size=30))
def test_any_score_round_trips_through_jsonl_and_csv(tmp_path: Path, scores: list[float]):
    # Each distinct value of a score column is written once and shared by its rows: 0.0
    # and -0.0 stay apart; non-finite values become null (or an empty cell), read as NaN.
    scores = scores + scores[::-1]  # repeated values, in both orders
    df = pd.DataFrame({"id": [f"s{i}" for i in range(len(scores))], "text": HOSTILE, "hostility": scores})
    expected = np.array([x if math.isfinite(x) else np.nan for x in scores])
    for name in ("scores.jsonl", "scores.csv"):
        path = tmp_path / name
        write_corpus(df, path)
        back = read_corpus(path)["hostility"].replace("", "nan").astype(float).to_numpy()  # CSV: text
        np.testing.assert_array_equal(back, expected)
        assert np.signbit(back[np.isfinite(back)]).tolist() == np.signbit(expected[np.isfinite(expected)]).tolist()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
def test_any_text_round_trips_through_csv_and_jsonl(tmp_path: Path, text: str):
    df = pd.DataFrame({"id": ["s1", "s2"], "text": [text, HOSTILE]})
    for name in ("prop.csv", "prop.jsonl"):
        path = tmp_path / name
        write_corpus(df, path)
        back = read_corpus(path)
        assert back["text"].tolist() == [text, HOSTILE]
        assert back["id"].tolist() == ["s1", "s2"]


def test_bad_arguments(tmp_path: Path):
    with pytest.raises(ValueError, match="errors"):
        read_corpus(tmp_path / "x.csv", errors="ignore")
    with pytest.raises(ValueError, match="chunksize"):
        iter_corpus(tmp_path / "x.csv", chunksize=0)
    with pytest.raises(ValueError, match="unknown corpus format"):
        read_corpus(tmp_path / "x.csv", format="xlsx")
