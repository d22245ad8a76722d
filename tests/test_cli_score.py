"""Tests for ``tonekit score``: streaming a corpus file into a scores file.

Statements are short constructed examples, marked "(constructed)".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import tonekit
from tonekit.batch import SCORE_COLUMNS, score_corpus
from tonekit.cli import main
from tonekit.corpus import CorpusError, read_corpus

# (constructed)
HOSTILE = "Abe is none other than a political dwarf and a puppet of the United States."
COURTEOUS = "We express deep condolences and sympathy to Your Excellency and the bereaved families."

SRC = Path(__file__).resolve().parents[1] / "src"
CATEGORIES = tuple(tonekit.Lexicon.default().categories)


def tonekit_command(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())", *args],
        env=env, **kwargs,
    )


def test_malformed_jsonl_line_still_gives_three_rows_one_with_error(broken_jsonl: Path, tmp_path: Path, capsys):
    with pytest.raises(CorpusError, match="statements.jsonl, line 2"):
        read_corpus(broken_jsonl, errors="raise")

    out = tmp_path / "scores.jsonl"
    assert main(["score", str(broken_jsonl), "-o", str(out), "--no-progress"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    assert [r["id"] for r in rows] == ["s1", None, "s3"]
    assert [r["error"] is not None for r in rows] == [False, True, False]
    assert "line 2, field 'text': not valid JSON" in rows[1]["error"] and rows[1]["hostility"] is None
    assert rows[0]["hostility"] > 0.5 and rows[2]["courtesy"] > 0.5
    assert list(rows[0]) == ["id", "text", *SCORE_COLUMNS, *CATEGORIES, "error"]
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith("tonekit score: 3 rows, 1 failed,") and summary.endswith(f"-> {out}")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_unpaired_surrogate_in_the_input_fails_its_row_only(suffix: str, tmp_path: Path):
    # Constructed statements; "\ud800" is valid JSON that no UTF-8 output can hold.
    src = tmp_path / "statements.jsonl"
    src.write_text(
        '{"id": "a", "text": "Japan \\ud800 must apologise"}\n{"id": "b", "text": "We thank Japan sincerely."}\n',
        encoding="utf-8",
    )
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 0
    rows = read_corpus(out)  # the output itself is valid: its error column is plain data
    assert rows["id"].tolist() == ["a", "b"]
    assert "line 1, field 'text': not valid Unicode" in rows.loc[0, "error"]
    assert rows.loc[0, "text"] == "Japan \\ud800 must apologise"
    assert float(rows.loc[1, "courtesy"]) > 0  # float(): CSV cells are read as text


def test_strict_exits_1_when_a_row_failed(broken_jsonl: Path, tmp_path: Path):
    out = tmp_path / "scores.csv"
    assert main(["score", str(broken_jsonl), "-o", str(out), "--strict", "--no-progress"]) == 1
    assert len(read_corpus(out, errors="report")) == 3  # the output is still written


def test_strict_exits_0_when_every_row_scored(tmp_path: Path):
    src = tmp_path / "in.csv"
    tonekit.write_corpus(pd.DataFrame({"id": ["a", "b"], "text": [HOSTILE, COURTEOUS]}), src)
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--strict", "--no-progress"]) == 0


def test_missing_input_file_exits_2_with_one_line(tmp_path: Path, capsys):
    out = tmp_path / "out.csv"
    assert main(["score", str(tmp_path / "absent.csv"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such input file" in err and "absent.csv" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lexicon", "no-such-lexicon"], "no-such-lexicon"),
        (["--n-process", "0"], "--n-process must be a positive integer"),
        (["--text-col", "body"], "no text column 'body'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys, args, message):
    src = tmp_path / "in.csv"
    tonekit.write_corpus(pd.DataFrame({"id": ["a"], "text": [HOSTILE]}), src)
    out = tmp_path / "out.csv"
    assert main(["score", str(src), "-o", str(out), "--no-progress", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_corpus_without_id_column_exits_2(tmp_path: Path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(f'text\n"{HOSTILE}"\n', encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv")]) == 2
    assert "missing required column 'id'" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_output_format_follows_extension_and_reads_back(tmp_path: Path, suffix: str):
    texts = [HOSTILE, COURTEOUS, "", "Japan, \"the so-called\" partner,\nrefused. (constructed)"]
    src = tmp_path / "in.jsonl"
    tonekit.write_corpus(pd.DataFrame({"id": list("abcd"), "text": texts}), src)
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(src), "-o", str(out), "--chunk-size", "3", "--batch-size", "2", "--no-progress"]) == 0
    back = read_corpus(out)
    expected = score_corpus(read_corpus(src), progress=False)
    assert back["text"].tolist() == texts
    for column in (*SCORE_COLUMNS, *CATEGORIES):
        assert back[column].astype(float).tolist() == pytest.approx(expected[column].astype(float).tolist())


def test_other_text_column(tmp_path: Path):
    src = tmp_path / "speeches.csv"
    src.write_text(f'id,body\n1,"{HOSTILE}"\n2,"{COURTEOUS}"\n', encoding="utf-8")
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "-o", str(out), "--text-col", "body", "--no-progress"]) == 0
    back = pd.read_csv(out)
    assert list(back.columns[:2]) == ["id", "body"] and back["hostility"][0] > 0.5


def test_stdin_to_stdout(tmp_path: Path):
    csv_text = f'id,text\n1,"{HOSTILE}"\n2,"{COURTEOUS}"\n'
    child = tonekit_command("score", "-", "-o", "-", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    stdout, stderr = child.communicate(csv_text, timeout=300)
    assert child.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("id,text,hostility,courtesy,tone,")
    assert len(lines) == 3
    assert "\r" not in stderr  # no progress bar when stderr is not a terminal
    assert stderr.strip().startswith("tonekit score: 2 rows, 0 failed") and "<stdout>" in stderr
    path = tmp_path / "scores.csv"
    path.write_text(stdout, encoding="utf-8")
    back = pd.read_csv(path)
    assert back["hostility"][0] > 0.5 and back["courtesy"][1] > 0.5


def test_progress_bar_when_forced(tmp_path: Path, capsys):
    src = tmp_path / "in.csv"
    tonekit.write_corpus(pd.DataFrame({"id": ["a", "b"], "text": [HOSTILE, COURTEOUS]}), src)
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "scoring" in err and "2 rows" in err


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_interrupted_run_leaves_no_output(tmp_path: Path, sig: str):
    src = tmp_path / "big.csv"
    n = 200_000
    texts = [HOSTILE, COURTEOUS, "The talks were held in Pyongyang. (constructed)"]
    tonekit.write_corpus(pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": [texts[i % 3] for i in range(n)]}), src)
    out = tmp_path / "scores.csv"
    child = tonekit_command("score", str(src), "-o", str(out), "--chunk-size", "500", "--no-progress",
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not list(tmp_path.glob(".scores.csv.*.tmp")):  # mid-write: the temporary file exists
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
    finally:
        child.send_signal(getattr(signal, sig))
        child.wait(timeout=60)
        child.stderr.close()
    assert child.returncode != 0
    assert not out.exists()
    if sig == "SIGTERM":  # a catchable signal also removes the temporary file
        assert not list(tmp_path.glob(".*.tmp"))
