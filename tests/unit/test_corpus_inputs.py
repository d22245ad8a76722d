"""Tests for inputs the corpus readers and writers must survive without losing a value:
deep nesting, values of the wrong type, non-standard JSON numbers, files that are not
UTF-8, and Parquet columns whose type changes from chunk to chunk.

Statements are short constructed examples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tonekit.corpus import CorpusError, iter_corpus, read_corpus, write_corpus
from tonekit.corpus.read import read_chunks
from tonekit.lexicon import Lexicon, LexiconError

from corpus_samples import COURTEOUS, HOSTILE, MIXED, parquet_table


def jsonl(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def scoring_chunks(path: Path, chunksize: int | None = None) -> pd.DataFrame:
    """The file as ``tonekit score`` reads it (ids and texts as Python values)."""
    fmt = path.suffix.lstrip(".")
    return pd.concat(read_chunks(path, fmt, chunksize, None, True, None, object, need_text_key=True))


# -- deep nesting ----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [496, 1_100, 20_000])
def test_jsonl_value_nested_deep_fails_its_row_only_and_is_kept_as_its_json_text(tmp_path: Path, depth: int):
    nested = "[" * depth + "]" * depth
    path = jsonl(
        tmp_path / "statements.jsonl",
        json.dumps({"id": "s1", "text": HOSTILE}),
        f'{{"id": "s2", "text": "{COURTEOUS}", "sources": {nested}}}',
        json.dumps({"id": "s3", "text": MIXED}),
    )
    df = read_corpus(path, errors="report")
    assert df["id"].tolist() == ["s1", "s2", "s3"]
    assert df["text"].tolist() == [HOSTILE, COURTEOUS, MIXED]
    assert df["error"].isna().tolist() == [True, False, True]
    assert df.loc[1, "error"] == (
        f"{path}, line 2, field 'sources': a value nested more than 200 levels deep (kept as its JSON text)"
    )
    assert df.loc[1, "sources"] == nested
    # ... and it is written back as it was read, in every format.
    for suffix in ("jsonl", "csv", "parquet"):
        write_corpus(df, tmp_path / f"out.{suffix}")
        again = read_corpus(tmp_path / f"out.{suffix}", errors="report")
        assert again["sources"].tolist()[1] == nested and len(again) == 3


def test_jsonl_line_that_is_only_deep_brackets_is_one_failed_row(tmp_path: Path):
    path = jsonl(tmp_path / "s.jsonl", json.dumps({"id": "s1", "text": HOSTILE}), "[" * 5_000 + "]" * 5_000)
    df = read_corpus(path, errors="report")
    assert len(df) == 2 and df["error"].isna().tolist() == [True, False]
    assert "line 2" in df.loc[1, "error"] and "nested more than 200 levels deep" in df.loc[1, "error"]


def test_jsonl_value_nested_200_deep_is_read_as_it_is(tmp_path: Path):
    nested = [[]]
    for _ in range(198):
        nested = [nested]
    path = jsonl(tmp_path / "s.jsonl", json.dumps({"id": "s1", "text": HOSTILE, "tree": nested}))
    df = read_corpus(path)
    assert df.loc[0, "tree"] == nested


def test_lexicon_metadata_nested_1100_deep_is_a_lexicon_error_naming_the_file(tmp_path: Path):
    entries = tmp_path / "mine.csv"
    entries.write_text("term,dimension,category,weight\nstooge,hostility,insult,2\n", encoding="utf-8")
    meta = {"name": "mine", "version": "1", "categories": {"insult": {"dimension": "hostility", "definition": "abuse"}}}
    text = json.dumps(meta)[:-1] + ', "notes": ' + "[" * 1_100 + "]" * 1_100 + "}"
    (tmp_path / "mine.json").write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        Lexicon.from_csv(entries)
    assert "mine.json: invalid JSON: nested too deeply to read" in str(info.value)


# -- values kept as they were ----------------------------------------------------------


def test_jsonl_id_and_text_of_other_types_fail_their_row_and_keep_their_value(tmp_path: Path):
    path = jsonl(
        tmp_path / "s.jsonl",
        '{"id": "s1", "text": 20191130}',
        '{"id": 1.5, "text": ["Japan", "must", "apologise"]}',
        '{"id": true, "text": {"lang": "en", "body": "Japan must apologise."}}',
        '{"id": "  ", "text": false}',
        f'{{"id": "s5", "text": "{HOSTILE}"}}',
    )
    # Scoring reads them as Python values: JSON Lines output writes them back as they were.
    df = scoring_chunks(path)
    assert df["id"].tolist() == ["s1", 1.5, True, "  ", "s5"]
    assert df["text"].tolist()[:4] == [20191130, ["Japan", "must", "apologise"], {"lang": "en", "body": "Japan must apologise."}, False]
    assert df["error"].notna().tolist() == [True, True, True, True, False]
    write_corpus(df, tmp_path / "out.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows[:4]] == [20191130, ["Japan", "must", "apologise"], {"lang": "en", "body": "Japan must apologise."}, False]
    assert [r["id"] for r in rows] == ["s1", 1.5, True, "  ", "s5"]
    # A string column holds their JSON text; so does a Parquet column of text.
    df = read_corpus(path, errors="report")
    assert df["text"].tolist()[:4] == ["20191130", '["Japan", "must", "apologise"]', '{"lang": "en", "body": "Japan must apologise."}', "false"]
    assert df["id"].tolist() == ["s1", "1.5", "true", "  ", "s5"]
    write_corpus(scoring_chunks(path), tmp_path / "out.parquet")
    assert parquet_table(tmp_path / "out.parquet").column("id").to_pylist() == ["s1", "1.5", "true", "  ", "s5"]


def test_parquet_text_of_other_types_fails_its_row_and_keeps_its_value(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = {
        "int": pa.array([7, 20191130], pa.int64()),
        "binary": pa.array([b"Japan must apologise.", b"\xff"], pa.binary()),
        "list": pa.array([["Japan", "must"], []], pa.list_(pa.string())),
        "struct": pa.array([{"body": "Japan must apologise."}, {"body": None}], pa.struct([("body", pa.string())])),
    }
    for kind, texts in tables.items():
        path = tmp_path / f"{kind}.parquet"
        pq.write_table(pa.table({"id": pa.array(["s1", "s2"]), "text": texts}), path)
        df = scoring_chunks(path)
        assert df["text"].tolist() == texts.to_pylist(), kind
        assert df["error"].str.contains("field 'text': text must be a string").all(), kind
        write_corpus(df, tmp_path / f"{kind}.out.jsonl")
        rows = [json.loads(line) for line in (tmp_path / f"{kind}.out.jsonl").read_text(encoding="utf-8").splitlines()]
        assert all(r["text"] is not None for r in rows), kind
    assert read_corpus(tmp_path / "int.parquet", errors="report")["text"].tolist() == ["7", "20191130"]
    assert read_corpus(tmp_path / "list.parquet", errors="report")["text"].tolist() == ['["Japan", "must"]', "[]"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_jsonl_nan_and_infinity_fail_their_row_and_are_kept_as_text(tmp_path: Path, literal: str):
    path = jsonl(
        tmp_path / "s.jsonl",
        json.dumps({"id": "s1", "text": HOSTILE, "reach": "@"}).replace('"@"', literal),
        json.dumps({"id": "s2", "text": COURTEOUS, "reach": 0.25}),
        json.dumps({"id": "s3", "text": MIXED, "history": [1.0, "@"]}).replace('"@"', literal),
    )
    df = read_corpus(path, errors="report")
    assert df["reach"].tolist()[:2] == [literal, 0.25] and df.loc[2, "history"] == [1.0, literal]
    assert df.loc[0, "error"] == (
        f"{path}, line 1, field 'reach': not valid JSON: {literal} is not a JSON number (kept as the text {literal!r})"
    )
    assert pd.isna(df.loc[1, "error"]) and "line 3, field 'history'" in df.loc[2, "error"]
    with pytest.raises(CorpusError, match=f"line 1, field 'reach': not valid JSON: {literal}"):
        read_corpus(path)


# -- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_utf16_file_is_one_error_not_utf8_naming_line_1(tmp_path: Path, encoding: str, suffix: str):
    if suffix == "jsonl":
        text = "".join(json.dumps({"id": f"s{i}", "text": t}) + "\n" for i, t in enumerate([HOSTILE, COURTEOUS]))
    else:
        text = f"id,text\ns1,{HOSTILE}\ns2,{COURTEOUS}\n"
    path = tmp_path / f"statements.{suffix}"
    path.write_bytes(text.encode(encoding))
    for errors in ("raise", "report"):
        with pytest.raises(CorpusError) as info:
            read_corpus(path, errors=errors)
        (problem,) = info.value.problems
        assert problem.line == 1 and problem.message.startswith("not valid UTF-8: the file ")
        assert encoding[:6].upper() in problem.message


def test_csv_bad_byte_on_line_2_is_named_on_line_2(tmp_path: Path):
    path = tmp_path / "statements.csv"
    path.write_bytes(f"id,text\ns1,{HOSTILE} \xe9t\xe9\ns2,{COURTEOUS}\n".encode("latin-1"))
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    assert str(info.value.problems[0]) == f"{path}, line 2: not valid UTF-8 (invalid continuation byte)"
    # After a quoted field of three lines, the bad byte is on physical line 5.
    path.write_bytes(f'id,text\r\ns1,"{MIXED}\r\nthird"\r\ns2,ok\r\ns3,{HOSTILE} \xff\r\n'.encode("latin-1"))
    with pytest.raises(CorpusError, match="line 6: not valid UTF-8"):
        read_corpus(path)


def test_csv_lines_ending_in_a_lone_carriage_return_are_still_lines(tmp_path: Path):
    path = tmp_path / "statements.csv"
    path.write_bytes(f'id,text\rs1,"{HOSTILE}"\rs2,{COURTEOUS}\r'.encode())
    assert read_corpus(path)["text"].tolist() == [HOSTILE, COURTEOUS]


# -- Parquet columns whose type changes ------------------------------------------------


def test_parquet_output_of_a_column_changing_type_does_not_depend_on_the_chunk_size(tmp_path: Path):
    # "pages" is a number, then text, then a fraction: one chunk makes it text; so must any chunking.
    path = jsonl(
        tmp_path / "s.jsonl",
        json.dumps({"id": "s1", "text": HOSTILE, "pages": 1, "flag": True}),
        json.dumps({"id": "s2", "text": COURTEOUS, "pages": 2.5, "flag": 1}),
        json.dumps({"id": "s3", "text": MIXED, "pages": "iv", "flag": None}),
        json.dumps({"id": "s4", "text": MIXED, "pages": 4.0, "flag": False}),
    )
    tables = []
    for chunksize in (None, 1, 2, 3):
        out = tmp_path / f"out{chunksize}.parquet"
        write_corpus(iter_corpus(path, chunksize=chunksize) if chunksize else read_corpus(path, errors="report"), out)
        tables.append(parquet_table(out))
    assert tables[0].column("pages").to_pylist() == ["1", "2.5", "iv", "4"]
    assert tables[0].column("flag").to_pylist() == ["true", "1", None, "false"]
    assert all(t.equals(tables[0]) for t in tables[1:])
