"""Dask: the same scores as pandas on a two-process local cluster, whatever the partitions,
with a user lexicon that only the client can read, with a malformed file line, and with a
worker killed mid-run; the command's directory of parts; compare on a Dask frame."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import tonekit

dd = pytest.importorskip("dask.dataframe")
cloudpickle = pytest.importorskip("cloudpickle")
distributed = pytest.importorskip("distributed")

# The in-memory corpora travel inside the graph, as the tests mean them to.
pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
LEXICONS = ROOT / "src" / "tonekit" / "data" / "lexicons"


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def synthetic_corpus(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` statements of 1-3 sentences of the bundled corpus (seeded); one text is missing."""
    pool = [s for t in tonekit.corpora.load("dprk_japan")["text"] for s in re.split(r"(?<=[.?!])\s+", t) if s.strip()]
    rng = random.Random(seed)
    texts: list[object] = [" ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(n)]
    texts[17] = None
    return pd.DataFrame({"id": [f"s{i}" for i in range(n)], "text": texts, "group": [f"g{i % 3}" for i in range(n)]})


def uneven(df: pd.DataFrame, cuts: list[int]):
    return dd.from_pandas(df, npartitions=1, sort=True).repartition(divisions=[0, *cuts, len(df) - 1])


@pytest.fixture(scope="module")
def synthetic(client):
    """20,000 rows in 7 uneven partitions, and the pandas scores of its computed frame."""
    ddf = uneven(synthetic_corpus(20_000), [300, 2_500, 2_600, 9_000, 15_000, 19_000])
    frame = ddf.compute()
    return ddf, tonekit.score_corpus(frame, progress=False)


def same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got, want = got.copy(), want.copy()
    got.attrs, want.attrs = {}, {}
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_bundled_corpus_scores_equal_pandas_with_the_same_meta_partitions_and_index(client):
    df = tonekit.corpora.load("dprk_japan")
    ddf = dd.from_pandas(df, npartitions=4)
    scored = tonekit.score_corpus(ddf)
    want = tonekit.score_corpus(ddf.compute(), progress=False)
    assert isinstance(scored, dd.DataFrame)
    assert list(scored.columns) == list(want.columns)
    assert scored.dtypes.to_dict() == want.dtypes.to_dict()
    assert scored.npartitions == ddf.npartitions and scored.divisions == ddf.divisions
    same(scored.compute(), want)
    # every worker compiled the lexicon once, and kept it by its content hash
    built = client.run(tonekit.scale.worker_lexicons)
    assert set(built.values()) <= {(tonekit.Lexicon.default().content_hash,), ()}


def test_synthetic_corpus_in_seven_uneven_partitions_equals_pandas(synthetic):
    ddf, want = synthetic
    assert ddf.npartitions == 7
    scored = tonekit.score_corpus(ddf)
    assert scored.divisions == ddf.divisions
    got = scored.compute()
    same(got, want)
    assert got.loc[17, "error"] == "missing text (null)"


def test_killing_a_worker_during_compute_gives_the_complete_identical_result(client, synthetic):
    ddf, want = synthetic
    future = client.compute(tonekit.score_corpus(ddf.repartition(npartitions=20)))
    deadline = time.monotonic() + 120
    while not any(client.processing().values()):  # a partition is being scored
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victim = next(w for w, tasks in client.processing().items() if tasks)
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    assert not future.done()
    got = future.result(timeout=300)
    same(got, want)
    client.wait_for_workers(2, timeout=120)  # the nanny has started a new one


def write_user_lexicon(folder: Path) -> Path:
    """The bundled lexicon with one more insult, under another name."""
    meta = json.loads((LEXICONS / "diplomatic-en.json").read_text(encoding="utf-8"))
    meta["name"] = "my-lexicon"
    csv_text = (LEXICONS / "diplomatic-en.csv").read_text(encoding="utf-8")
    header = csv_text.splitlines()[0].split(",")
    row = {"term": "blatherskite", "dimension": "hostility", "category": "insult", "weight": "3", "match": "lemma"}
    csv_text = csv_text.rstrip("\n") + "\n" + ",".join(row.get(c, "") for c in header) + "\n"
    (folder / "my-lexicon.csv").write_text(csv_text, encoding="utf-8")
    (folder / "my-lexicon.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder / "my-lexicon.csv"


def test_a_user_lexicon_given_as_a_path_reaches_the_workers_by_content(client, tmp_path):
    client_only = tmp_path / "client-only"
    client_only.mkdir()
    path = write_user_lexicon(client_only)
    df = pd.DataFrame({"id": ["a", "b", "c"], "text": ["You blatherskite!", "A puppet.", "Thank you."]})
    ddf = dd.from_pandas(df, npartitions=2)
    scored = tonekit.score_corpus(ddf, lexicon=str(path))
    shutil.rmtree(path.parent)  # the workers cannot read the file: its content travels in the graph
    graph = cloudpickle.dumps(dict(scored.__dask_graph__()))
    assert b"blatherskite" in graph and b"spacy.language" not in graph  # the lexicon's text, no pipeline
    got = scored.compute()
    lexicon_hash = {h for hashes in client.run(tonekit.scale.worker_lexicons).values() for h in hashes}
    write_user_lexicon(tmp_path)
    want = tonekit.score_corpus(ddf.compute(), lexicon=tmp_path / "my-lexicon.csv", progress=False)
    same(got, want)
    assert got.loc[0, "insult"] > 0 and tonekit.Lexicon.from_csv(tmp_path / "my-lexicon.csv").content_hash in lexicon_hash


def three_files(folder: Path) -> Path:
    """Three corpus files (CSV, JSON Lines, Parquet); line 3 of the JSON Lines one is broken."""
    folder.mkdir()
    df = tonekit.corpora.load("dprk_japan")[["id", "text", "speaker"]]
    df.iloc[:20].to_csv(folder / "a.csv", index=False)
    lines = [json.dumps(r) for r in df.iloc[20:30].to_dict("records")]
    lines[1] = '{"id": "broken", "text": "Japan "will" pay", "speaker": "x"}'
    (folder / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    df.iloc[30:45].to_parquet(folder / "c.parquet", index=False)
    return folder


def test_three_files_with_a_malformed_line_every_row_accounted_for(client, tmp_path):
    folder = three_files(tmp_path / "archive")
    ddf = tonekit.read_corpus(folder, engine="dask", errors="report")
    assert ddf.npartitions == 3
    scored = tonekit.score_corpus(ddf).compute()
    assert len(scored) == 45
    failed = scored[scored["error"].notna()]
    assert len(failed) == 1
    message = failed["error"].iloc[0]
    assert str(folder / "b.jsonl") in message and "line 2" in message and "not valid JSON" in message
    assert scored["hostility"].notna().sum() == 44
    # each file alone, by pandas, gives the same rows (index: the row in its file)
    files = [folder / "a.csv", folder / "b.jsonl", folder / "c.parquet"]
    per_file = [tonekit.read_corpus(f, errors="report") for f in files]
    assert [len(f) for f in per_file] == [20, 10, 15]
    raw = ddf.compute()
    assert raw["id"].tolist() == [i for f in per_file for i in f["id"].tolist()]
    with pytest.raises(tonekit.CorpusError, match="b.jsonl, line 2"):
        tonekit.read_corpus(f"{folder}/*.jsonl", engine="dask").compute()


def test_compare_on_a_dask_frame_equals_compare_on_the_computed_frame(client, synthetic):
    ddf, _ = synthetic
    scored = tonekit.score_corpus(ddf.partitions[:3]).persist()
    on_dask = tonekit.compare(scored, by="group", n_boot=500)
    on_pandas = tonekit.compare(scored.compute(), by="group", n_boot=500)
    same(on_dask.groups, on_pandas.groups)
    same(on_dask.pairs, on_pandas.pairs)
    with pytest.raises(KeyError, match="no group column 'era'"):
        tonekit.compare(scored, by="era")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())", "score", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
        timeout=600,
    )


def test_the_command_writes_a_directory_of_parts_equal_to_pandas(client, tmp_path):
    folder = three_files(tmp_path / "archive")
    address = client.scheduler.address
    done = run_cli("archive", "-o", "scores", "--dask", "--scheduler", address, "--partition-on", "speaker", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "45 rows from 3 files, 1 failed" in done.stderr
    # one folder per speaker (the rows of the broken line have none); the parts without it
    got = pd.read_parquet(tmp_path / "scores", partitioning=None).sort_values("id", ignore_index=True)
    want = pd.concat(
        [tonekit.score_corpus(f, progress=False) for f in sorted(folder.iterdir())], ignore_index=True,
    ).sort_values("id", ignore_index=True)
    folders = {p.name for p in (tmp_path / "scores").iterdir()}
    assert {f"speaker={s}" for s in want["speaker"].dropna()} <= folders
    assert sorted(got.columns) == sorted(c for c in want.columns if c != "speaker")
    pd.testing.assert_frame_equal(got[["id", "hostility", "courtesy"]], want[["id", "hostility", "courtesy"]], check_dtype=False)
    assert [e if isinstance(e, str) else None for e in got["error"]] == want["error"].tolist()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary directory left

    # a broken file: exit 2, the file and line named, nothing written
    (folder / "d.csv").write_text('id,text\nx,"unterminated\n', encoding="utf-8")
    done = run_cli("archive", "-o", "again", "--dask", "--scheduler", address, cwd=tmp_path)
    assert done.returncode == 2 and "d.csv, line 2" in done.stderr
    assert not (tmp_path / "again").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # the output directory is never overwritten
    done = run_cli("archive/a.csv", "-o", "scores", "--dask", "--scheduler", address, cwd=tmp_path)
    assert done.returncode == 2 and "not an empty directory" in done.stderr


def test_import_tonekit_does_not_import_dask_and_a_dask_call_without_it_names_the_extra(tmp_path):
    code = (
        "import sys, tonekit, tonekit.cli\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')], 'dask imported'\n"
        "sys.modules['dask'] = None\n"
        "try:\n"
        "    tonekit.read_corpus('archive/*.csv', engine='dask')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert 'pip install "tonekit[dask]"' in done.stdout
