"""Tests for ``tonekit score``: streaming a corpus file into a scores file.

Statements are short constructed examples, marked "(constructed)".
"""

from __future__ import annotations

import json
import math
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

SRC = Path(__file__).resolve().parents[2] / "src"
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
        # An empty text has no scores: an empty CSV cell, which reads back as ''.
        got = [math.nan if pd.isna(v) or v == "" else float(v) for v in back[column].astype(object)]
        assert got == pytest.approx(expected[column].astype(float).tolist(), nan_ok=True)
    assert back["error"].tolist()[2] == "empty text"


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


# --------------------------------------------------------------------------- audit fixes


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_optional_jsonl_key_gives_the_same_output_whatever_the_chunk_size(tmp_path: Path):
    # A "note" that only some statements have, first seen after the first chunk.
    records = [{"id": f"s{i}", "text": [HOSTILE, COURTEOUS][i % 2]} for i in range(7)]
    records[4]["note"] = "from KCNA, Pyongyang"
    records[5]["speaker"] = "FM spokesman"
    src = write_jsonl(tmp_path / "big.jsonl", records)
    for suffix in (".csv", ".jsonl", ".parquet"):
        outputs = []
        for chunk in ("2", "5", "100"):
            out = tmp_path / f"out{chunk}{suffix}"
            assert main(["score", str(src), "-o", str(out), "--chunk-size", chunk, "--no-progress"]) == 0
            outputs.append(out)
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            tables = [pq.read_table(o) for o in outputs]
            assert all(t.equals(tables[-1]) for t in tables)
        else:
            assert len({o.read_bytes() for o in outputs}) == 1
        back = read_corpus(outputs[0])
        assert list(back.columns) == ["id", "text", "note", "speaker", *SCORE_COLUMNS, *CATEGORIES, "error"]
        assert back["note"].tolist()[4] == "from KCNA, Pyongyang"
        assert pd.isna(back["note"].tolist()[3]) or back["note"].tolist()[3] == ""  # CSV has no null
        assert not back["error"].fillna("").any()


def test_optional_jsonl_key_to_stdout(tmp_path: Path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": HOSTILE}, {"id": "b", "text": COURTEOUS, "note": "n"}])
    assert main(["score", str(src), "-o", "-", "--chunk-size", "1", "--no-progress"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["note"] for r in rows] == [None, "n"] and list(rows[0])[:3] == ["id", "text", "note"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_text_col_on_a_file_larger_than_one_chunk(tmp_path: Path, suffix: str):
    src = tmp_path / f"speeches{suffix}"
    tonekit.write_corpus(pd.DataFrame({"id": ["1", "2", "3"], "body": [HOSTILE, COURTEOUS, HOSTILE]}), src)
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "-o", str(out), "--text-col", "body", "--chunk-size", "2", "--no-progress"]) == 0
    back = pd.read_csv(out)
    assert list(back.columns[:3]) == ["id", "body", "hostility"] and "text" not in back.columns
    assert back["error"].isna().all() and (back["hostility"][[0, 2]] > 0.5).all()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_integer_columns_stay_exact_in_every_output_format(tmp_path: Path, suffix: str):
    # A tweet id that a float would round, missing in one record; line 3 is broken.
    src = tmp_path / "in.jsonl"
    src.write_text(
        f'{{"id": "a", "text": "{HOSTILE}", "tweet_id": 1234567890123456789, "n": 1}}\n'
        f'{{"id": "b", "text": "{COURTEOUS}"}}\n'
        '{"id": "c", "text": broken}\n',
        encoding="utf-8",
    )
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(src), "-o", str(out), "--chunk-size", "2", "--no-progress"]) == 0
    if suffix == ".csv":
        assert out.read_text(encoding="utf-8").splitlines()[1].startswith(f"a,{HOSTILE},1234567890123456789,1,")
    elif suffix == ".jsonl":
        assert '"tweet_id":1234567890123456789,"n":1,' in out.read_text(encoding="utf-8").splitlines()[0]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.column("tweet_id").to_pylist() == [1234567890123456789, None, None]
        assert table.column("n").to_pylist() == [1, None, None]


def test_csv_text_longer_than_the_csv_default_field_limit_scores_and_reads_back(tmp_path: Path):
    src = tmp_path / "long.csv"
    tonekit.write_corpus(pd.DataFrame({"id": ["a", "b"], "text": [HOSTILE * 2000, COURTEOUS]}), src)
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 0
    again = tmp_path / "again.jsonl"
    assert main(["score", str(out), "-o", str(again), "--no-progress"]) == 0  # its own output reads back
    assert read_corpus(again)["text"].tolist() == [HOSTILE * 2000, COURTEOUS]


def test_non_iso_dates_are_kept_and_their_rows_scored(tmp_path: Path):
    src = tmp_path / "in.csv"
    src.write_text(f'id,date,text\na,30/11/2019,"{HOSTILE}"\nb,Nov 2019,"{COURTEOUS}"\n', encoding="utf-8")
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "-o", str(out), "--strict", "--no-progress"]) == 0
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back["date"].tolist() == ["30/11/2019", "Nov 2019"] and (back["error"] == "").all()


def test_stdout_is_utf8_whatever_the_console_encoding(tmp_path: Path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Japan — «the so-called» 朝鮮 partner (constructed)"}])
    env_extra = {"PYTHONIOENCODING": "cp1252"}
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())",
         "score", str(src), "-o", "-", "--no-progress"],
        env={**os.environ, **env_extra, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    stdout, stderr = child.communicate(timeout=300)
    assert child.returncode == 0, stderr.decode()
    assert json.loads(stdout.decode("utf-8"))["text"] == "Japan — «the so-called» 朝鮮 partner (constructed)"


@pytest.mark.parametrize("case", ["output_dir_missing", "output_is_dir", "input_is_dir", "output_is_input"])
def test_bad_paths_exit_2_before_scoring_with_one_line_naming_the_path(tmp_path: Path, capsys, case: str):
    src = tmp_path / "in.csv"
    tonekit.write_corpus(pd.DataFrame({"id": ["a"], "text": [HOSTILE]}), src)
    before = src.read_bytes()
    (tmp_path / "existing.csv").mkdir()
    source, output, message = {
        "output_dir_missing": (src, tmp_path / "nodir" / "x.csv", "no such directory"),
        "output_is_dir": (src, tmp_path / "existing.csv", "output is a directory"),
        "input_is_dir": (tmp_path / "existing.csv", tmp_path / "x.csv", "input is a directory"),
        "output_is_input": (src, src, "is the input file"),
    }[case]
    assert main(["score", str(source), "-o", str(output), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and str(output if case != "input_is_dir" else source) in err
    assert ".tmp" not in err
    assert src.read_bytes() == before and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_ctrl_c_prints_one_line_exits_130_and_leaves_no_output(tmp_path: Path):
    src = tmp_path / "big.csv"
    n = 200_000
    tonekit.write_corpus(pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": [HOSTILE] * n}), src)
    out = tmp_path / "scores.csv"
    # Its own process group, as a shell job: Ctrl-C reaches the workers too.
    child = tonekit_command("score", str(src), "-o", str(out), "--chunk-size", "500", "--n-process", "2",
                            "--no-progress", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not list(tmp_path.glob(".scores.csv.*.tmp")):
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
    finally:
        os.killpg(child.pid, signal.SIGINT)
        _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130
    assert stderr.decode() == "tonekit score: interrupted; no output written\n"
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_replaced_column_warning_is_one_line(tmp_path: Path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": HOSTILE, "threat": "nuclear test (metadata)"}])
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--no-progress"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "warning: input columns replaced by score columns of the same name: threat"
    assert len(lines) == 2 and lines[1].startswith("tonekit score: 1 rows")


def test_error_false_in_jsonl_is_no_previous_error(tmp_path: Path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": HOSTILE, "error": False}, {"id": "b", "text": COURTEOUS, "error": 0}])
    out = tmp_path / "out.jsonl"
    assert main(["score", str(src), "-o", str(out), "--strict", "--no-progress"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["error"] for r in rows] == [None, None] and rows[0]["hostility"] > 0.5


def test_jsonl_without_a_text_key_exits_2_like_csv(tmp_path: Path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "body": HOSTILE}, {"id": "b", "body": COURTEOUS}])
    out = tmp_path / "out.csv"
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in.jsonl, field 'text': missing required column 'text'" in err
    assert not out.exists()


def test_the_command_and_import_tonekit_start_without_scikit_learn():
    """scikit-learn and SciPy take longer to import than spaCy: tonekit loads them only
    for the functions that need them (ToneVectorizer, calibrate, evaluate)."""
    code = (
        "import sys, tonekit, tonekit.cli\n"
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n"
        "tonekit.ToneVectorizer\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "True"]
