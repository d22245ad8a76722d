"""Fuzzing the three corpus readers: arbitrary bytes in, never a traceback, and every
line accounted for -- one row per record (a non-blank JSON Lines line, a CSV record
after the header, a Parquet row), or one clear error naming the file (and the line
where there is one). What is read is written in each format and read back, row for row.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonekit.corpus import CorpusError, iter_corpus, read_corpus, write_corpus

from corpus_samples import COURTEOUS, HOSTILE, MIXED

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Pieces that have broken readers: brackets nested deep, NaN, byte order marks, bytes
# that are not UTF-8, NUL, lone carriage returns, quotes, surrogate escapes.
NASTY = [
    b"[" * 600, b"]" * 600, b"NaN", b"-Infinity", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\x00", b"\xff",
    b"\xc3", b"\r", b"\r\n", b'"', b'"\\ud800"', b",", b"{", b"}", b'"id"', b'"text"', b":", b"1e400",
    b"123456789012345678901234567890",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.sampled_from([HOSTILE, COURTEOUS, MIXED]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
RECORDS = st.dictionaries(st.sampled_from(["id", "text", "date", "speaker", "error", "x"]), VALUES, max_size=5)


def mutated(data: bytes, draw_pieces: list[tuple[int, bytes]]) -> bytes:
    for position, piece in draw_pieces:
        at = position % (len(data) + 1)
        data = data[:at] + piece + data[at:]
    return data


PIECES = st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(NASTY) | st.binary(max_size=4)), max_size=4)


def assert_clear(error: CorpusError, path: Path, lines: bool) -> None:
    assert error.problems
    for problem in error.problems:
        assert str(problem).startswith(str(path)) and problem.message
        if lines and not problem.message.startswith(("empty file", "missing required")):
            assert problem.line is not None, problem


def assert_read_and_round_trip(path: Path, fmt: str, expected: int, tmp: Path) -> None:
    try:
        df = read_corpus(path, format=fmt, errors="report")
    except CorpusError as error:
        assert_clear(error, path, lines=fmt != "parquet")
        return
    assert len(df) == expected
    assert sum(len(chunk) for chunk in iter_corpus(path, format=fmt, chunksize=2)) == expected
    for problem in df.attrs["problems"]:
        assert str(problem).startswith(str(path))
    for suffix in ("csv", "jsonl", "parquet"):
        out = tmp / f"again.{suffix}"
        write_corpus(df, out)
        assert len(read_corpus(out, errors="report")) == expected, suffix


def jsonl_rows(data: bytes) -> int:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return sum(1 for line in data.split(b"\n") if line.strip())


def csv_rows(data: bytes) -> int:
    text = data.decode("utf-8-sig")
    records = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if r]
    return len(records) - 1


@FUZZ
@given(records=st.lists(RECORDS, max_size=6), pieces=PIECES, ending=st.sampled_from([b"\n", b"\r\n"]))
def test_jsonl_reader_accounts_for_every_line(tmp_path: Path, records: list[dict], pieces, ending: bytes):
    data = mutated(ending.join(json.dumps(r).encode() for r in records) + ending, pieces)
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    assert_read_and_round_trip(path, "jsonl", jsonl_rows(data), tmp_path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_jsonl_reader_on_arbitrary_bytes(tmp_path: Path, data: bytes):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    assert_read_and_round_trip(path, "jsonl", jsonl_rows(data), tmp_path)


@FUZZ
@given(
    header=st.sampled_from([["id", "text"], ["text", "id", "date"], ["id", "text", "id"], ["id"], ["x", "text"]]),
    rows=st.lists(st.lists(st.text(max_size=12) | st.sampled_from([HOSTILE, MIXED, "2019-11-30"]), max_size=4), max_size=6),
    pieces=PIECES,
)
def test_csv_reader_accounts_for_every_record(tmp_path: Path, header: list[str], rows: list[list[str]], pieces):
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *rows])
    data = mutated(buffer.getvalue().encode("utf-8", "surrogatepass"), pieces)
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    check_csv(path, data, tmp_path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_csv_reader_on_arbitrary_bytes(tmp_path: Path, data: bytes):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    check_csv(path, data, tmp_path)


def check_csv(path: Path, data: bytes, tmp: Path) -> None:
    try:
        expected = csv_rows(data)
    except (UnicodeDecodeError, csv.Error):
        with pytest.raises(CorpusError) as info:
            read_corpus(path, errors="report")
        assert_clear(info.value, path, lines=True)
        return
    assert_read_and_round_trip(path, "csv", max(expected, 0), tmp)


ARROW_COLUMNS = {
    "string": (pa.string(), st.text(max_size=10) | st.sampled_from([HOSTILE, COURTEOUS])),
    "int": (pa.int64(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    "float": (pa.float64(), st.floats()),
    "bool": (pa.bool_(), st.booleans()),
    "binary": (pa.binary(), st.binary(max_size=6)),
    "list": (pa.list_(pa.int32()), st.lists(st.integers(min_value=-(2**31), max_value=2**31 - 1), max_size=3)),
    "struct": (pa.struct([("a", pa.string())]), st.fixed_dictionaries({"a": st.text(max_size=4) | st.none()})),
}


@st.composite
def arrow_tables(draw) -> pa.Table:
    n = draw(st.integers(min_value=0, max_value=6))
    names = draw(st.lists(st.sampled_from(["id", "text", "date", "speaker", "error"]), unique=True, max_size=4))
    columns = {}
    for name in names:
        arrow_type, values = ARROW_COLUMNS[draw(st.sampled_from(sorted(ARROW_COLUMNS)))]
        columns[name] = pa.array(draw(st.lists(st.none() | values, min_size=n, max_size=n)), arrow_type)
    return pa.table(columns) if columns else pa.table({"id": pa.array([None] * n, pa.string())})


@FUZZ
@given(table=arrow_tables(), flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), max_size=3))
def test_parquet_reader_accounts_for_every_row(tmp_path: Path, table: pa.Table, flips):
    path = tmp_path / "fuzz.parquet"
    pq.write_table(table, path)
    data = bytearray(path.read_bytes())
    for position, xor in flips:
        data[position % len(data)] ^= xor
    path.write_bytes(bytes(data))
    try:
        expected = pq.ParquetFile(path).metadata.num_rows
    except Exception:
        expected = None  # unreadable: the reader must say so
    if expected is None:
        with pytest.raises(CorpusError) as info:
            read_corpus(path, errors="report")
        assert_clear(info.value, path, lines=False)
        return
    assert_read_and_round_trip(path, "parquet", expected, tmp_path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_parquet_reader_on_arbitrary_bytes(tmp_path: Path, data: bytes):
    path = tmp_path / "fuzz.parquet"
    path.write_bytes(data)
    with pytest.raises(CorpusError) as info:
        read_corpus(path, errors="report")
    assert_clear(info.value, path, lines=False)


def test_fuzz_helpers_count_records_as_a_reader_would():
    assert jsonl_rows(codecs.BOM_UTF8 + b'{"id": 1}\n\n  \n{}') == 2
    assert csv_rows(b"id,text\r\ns1,\"a\nb\"\r\n\r\ns2,c") == 2
    assert pd.isna(None)
