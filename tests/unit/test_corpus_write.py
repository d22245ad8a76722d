"""Tests for writing corpora (tonekit.corpus.write and .encode): the output of each
format, atomic writing, columns that come late, and Parquet column types.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tonekit.corpus import (
    CorpusWriter,
    iter_corpus,
    read_corpus,
    write_corpus,
)

from corpus_samples import SRC, HOSTILE, COURTEOUS, MIXED, chunks_each_with_a_new_key, parquet_table, with_x


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


def test_csv_of_one_column_keeps_its_empty_cells(tmp_path: Path):
    # A record holding one empty cell is written '""': a blank line would be no record.
    path = tmp_path / "notes.csv"
    write_corpus(pd.DataFrame({"note": ["", "KCNA", None, 'say "no", then']}), path)
    assert path.read_text(encoding="utf-8").splitlines() == ["note", '""', "KCNA", '""', '"say ""no"", then"']


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


def test_parquet_column_null_in_the_first_chunk_gets_the_type_of_its_later_values(tmp_path: Path):
    # As read from JSON Lines: a chunk whose records hold only null has an object column.
    first = pd.DataFrame({"id": ["a"], "text": ["x"], "n": pd.Series([None], dtype=object), "error": [None]})
    second = pd.DataFrame({"id": ["b"], "text": ["y"], "n": pd.array([7], dtype="Int64"), "error": ["oops"]})
    path = tmp_path / "s.parquet"
    write_corpus(iter([first, second]), path)
    table = parquet_table(path)
    assert str(table.schema.field("n").type) == "int64" and table.column("n").to_pylist() == [None, 7]
    assert str(table.schema.field("error").type) == "string"


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
    "first, later, text",
    [
        (["n/a"], [1], ["n/a", "1"]),
        ([1], ["n/a"], ["1", "n/a"]),
        ([True], [1], ["true", "1"]),
        ([2**53 + 1], [2.5], ["9007199254740993", "2.5"]),
        ([0.5], [2**53 + 1], ["0.5", "9007199254740993"]),
    ],
)
def test_parquet_column_no_type_holds_without_loss_becomes_text_whatever_the_chunk_size(
    tmp_path: Path, first: list[Any], later: list[Any], text: list[str]
):
    # No Parquet type holds both without loss: the column is text, each value its JSON
    # text, as one chunk of both gives it (the chunk size must not decide the result).
    with CorpusWriter(tmp_path / "chunked.parquet") as writer:
        writer.write(with_x(first))
        writer.write(with_x(later))
    write_corpus(with_x(pd.Series(first + later, dtype=object)), tmp_path / "once.parquet")
    chunked, once = parquet_table(tmp_path / "chunked.parquet"), parquet_table(tmp_path / "once.parquet")
    assert chunked.column("x").to_pylist() == once.column("x").to_pylist() == text
    assert str(chunked.schema.field("x").type) == "string"
    assert not list(tmp_path.glob(".*.tmp"))


def test_parquet_column_of_nulls_then_text_then_numbers_is_text_with_every_value(tmp_path: Path):
    # The first values of a column that held only nulls fix its type; numbers after text join it as text.
    path = tmp_path / "s.parquet"
    with CorpusWriter(path) as writer:
        writer.write(with_x(pd.Series([None], dtype=object)))
        writer.write(with_x(["n/a"]))
        writer.write(with_x([1]))
        writer.write(with_x(["m"]))
    assert parquet_table(path).column("x").to_pylist() == [None, "n/a", "1", "m"]
    assert not list(tmp_path.glob(".*.tmp"))
