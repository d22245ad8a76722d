"""Tests for tonekit.corpus: reading, validation, streaming and atomic writing.

The statements below are short constructed examples in the style of DPRK
statements about Japan, not quotations.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonekit.corpus import (
    CORPUS_COLUMNS,
    CorpusError,
    CorpusProblem,
    CorpusWriter,
    error_message,
    is_missing,
    iter_corpus,
    parse_date,
    read_corpus,
    resolve_format,
    value_kind,
    write_corpus,
)

SRC = Path(__file__).resolve().parents[2] / "src"

# Constructed statements.
HOSTILE = "Japan had better drop its reckless ambition for overseas expansion."
COURTEOUS = "We sincerely hope that Japan will take a sincere attitude toward the past."
MIXED = "The Japanese reactionaries will pay dearly for this,\nand the world will see it."


def write_text(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def sample_frame(n: int = 5) -> pd.DataFrame:
    texts = [HOSTILE, COURTEOUS, MIXED, "", "Japan should not act rashly — «Rodong Sinmun», 朝鮮"]
    dates = ["2019-11-30", "2024-03-26", "2021-01-01", "", "2007-01-01"]
    return read_corpus_from_records(
        [
            {"id": f"s{i}", "date": dates[i % 5], "speaker": "KCNA", "text": texts[i % 5]}
            for i in range(n)
        ]
    )


def read_corpus_from_records(records: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(records)
    df["date"] = pd.to_datetime(df["date"].replace("", None)).astype("datetime64[us]")
    return df


# --------------------------------------------------------------------------- problems


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


# --------------------------------------------------------------------------- JSONL


@pytest.fixture
def broken_jsonl_with_blank_line(tmp_path: Path) -> Path:
    return write_text(
        tmp_path / "statements.jsonl",
        f"""
        {{"id": "s1", "date": "2019-11-30", "text": "{HOSTILE}"}}
        {{"id": "s2", "date": "2019-12-01", "text": "Japan "will" pay dearly"}}

        {{"id": "s3", "date": "2020-01-02", "text": "{COURTEOUS}"}}
        """,
    )


def test_jsonl_malformed_line_raises_naming_line_2(broken_jsonl_with_blank_line: Path):
    with pytest.raises(CorpusError) as info:
        read_corpus(broken_jsonl_with_blank_line)
    err = info.value
    assert isinstance(err, ValueError)
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.line == 2 and problem.field == "text"
    assert "statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)" in str(err)


def test_jsonl_malformed_line_report_keeps_all_rows(broken_jsonl_with_blank_line: Path):
    df = read_corpus(broken_jsonl_with_blank_line, errors="report")
    assert len(df) == 3  # the blank line 3 is not a row
    assert df["id"].tolist()[0] == "s1" and df["id"].tolist()[2] == "s3"
    assert pd.isna(df.loc[1, "id"]) and pd.isna(df.loc[1, "text"])
    assert df["error"].isna().tolist() == [True, False, True]
    assert df.loc[1, "error"].endswith("statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)")
    assert [p.line for p in df.attrs["problems"]] == [2]
    # the line after the blank one is physical line 4
    assert df.loc[2, "date"] == pd.Timestamp("2020-01-02")


def test_report_mode_keeps_the_error_column_of_the_file_and_adds_new_problems(tmp_path: Path):
    # A file with its own error column, as a scored output has: its messages are data.
    path = tmp_path / "scores.jsonl"
    rows = [
        {"id": "s1", "text": HOSTILE, "error": None},
        {"id": "s2", "text": None, "error": "missing text (null)"},
        {"id": "s2", "text": COURTEOUS, "error": ""},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    df = read_corpus(path, errors="report")
    assert df.loc[0, "error"] is None
    assert df.loc[1, "error"].startswith("missing text (null); ")
    assert df.loc[1, "error"].endswith("scores.jsonl, line 2, field 'text': missing text (null)")
    assert df.loc[2, "error"].endswith("scores.jsonl, line 3, field 'id': duplicate id 's2' (first used on line 2)")
    assert not df.loc[2, "error"].startswith(";")


def test_jsonl_non_string_text_and_ids(tmp_path: Path):
    path = write_text(
        tmp_path / "s.ndjson",
        """
        {"id": "a", "text": null}
        {"id": "b", "text": 42}
        {"id": "c", "text": ["Japan", "must"]}
        {"id": 7, "text": ""}
        {"text": "no id here"}
        {"id": "  ", "text": "blank id"}
        {"id": true, "text": "boolean id"}
        {"id": "h"}
        [1, 2]
        """,
    )
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    by_line = {p.line: p for p in info.value.problems}
    assert by_line[1].field == "text" and "missing text" in by_line[1].message
    assert "text must be a string, not a number" in by_line[2].message
    assert "not an array" in by_line[3].message
    assert 4 not in by_line  # integer id and empty text are fine
    assert by_line[5].field == "id" and by_line[5].message == "missing id"
    assert by_line[6].message == "empty id"
    assert "boolean" in by_line[7].message
    assert by_line[8].field == "text" and by_line[8].message == "missing text"
    assert "expected a JSON object" in by_line[9].message
    df = read_corpus(path, errors="report")
    assert df.loc[3, "id"] == "7" and df.loc[3, "text"] == "" and pd.isna(df.loc[3, "error"])
    assert len(df) == 9


def test_jsonl_numbers_are_read_exactly(tmp_path: Path):
    # Integers beyond 64 bits stay integers (an id keeps every digit), floats keep
    # every bit, and the non-standard NaN that Python writes is accepted.
    path = write_text(
        tmp_path / "s.jsonl",
        """
        {"id": 123456789012345678901234567890, "text": "Abe is a political dwarf.", "n": 7}
        {"id": "b", "text": "x", "n": 98765432109876543210, "v": 0.1, "l": [1, 99999999999999999999999]}
        {"id": "c", "text": "y", "v": NaN}
        """,
    )
    df = read_corpus(path)
    assert df["id"].tolist() == ["123456789012345678901234567890", "b", "c"]
    assert df.loc[1, "n"] == 98765432109876543210 and df.loc[1, "v"] == 0.1
    assert df.loc[1, "l"] == [1, 99999999999999999999999]
    assert pd.isna(df.loc[2, "v"])


def test_jsonl_columns_keep_the_order_their_keys_first_appear(tmp_path: Path):
    # id, text and date are rebuilt by validation; they stay where the file has them.
    path = write_text(
        tmp_path / "s.jsonl",
        f"""
        {{"date": "2024-03-26", "speaker": "Kim Yo Jong", "id": "s1", "text": "{HOSTILE}"}}
        {{"speaker": "Choe Son Hui", "text": "{COURTEOUS}", "id": "s2", "note": "KCNA"}}
        """,
    )
    df = read_corpus(path)
    assert list(df.columns) == ["date", "speaker", "id", "text", "note"]
    assert df["id"].tolist() == ["s1", "s2"] and df["text"].tolist() == [HOSTILE, COURTEOUS]
    assert str(df.loc[0, "date"].date()) == "2024-03-26" and pd.isna(df.loc[1, "date"])
    assert pd.isna(df.loc[0, "note"]) and df.loc[1, "note"] == "KCNA"


def test_jsonl_unpaired_surrogate_is_a_problem_of_its_line_and_the_row_is_kept(tmp_path: Path):
    # "\ud800" is valid JSON but no Unicode that UTF-8 (or a pandas string column) can
    # hold: the row is kept, with the escape as visible text and the problem on its line.
    # The statements are constructed.
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": "a", "text": "Japan \\ud800 must apologise"}\n{"id": "b", "text": "We thank Japan."}\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"s\.jsonl, line 1, field 'text': not valid Unicode"):
        read_corpus(path)
    df = read_corpus(path, errors="report")
    assert df["text"].tolist() == ["Japan \\ud800 must apologise", "We thank Japan."]
    assert "unpaired surrogate" in df.loc[0, "error"] and pd.isna(df.loc[1, "error"])


# --------------------------------------------------------------------------- CSV


def test_csv_multiline_text_and_duplicate_id_name_the_right_lines(tmp_path: Path):
    path = write_text(
        tmp_path / "statements.csv",
        '''
        id,date,speaker,text
        s1,2019-11-30,KCNA,"Japan had better drop
        its reckless ambition."
        s2,2019-12-01,KCNA,"The Japanese reactionaries

        will pay dearly."
        s1,2020-01-02,Rodong Sinmun,"A duplicate id on line 7."
        s3,2020-01-03,KCNA,""
        ''',
    )
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.row, problem.field) == (7, 2, "id")
    assert "duplicate id 's1' (first used on line 2)" in problem.message
    assert "statements.csv, line 7, field 'id'" in str(info.value)

    df = read_corpus(path, errors="report")
    assert df["id"].tolist() == ["s1", "s2", "s1", "s3"]  # both duplicates kept
    assert df["error"].notna().tolist() == [False, False, True, False]
    assert df.loc[1, "text"] == "The Japanese reactionaries\n\nwill pay dearly."
    assert df.loc[3, "text"] == ""  # empty text is valid, not NaN
    assert df["date"].dtype.kind == "M"


def test_csv_unparseable_date_names_line_and_field(tmp_path: Path):
    path = write_text(
        tmp_path / "statements.csv",
        f"""
        id,date,text
        s1,2019-11-30,"{HOSTILE}"
        s2,30/11/2019,"{COURTEOUS}"
        s3,,"No date is fine."
        s4,2019-02-30,"Impossible day."
        s5,2019-11-30T09:00:00+09:00,"A time is allowed."
        """,
    )
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    assert [(p.line, p.field) for p in info.value.problems] == [(3, "date"), (5, "date")]
    assert "statements.csv, line 3, field 'date': unparseable date '30/11/2019'" in str(info.value)

    df = read_corpus(path, errors="report")
    assert pd.isna(df.loc[1, "date"]) and pd.isna(df.loc[2, "date"])
    assert df.loc[4, "date"] == pd.Timestamp("2019-11-30")
    assert df["error"].notna().tolist() == [False, True, False, True, False]


def test_csv_missing_column_and_short_rows(tmp_path: Path):
    no_text = write_text(tmp_path / "no_text.csv", "id,speaker\ns1,KCNA\n")
    with pytest.raises(CorpusError) as info:
        read_corpus(no_text)
    assert str(info.value.problems[0]) == "%s, line 1, field 'text': missing required column 'text'" % no_text
    df = read_corpus(no_text, errors="report")
    assert df.loc[0, "error"].endswith("missing required column 'text'")

    short = write_text(tmp_path / "short.csv", "id,text,speaker\ns1\ns2,,KCNA\n")
    with pytest.raises(CorpusError) as info:
        read_corpus(short)
    messages = [(p.line, p.field, p.message) for p in info.value.problems]
    assert (2, "text", "missing text") in messages  # a missing cell is not an empty text
    assert all(line == 2 for line, _, _ in messages)  # s2 has an empty text: fine


def test_csv_unterminated_quote_is_fatal_with_line(tmp_path: Path):
    path = write_text(tmp_path / "s.csv", 'id,text\ns1,"fine"\ns2,"never closed\nmore\n')
    for errors in ("raise", "report"):
        with pytest.raises(CorpusError, match=r"s\.csv, line 3: invalid CSV \(unterminated quoted field\)"):
            read_corpus(path, errors=errors)


def test_extra_columns_are_kept_and_format_override(tmp_path: Path):
    path = write_text(tmp_path / "statements.txt", f'id,text,stance\ns1,"{HOSTILE}",hostile\n')
    with pytest.raises(ValueError, match="cannot tell the format"):
        read_corpus(path)
    df = read_corpus(path, format="csv")
    assert df.columns.tolist() == ["id", "text", "stance"]


def test_stdin_dash(monkeypatch: pytest.MonkeyPatch):
    import io

    data = json.dumps({"id": "s1", "text": HOSTILE}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8"))
    df = read_corpus("-", format="jsonl")
    assert df["text"].tolist() == [HOSTILE]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,text\ns1,hi\n"), encoding="utf-8"))
    assert read_corpus("-")["text"].tolist() == ["hi"]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_round_trip(tmp_path: Path, suffix: str):
    df = sample_frame(5)
    path = tmp_path / f"statements{suffix}"
    assert write_corpus(df, path) == 5
    back = read_corpus(path)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert back["date"].dtype == df["date"].dtype
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_parquet_chunks_with_varying_content_share_one_schema(tmp_path: Path):
    first = pd.DataFrame({"id": ["a"], "text": [HOSTILE], "note": [None]})
    second = pd.DataFrame({"text": [COURTEOUS], "id": ["b"], "note": ["from KCNA"]})  # other order
    path = tmp_path / "s.pq"
    write_corpus(iter([first, second]), path)
    back = read_corpus(path)
    assert back["id"].tolist() == ["a", "b"]
    assert back["note"].tolist()[1] == "from KCNA" and pd.isna(back["note"].tolist()[0])
    # A chunk that lacks a column gets nulls in it.
    third = pd.DataFrame({"id": ["c"], "text": [HOSTILE]})
    write_corpus([second, third], tmp_path / "lacking.parquet")
    lacking = read_corpus(tmp_path / "lacking.parquet")
    assert lacking["note"].tolist()[0] == "from KCNA" and pd.isna(lacking["note"].tolist()[1])


def test_jsonl_writer_output(tmp_path: Path):
    df = pd.DataFrame(
        {
            "id": ["s1", "s2"],
            "text": ["朝鮮 «KCNA»", None],
            "date": pd.to_datetime(["2019-11-30", None]),
            "score": [0.5, float("nan")],
        }
    )
    path = tmp_path / "s.jsonl"
    write_corpus(df, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"id": "s1", "text": "朝鮮 «KCNA»", "date": "2019-11-30", "score": 0.5}
    assert json.loads(lines[1]) == {"id": "s2", "text": None, "date": None, "score": None}
    assert "朝鮮" in lines[0]  # ensure_ascii=False


def test_writers_keep_every_value_exactly(tmp_path: Path):
    # Floats keep all their digits; an integer beyond 64 bits and a lone carriage return
    # take the writers' careful paths instead of being lost or breaking a record.
    df = pd.DataFrame({"id": ["s1", "s2", "s3"], "text": ["a\rb", "x", 'say "no", then'],
                       "score": [1 / 3, 1e-05, 1e22], "big": [2**70, 1, -5]})
    write_corpus(df, tmp_path / "s.jsonl")
    records = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["score"] for r in records] == [1 / 3, 1e-05, 1e22]
    assert [r["big"] for r in records] == [2**70, 1, -5]
    write_corpus(df, tmp_path / "s.csv")
    back = read_corpus(tmp_path / "s.csv")
    assert back["text"].tolist() == df["text"].tolist()
    assert back["score"].astype(float).tolist() == [1 / 3, 1e-05, 1e22]
    assert back["big"].astype(str).tolist() == [str(2**70), "1", "-5"]


def test_jsonl_lines_are_the_records_whatever_the_columns(tmp_path: Path):
    # Scores from a 2-D array, keys that need escaping, and every kind of column the
    # writer encodes on its own (constructed values).
    scores = np.array([[0.1, float("nan")], [1 / 3, float("inf")], [-0.0, 1e-300]])
    df = pd.DataFrame(scores, columns=["hostility", 'say "100%"'])
    df.insert(0, "id", ["s1", "s2", "s3"])
    df["text"] = pd.Series([HOSTILE, "朝鮮 «KCNA», \\ \"quoted\"", None], dtype=object)
    df["n_tokens"] = pd.array([12, None, 3], dtype="Int64")
    df["flag"] = pd.array([True, None, False], dtype="boolean")
    df["f32"] = np.array([0.5, 0.25, 2.0], dtype="float32")
    df["cat"] = pd.Categorical(["a", None, "b"])
    df["nested"] = pd.Series([[1, "x"], {"k": 2.5}, 2**70], dtype=object)
    df["error"] = pd.Series([None, "Japan \ud800", None], dtype=object)
    path = tmp_path / "s.jsonl"
    write_corpus(df, path)
    records = [json.loads(line) for line in path.read_bytes().decode("utf-8").splitlines()]
    assert records == [
        {"id": "s1", "hostility": 0.1, 'say "100%"': None, "text": HOSTILE, "n_tokens": 12, "flag": True,
         "f32": 0.5, "cat": "a", "nested": [1, "x"], "error": None},
        {"id": "s2", "hostility": 1 / 3, 'say "100%"': None, "text": "朝鮮 «KCNA», \\ \"quoted\"", "n_tokens": None,
         "flag": None, "f32": 0.25, "cat": None, "nested": {"k": 2.5}, "error": "Japan \ud800"},
        {"id": "s3", "hostility": -0.0, 'say "100%"': 1e-300, "text": None, "n_tokens": 3, "flag": False,
         "f32": 2.0, "cat": "b", "nested": 2**70, "error": None},
    ]


@pytest.mark.parametrize("name", ["s.csv", "s.parquet"])
def test_text_utf8_cannot_hold_is_refused_naming_its_row_and_column(tmp_path: Path, name: str):
    # An unpaired surrogate: only an object column holds one (constructed text).
    df = pd.DataFrame({"id": ["s1", "s2"], "text": pd.Series([HOSTILE, "Japan \ud800 must"], dtype=object)})
    df.index = [10, 11]
    with pytest.raises(ValueError, match=r"s\.(csv|parquet): row with index 11, column 'text': not valid Unicode"):
        write_corpus(df, tmp_path / name)
    assert os.listdir(tmp_path) == []  # no output, no temporary file


def test_stdout_dash(capsys: pytest.CaptureFixture[str]):
    write_corpus(pd.DataFrame({"id": ["s1"], "text": [HOSTILE]}), "-", format="jsonl")
    assert json.loads(capsys.readouterr().out) == {"id": "s1", "text": HOSTILE}
    with pytest.raises(ValueError, match="stdout"):
        write_corpus(pd.DataFrame({"id": ["s1"], "text": ["x"]}), "-", format="parquet")


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


def test_csv_of_one_column_keeps_its_empty_cells(tmp_path: Path):
    # A record holding one empty cell is written '""': a blank line would be no record.
    path = tmp_path / "notes.csv"
    write_corpus(pd.DataFrame({"note": ["", "KCNA", None, 'say "no", then']}), path)
    assert path.read_text(encoding="utf-8").splitlines() == ["note", '""', "KCNA", '""', '"say ""no"", then"']


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


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("chunksize", [1, 3, 100])
def test_iter_corpus_chunks_concatenate_to_read_corpus(tmp_path: Path, suffix: str, chunksize: int):
    df = sample_frame(8)
    df.loc[6, "id"] = "s1"  # duplicate across chunks
    path = tmp_path / f"s{suffix}"
    write_corpus(df, path)
    chunks = list(iter_corpus(path, chunksize=chunksize))
    assert all(len(c) <= chunksize for c in chunks)
    whole = read_corpus(path, errors="report")
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert whole["error"].notna().tolist() == [i == 6 for i in range(8)]
    assert sum(len(c.attrs["problems"]) for c in chunks) == 1


def test_iter_corpus_raise_stops_at_first_bad_chunk(tmp_path: Path):
    df = sample_frame(6)
    df.loc[4, "id"] = "s0"
    path = tmp_path / "s.jsonl"
    write_corpus(df, path)
    it = iter_corpus(path, chunksize=2, errors="raise")
    assert len(next(it)) == 2 and len(next(it)) == 2
    with pytest.raises(CorpusError, match="line 5, field 'id': duplicate id 's0' \\(first used on line 1\\)"):
        next(it)


def test_bad_arguments(tmp_path: Path):
    with pytest.raises(ValueError, match="errors"):
        read_corpus(tmp_path / "x.csv", errors="ignore")
    with pytest.raises(ValueError, match="chunksize"):
        iter_corpus(tmp_path / "x.csv", chunksize=0)
    with pytest.raises(ValueError, match="unknown corpus format"):
        read_corpus(tmp_path / "x.csv", format="xlsx")


# --------------------------------------------------------------------------- atomic writing


def _chunks_then(exc: BaseException):
    yield pd.DataFrame({"id": ["s1"], "text": [HOSTILE]})
    yield pd.DataFrame({"id": ["s2"], "text": [COURTEOUS]})
    raise exc


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("exc", [RuntimeError("source failed"), KeyboardInterrupt()])
def test_interrupted_write_leaves_no_file(tmp_path: Path, suffix: str, exc: BaseException):
    dest = tmp_path / f"out{suffix}"
    with pytest.raises(type(exc)):
        write_corpus(_chunks_then(exc), dest)
    assert list(tmp_path.iterdir()) == []  # neither destination nor temp file


def test_interrupted_write_keeps_previous_file(tmp_path: Path):
    dest = tmp_path / "out.csv"
    dest.write_text("id,text\nold,previous run\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with CorpusWriter(dest) as writer:
            writer.write(pd.DataFrame({"id": ["new"], "text": [HOSTILE]}))
            raise RuntimeError("stop")
    assert dest.read_text(encoding="utf-8") == "id,text\nold,previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_empty_write_gives_valid_empty_corpus(tmp_path: Path):
    for suffix in (".csv", ".jsonl", ".parquet"):
        dest = tmp_path / f"empty{suffix}"
        assert write_corpus([], dest) == 0
        assert len(read_corpus(dest)) == 0


CHILD = """
import sys, time
import pandas as pd
from tonekit.corpus import write_corpus

def chunks():
    for i in range(1000):
        yield pd.DataFrame({"id": [f"s{i}"], "text": ["Japan had better drop its reckless ambition."]})
        if i == 2:
            print("WRITING", flush=True)
        time.sleep(0.05)

write_corpus(chunks(), sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_killed_writer_leaves_no_destination(tmp_path: Path, suffix: str):
    dest = tmp_path / f"out{suffix}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(dest)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "WRITING", child.stderr.read()
        temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert temps, "the writer should be mid-write, with its temporary file open"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert not dest.exists()


# --------------------------------------------------------------------------- columns that come and go


def parquet_table(path: Path):
    import pyarrow.parquet as pq

    return pq.read_table(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_writer_adds_a_column_first_seen_in_a_later_chunk_as_if_written_at_once(tmp_path: Path, suffix: str):
    # An optional field ("note") that the first chunk lacks and the last one lacks again.
    df = pd.DataFrame(
        {
            "id": ["s1", "s2", "s3", "s4"],
            "text": [HOSTILE, COURTEOUS, MIXED, "Japan, \"the so-called\" partner"],
            "note": [None, "from KCNA, Pyongyang", "line\nbreak", None],
            "hostility": [0.5, 0.25, 0.0, 1.0],
            "error": [None, None, "x", None],
        }
    )
    once, chunked = tmp_path / f"once{suffix}", tmp_path / f"chunked{suffix}"
    write_corpus(df, once)
    chunks = [df.iloc[:1].drop(columns="note"), df.iloc[1:3], df.iloc[3:].drop(columns="note")]
    assert write_corpus(iter(chunks), chunked) == 4
    if suffix == ".parquet":
        assert parquet_table(chunked).equals(parquet_table(once))
    else:
        assert chunked.read_bytes() == once.read_bytes()
    assert list(read_corpus(chunked, errors="report").columns) == ["id", "text", "note", "hostility", "error"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_writer_inserts_a_new_column_before_the_known_column_that_follows_it(tmp_path: Path):
    path = tmp_path / "out.csv"
    chunks = [
        pd.DataFrame({"id": ["a"], "text": ["x"], "score": [1.0]}),
        pd.DataFrame({"id": ["b"], "text": ["y"], "speaker": ["KCNA"], "score": [2.0]}),
        pd.DataFrame({"id": ["c"], "outlet": ["Rodong Sinmun"], "text": ["z"], "score": [3.0]}),
    ]
    write_corpus(iter(chunks), path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "id,outlet,text,speaker,score",
        "a,,x,,1.0",
        "b,,y,KCNA,2.0",
        "c,Rodong Sinmun,z,,3.0",
    ]


def test_stdout_dash_adds_a_late_column_too(capsys: pytest.CaptureFixture[str]):
    chunks = [pd.DataFrame({"id": ["s1"], "text": [HOSTILE]}), pd.DataFrame({"id": ["s2"], "text": ["x"], "note": ["n"]})]
    write_corpus(iter(chunks), "-", format="csv")
    assert capsys.readouterr().out.splitlines() == ["id,text,note", f"s1,{HOSTILE},", "s2,x,n"]


@pytest.mark.parametrize("chunksize", [1, 2, 3, 10])
def test_jsonl_chunks_have_every_key_seen_so_far_in_the_order_keys_first_appear(tmp_path: Path, chunksize: int):
    path = tmp_path / "s.jsonl"
    records = [
        {"id": "s1", "text": HOSTILE},
        {"id": "s2", "text": COURTEOUS, "note": "late key"},
        {"speaker": "KCNA", "id": "s3", "text": MIXED},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    chunks = list(iter_corpus(path, chunksize=chunksize))
    assert all(list(c.columns)[:2] == ["id", "text"] for c in chunks)
    assert list(chunks[-1].columns) == ["id", "text", "note", "speaker", "error"]
    whole = pd.concat(chunks)
    assert whole["note"].tolist()[1] == "late key" and pd.isna(whole["note"].tolist()[2])


@pytest.mark.parametrize("chunksize", [1, 2, 10])
def test_jsonl_integers_stay_exact_when_a_record_lacks_them_or_a_line_is_broken(tmp_path: Path, chunksize: int):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": "s1", "text": "a", "tweet_id": 1234567890123456789, "n": 1}\n'
        '{"id": "s2", "text": "b", "tweet_id": null}\n'
        '{"id": "s3", "text": "c", "tweet_id": 2, "n": 99999999999999999999999}\n'
        '{"id": "s4", "text": broken}\n',
        encoding="utf-8",
    )
    df = pd.concat(iter_corpus(path, chunksize=chunksize))
    assert [v for v in df["tweet_id"].tolist() if not pd.isna(v)] == [1234567890123456789, 2]
    assert df["tweet_id"].isna().tolist() == [False, True, False, True]
    assert [v for v in df["n"].tolist() if not pd.isna(v)] == [1, 99999999999999999999999]
    assert all(type(v) is int for v in df["tweet_id"].dropna().tolist())
    out = tmp_path / "out.jsonl"
    write_corpus(df, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert '"tweet_id":1234567890123456789,"n":1' in lines[0] and '"tweet_id":null,"n":null' in lines[1]


@pytest.mark.parametrize("chunksize", [2, 10])
def test_jsonl_integers_mixed_with_fractions_stay_integers(tmp_path: Path, chunksize: int):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": "a", "text": "x", "v": 1}\n{"id": "b", "text": "y", "v": 2.5}\n{"id": "c", "text": "z", "v": "n/a"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    write_corpus(iter_corpus(path, chunksize=chunksize), out)
    assert [json.loads(line)["v"] for line in out.read_text(encoding="utf-8").splitlines()] == [1, 2.5, "n/a"]
    assert '"v":1,' in out.read_text(encoding="utf-8").splitlines()[0]


def test_parquet_integer_column_with_nulls_stays_integer(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "s.parquet"
    pq.write_table(
        pa.table({"id": ["a", "b", "c"], "text": ["x", "y", "z"], "n": pa.array([1234567890123456789, None, 3])}),
        path,
    )
    df = read_corpus(path)
    assert df["n"].tolist()[0] == 1234567890123456789 and pd.isna(df["n"].tolist()[1])
    write_corpus(df, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "a,x,1234567890123456789",
        "b,y,",
        "c,z,3",
    ]


def test_parquet_column_null_in_the_first_chunk_gets_the_type_of_its_later_values(tmp_path: Path):
    # As read from JSON Lines: a chunk whose records hold only null has an object column.
    first = pd.DataFrame({"id": ["a"], "text": ["x"], "n": pd.Series([None], dtype=object), "error": [None]})
    second = pd.DataFrame({"id": ["b"], "text": ["y"], "n": pd.array([7], dtype="Int64"), "error": ["oops"]})
    path = tmp_path / "s.parquet"
    write_corpus(iter([first, second]), path)
    table = parquet_table(path)
    assert str(table.schema.field("n").type) == "int64" and table.column("n").to_pylist() == [None, 7]
    assert str(table.schema.field("error").type) == "string"


def test_csv_field_longer_than_the_csv_module_default_limit(tmp_path: Path):
    import csv

    text = HOSTILE * 3000  # over 131,072 characters
    path = tmp_path / "long.csv"
    write_corpus(pd.DataFrame({"id": ["s1", "s2"], "text": [text, COURTEOUS]}), path)
    limit = csv.field_size_limit()
    assert read_corpus(path)["text"].tolist() == [text, COURTEOUS]
    chunks = iter_corpus(path, chunksize=1)
    next(chunks)
    assert csv.field_size_limit() == limit  # the process-wide setting is back between chunks
    list(chunks)
    assert csv.field_size_limit() == limit


def test_json_false_or_0_in_the_error_field_is_no_message(tmp_path: Path):
    path = tmp_path / "s.jsonl"
    path.write_text(
        f'{{"id": "s1", "text": "{HOSTILE}", "error": false}}\n{{"id": "s2", "text": "x", "error": 0}}\n'
        '{"id": "s3", "text": "y", "error": "checked by hand"}\n',
        encoding="utf-8",
    )
    df = read_corpus(path, errors="report")
    assert df["error"].tolist() == [None, None, "checked by hand"]


# --------------------------------------------------------------------------- widening in one pass


def chunks_each_with_a_new_key(n: int) -> list[pd.DataFrame]:
    """``n`` chunks of 3 rows; chunk ``k`` brings the key ``k{k}`` (between the text
    and the scores, as JSON Lines records with a new field give them); text that CSV
    must quote, a lone carriage return and non-ASCII text among the values."""
    texts = [HOSTILE, 'Japan, "the so-called" partner', "line\nbreak\rand 朝鮮 «KCNA»"]
    chunks = []
    for k in range(n):
        extra = {f"k{j}": [f"v{j}, of {k}", None, "" if j % 2 else '"q"'] for j in range(k + 1)}
        ids = {"id": [f"s{k}.{i}" for i in range(3)], "text": texts}
        scores = {"hostility": [0.5, -0.0, float(k)], "error": [None, None, f"e{k}"]}
        chunks.append(pd.DataFrame({**ids, **extra, **scores}))
    return chunks


class TemporaryFiles:
    """Stands in for ``os.fdopen`` while a writer runs: keeps count of the temporary
    files it opens and of the bytes read from them line by line; ``fail_in`` makes
    writing to the temporary file of that number (1-based) fail after a few bytes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_in: int | None = None) -> None:
        self.opened = 0
        self.read: list[int] = []
        self.fail_in = fail_in
        monkeypatch.setattr(os, "fdopen", self.fdopen)

    def fdopen(self, fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        assert mode == "w+b"
        self.opened += 1
        files, failing = self, self.opened == self.fail_in

        class Counted(io.BufferedRandom):
            def readline(self, size: int = -1) -> bytes:
                line = super().readline(size)
                files.read.append(len(line))
                return line

            def write(self, data: Any) -> int:
                if failing:
                    super().write(b"part of a row")
                    raise KeyboardInterrupt
                return super().write(data)

        return Counted(io.FileIO(fd, "r+"))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_csv_and_jsonl_are_widened_in_one_copy_however_many_columns_come(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
):
    # Linear, whatever the number of chunks bringing a column: the temporary file is
    # copied once, on close, each line of it read once.
    files = TemporaryFiles(monkeypatch)
    chunks = chunks_each_with_a_new_key(50)
    chunked = tmp_path / f"chunked{suffix}"
    with CorpusWriter(chunked) as writer:
        for chunk in chunks:
            writer.write(chunk)
        assert files.opened == 1  # no copy while the chunks come
    assert writer.rows == 150
    assert files.opened == 2  # one copy, on close
    # Each row read once, as written: with the columns of its chunk.
    rows = []
    for k, chunk in enumerate(chunks):
        write_corpus(chunk, tmp_path / f"alone{k}{suffix}")
        written = (tmp_path / f"alone{k}{suffix}").read_bytes()
        rows.append(written.split(b"\n", 1)[1] if suffix == ".csv" else written)  # without the header
    assert sum(files.read) == sum(map(len, rows))
    assert not list(tmp_path.glob(".*.tmp"))

    # As if written at once: the columns in the order their keys came, nulls in the rows before.
    files.opened = 0
    once = tmp_path / f"once{suffix}"
    write_corpus(pd.concat(chunks, ignore_index=True)[list(chunks[-1].columns)], once)
    assert files.opened == 1  # the columns never changed: no copy
    assert chunked.read_bytes() == once.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_stdout_gets_the_rows_widened_as_if_written_at_once(capsysbinary: pytest.CaptureFixture[bytes], fmt: str):
    chunks = chunks_each_with_a_new_key(4)
    write_corpus(pd.concat(chunks, ignore_index=True)[list(chunks[-1].columns)], "-", format=fmt)
    once = capsysbinary.readouterr().out
    write_corpus(iter(chunks), "-", format=fmt)
    assert capsysbinary.readouterr().out == once


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_failure_in_the_widening_on_close_leaves_no_output_and_no_temporary_file(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
):
    files = TemporaryFiles(monkeypatch, fail_in=2)  # the copy that adds the late columns
    dest = tmp_path / f"out{suffix}"
    dest.write_bytes(b"previous run\n")
    with pytest.raises(KeyboardInterrupt):
        write_corpus(iter(chunks_each_with_a_new_key(3)), dest)
    assert files.opened == 2
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]
    assert dest.read_bytes() == b"previous run\n"


# --------------------------------------------------------------------------- Parquet types


def with_x(values: Any) -> pd.DataFrame:
    """Statements with a column ``x`` holding ``values`` (a list, Series or array)."""
    n = len(values)
    return pd.DataFrame({"id": [f"s{i}" for i in range(n)], "text": [HOSTILE] * n, "x": values})


@pytest.mark.parametrize(
    "xs, expected",
    [
        ([[1, 2], [2.5, 3]], "double"),  # int64, then a fraction
        ([[0.5], [1, 2]], "double"),
        ([[1, 2], [3, None]], "double"),  # int64, then pandas' float64 with NaN
        ([[3, None], [1, 2]], "double"),
        ([[None], [1], [2.5, None]], "double"),  # nulls only, then int64, then double
        ([[True, False], pd.Series([True, None], dtype=object)], "bool"),  # bool, then object
        ([pd.Series([None, False], dtype=object), [True, False]], "bool"),
        ([pd.array([1, None], dtype="Int64"), [2, 3]], "int64"),
        ([pd.Series([1, np.nan], dtype=object), [2, 3]], "int64"),  # integers with a gap, as object
        ([np.array([1, 2], dtype="int32"), [2**40]], "int64"),
    ],
)
def test_parquet_column_types_do_not_depend_on_the_chunks(tmp_path: Path, xs: list[Any], expected: str):
    chunks = [with_x(values) for values in xs]
    once, chunked = tmp_path / "once.parquet", tmp_path / "chunked.parquet"
    write_corpus(pd.concat(chunks, ignore_index=True), once)
    write_corpus(iter(chunks), chunked)
    assert str(parquet_table(once).schema.field("x").type) == expected
    assert parquet_table(chunked).schema == parquet_table(once).schema
    assert parquet_table(chunked).equals(parquet_table(once))
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("chunksize", [1, 2, 3])
def test_parquet_from_jsonl_chunks_equals_parquet_from_the_whole_file(tmp_path: Path, chunksize: int):
    # JSON Lines gives, chunk by chunk: integers, then fractions; booleans, with a null
    # or not; integers with gaps; a key that only later records have.
    records = [
        {"id": "s1", "text": HOSTILE, "v": 1, "flag": True, "n": 1},
        {"id": "s2", "text": COURTEOUS, "v": 2, "flag": None, "n": None},
        {"id": "s3", "text": MIXED, "v": 2.5, "flag": False, "n": 3, "note": "KCNA"},
        {"id": "s4", "text": "x", "v": None, "flag": True, "n": 4, "note": None},
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    write_corpus(read_corpus(path, errors="report"), tmp_path / "once.parquet")
    write_corpus(iter_corpus(path, chunksize=chunksize), tmp_path / "chunked.parquet")
    once, chunked = parquet_table(tmp_path / "once.parquet"), parquet_table(tmp_path / "chunked.parquet")
    assert {f.name: str(f.type) for f in once.schema if f.name in "v flag n"} == {
        "v": "double",
        "flag": "bool",
        "n": "int64",
    }
    assert chunked.schema == once.schema and chunked.equals(once)


@pytest.mark.parametrize(
    "first, later, message",
    [
        (["n/a"], [1], "column 'x' of chunk 2 is int64, but string in the chunks before, and no Parquet type holds both"),
        ([1], ["n/a"], "column 'x' of chunk 2 is string, but int64 in the chunks before, and no Parquet type holds both"),
        ([True], [1], "column 'x' of chunk 2 is int64, but bool in the chunks before, and no Parquet type holds both"),
        ([2**53 + 1], [2.5], r"column 'x' of chunk 2 is double, but int64 in the chunks before, and double cannot"),
        ([0.5], [2**53 + 1], r"column 'x' of chunk 2 is int64, but double in the chunks before, and double cannot"),
    ],
)
def test_parquet_column_no_type_holds_without_loss_is_refused_and_the_writer_goes_on(
    tmp_path: Path, first: list[Any], later: list[Any], message: str
):
    path = tmp_path / "s.parquet"
    with CorpusWriter(path) as writer:
        writer.write(with_x(first))
        with pytest.raises(ValueError, match=message):
            writer.write(with_x(later))
        writer.write(with_x(first))  # nothing changed: the next chunk is written
    assert parquet_table(path).column("x").to_pylist() == first * 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_parquet_column_of_nulls_then_text_then_numbers_is_refused_and_the_writer_goes_on(tmp_path: Path):
    # The first values of a column that held only nulls fix its type: later numbers clash with that text.
    path = tmp_path / "s.parquet"
    with CorpusWriter(path) as writer:
        writer.write(with_x(pd.Series([None], dtype=object)))
        writer.write(with_x(["n/a"]))
        with pytest.raises(ValueError, match="column 'x' of chunk 3 is int64, but string in the chunks before"):
            writer.write(with_x([1]))
        writer.write(with_x(["m"]))
    assert parquet_table(path).column("x").to_pylist() == [None, "n/a", "m"]
    assert not list(tmp_path.glob(".*.tmp"))
