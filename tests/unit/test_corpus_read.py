"""Tests for reading corpora (tonekit.corpus.read and .validate): CSV, JSON Lines and
Parquet, whole and in chunks, with every problem named by file, line and field.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from tonekit.corpus import (
    CorpusError,
    iter_corpus,
    read_corpus,
    write_corpus,
)

from corpus_samples import HOSTILE, COURTEOUS, MIXED, sample_frame, write_text


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
    # every bit, and the non-standard NaN that Python writes is kept as its text, with
    # an error: JSON has no such number, and pandas would make it a missing value.
    path = write_text(
        tmp_path / "s.jsonl",
        """
        {"id": 123456789012345678901234567890, "text": "Abe is a political dwarf.", "n": 7}
        {"id": "b", "text": "x", "n": 98765432109876543210, "v": 0.1, "l": [1, 99999999999999999999999]}
        {"id": "c", "text": "y", "v": NaN}
        """,
    )
    df = read_corpus(path, errors="report")
    assert df["id"].tolist() == ["123456789012345678901234567890", "b", "c"]
    assert df.loc[1, "n"] == 98765432109876543210 and df.loc[1, "v"] == 0.1
    assert df.loc[1, "l"] == [1, 99999999999999999999999]
    assert df.loc[2, "v"] == "NaN" and "field 'v': not valid JSON: NaN is not a JSON number" in df.loc[2, "error"]
    assert df["error"].isna().tolist() == [True, True, False]


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

    data = json.dumps({"id": "s1", "text": HOSTILE}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8"))
    df = read_corpus("-", format="jsonl")
    assert df["text"].tolist() == [HOSTILE]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,text\ns1,hi\n"), encoding="utf-8"))
    assert read_corpus("-")["text"].tolist() == ["hi"]


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
