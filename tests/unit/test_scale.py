"""Dask without a cluster (the synchronous scheduler): files to partitions, the lexicon as
the graph carries it, and the same scores and comparison as pandas."""

from __future__ import annotations

import pandas as pd
import pytest

import tonekit
from tonekit.corpus.scale import corpus_files, is_dask_frame, read_files
from tonekit.scale import LexiconRef, lexicon_ref

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def write_csv(path, rows, columns=("id", "text")):
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def test_corpus_files_from_a_glob_a_directory_and_a_list(tmp_path):
    for name in ("b.csv", "a.jsonl", "notes.txt", ".hidden.csv"):
        (tmp_path / name).write_text("id,text\n", encoding="utf-8")
    assert corpus_files(tmp_path) == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.csv")]
    assert corpus_files(f"{tmp_path}/*.csv") == [str(tmp_path / "b.csv")]
    assert corpus_files([tmp_path / "b.csv", tmp_path / "a.jsonl"]) == [str(tmp_path / "b.csv"), str(tmp_path / "a.jsonl")]
    with pytest.raises(FileNotFoundError, match="no corpus files match"):
        corpus_files(f"{tmp_path}/*.parquet")
    with pytest.raises(FileNotFoundError, match="no such corpus file"):
        corpus_files(tmp_path / "missing.csv")


def test_files_become_partitions_of_consecutive_rows_with_their_file_positions(tmp_path):
    rows = [(f"s{i}", f"Statement number {i}.") for i in range(50)]
    write_csv(tmp_path / "a.csv", rows)
    write_csv(tmp_path / "b.csv", rows[:7])
    ddf = read_files(tmp_path, lambda path, chunksize: tonekit.corpus.iter_corpus(path, chunksize=chunksize), blocksize=400)
    assert is_dask_frame(ddf) and not is_dask_frame(ddf.compute())
    assert ddf.npartitions > 2
    got = ddf.compute()
    want = pd.concat([tonekit.read_corpus(tmp_path / "a.csv", errors="report"), tonekit.read_corpus(tmp_path / "b.csv", errors="report")])
    want.attrs = {}
    pd.testing.assert_frame_equal(got, want)
    assert got.index.tolist() == list(range(50)) + list(range(7))


def test_a_file_lacking_a_column_gets_it_empty_and_one_with_more_columns_is_named(tmp_path):
    write_csv(tmp_path / "a.csv", [("s1", "Hello.", "Tokyo")], ("id", "text", "outlet"))
    write_csv(tmp_path / "b.csv", [("s2", "Thank you.")])
    got = tonekit.read_corpus(tmp_path, engine="dask").compute()
    assert got["outlet"].tolist()[0] == "Tokyo" and got["outlet"].isna().tolist() == [False, True]
    write_csv(tmp_path / "c.csv", [("s3", "Go.", "x", "y")], ("id", "text", "outlet", "extra"))
    with pytest.raises(ValueError, match=r"c\.csv has columns that .*a\.csv lacks \(extra\)"):
        tonekit.read_corpus(tmp_path, engine="dask").compute()
    with pytest.raises(ValueError, match="engine must be 'pandas' or 'dask'"):
        tonekit.read_corpus(tmp_path / "a.csv", engine="spark")


def test_the_lexicon_travels_by_name_when_bundled_and_by_content_otherwise():
    bundled = lexicon_ref(None)
    assert bundled.entries is None and bundled.name == "diplomatic-en"
    assert lexicon_ref(tonekit.Lexicon.default()) == bundled
    own = tonekit.Lexicon.from_records(
        [{"term": "stooge", "dimension": "hostility", "category": "insult", "weight": 2}],
        name="tiny", categories={"insult": {"dimension": "hostility", "definition": "abuse"}},
    )
    ref = lexicon_ref(own)
    assert ref.entries and "stooge" in ref.entries and ref.lexicon().content_hash == own.content_hash
    with pytest.raises(RuntimeError, match="differs from the client's"):
        LexiconRef("0" * 64, "diplomatic-en").lexicon()


def test_score_corpus_on_a_dask_frame_is_lazy_and_equals_pandas():
    df = pd.DataFrame({
        "id": list("abcde"), "group": ["x", "y", "x", "y", "x"],
        "text": ["You stooge!", "Thank you, Excellency.", None, "A puppet and a traitor.", ""],
    })
    ddf = dd.from_pandas(df, npartitions=2)
    scored = tonekit.score_corpus(ddf)
    assert is_dask_frame(scored) and scored.divisions == ddf.divisions
    want = tonekit.score_corpus(ddf.compute(), progress=False)
    assert scored.dtypes.to_dict() == want.dtypes.to_dict()
    got = scored.compute()
    got.attrs, want.attrs = {}, {}
    pd.testing.assert_frame_equal(got, want)
    on_dask = tonekit.compare(scored, by="group", metrics=["hostility"], n_boot=200)
    on_pandas = tonekit.compare(got, by="group", metrics=["hostility"], n_boot=200)
    pd.testing.assert_frame_equal(on_dask.pairs, on_pandas.pairs)
    with pytest.raises(ValueError, match="custom nlp= pipeline is for pandas frames"):
        tonekit.score_corpus(ddf, nlp=tonekit.load())
    with pytest.raises(ValueError, match="no text column 'body'"):
        tonekit.score_corpus(ddf, text="body")
