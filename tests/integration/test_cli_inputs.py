"""``tonekit score`` and ``tonekit text`` on inputs and outputs out of the ordinary: deep
nesting, values of other types, pipes and devices, closed standard input, protected
output files, bytes that are not UTF-8.

Statements are short constructed examples, marked "(constructed)".
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from tonekit.cli import main

# (constructed)
HOSTILE = "Abe is none other than a political dwarf and a puppet of the United States."
COURTEOUS = "We express deep condolences and sympathy to Your Excellency and the bereaved families."

SRC = Path(__file__).resolve().parents[2] / "src"


def run_tonekit(*args: str | bytes, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())", *args],
        env=env, capture_output=True, **kwargs,
    )


def statements(path: Path) -> Path:
    path.write_text(
        json.dumps({"id": "s1", "text": HOSTILE}) + "\n" + json.dumps({"id": "s2", "text": COURTEOUS}) + "\n",
        encoding="utf-8",
    )
    return path


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_deeply_nested_row_fails_alone_and_the_others_are_scored(tmp_path: Path, capsys):
    src = tmp_path / "statements.jsonl"
    nested = "[" * 600 + "]" * 600
    src.write_text(
        json.dumps({"id": "s1", "text": HOSTILE}) + "\n"
        + f'{{"id": "s2", "text": "{COURTEOUS}", "thread": {nested}}}\n'
        + json.dumps({"id": "s3", "text": COURTEOUS}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.jsonl"
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 0
    got = rows(out)
    assert [r["id"] for r in got] == ["s1", "s2", "s3"] and got[1]["thread"] == nested
    assert got[0]["hostility"] > 0.5 and got[2]["courtesy"] > 0.5 and got[1]["hostility"] is None
    assert "line 2, field 'thread': a value nested more than 200 levels deep" in got[1]["error"]
    assert "3 rows, 1 failed" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["lexicon", "validate"], ["lexicon", "show"], ["text", "--lexicon"]])
def test_lexicon_metadata_nested_1100_deep_exits_2_naming_the_file(tmp_path: Path, capsys, command: list[str]):
    entries = tmp_path / "mine.csv"
    entries.write_text("term,dimension,category,weight\nstooge,hostility,insult,2\n", encoding="utf-8")
    meta = {"name": "mine", "version": "1", "categories": {"insult": {"dimension": "hostility", "definition": "abuse"}}}
    (tmp_path / "mine.json").write_text(json.dumps(meta)[:-1] + ', "notes": ' + "[" * 1100 + "]" * 1100 + "}")
    args = [*command, str(entries)] + (["You stooge. (constructed)"] if command[0] == "text" else [])
    assert main(args) in (1, 2)
    captured = capsys.readouterr()
    assert "mine.json: invalid JSON: nested too deeply to read" in captured.out + captured.err


def test_score_lexicon_metadata_nested_1100_deep_exits_2(tmp_path: Path, capsys):
    entries = tmp_path / "mine.csv"
    entries.write_text("term,dimension,category,weight\nstooge,hostility,insult,2\n", encoding="utf-8")
    (tmp_path / "mine.json").write_text('{"name": "mine", "notes": ' + "[" * 1100 + "]" * 1100 + "}")
    out = tmp_path / "scores.jsonl"
    assert main(["score", str(statements(tmp_path / "s.jsonl")), "-o", str(out), "--lexicon", str(entries)]) == 2
    assert "mine.json: invalid JSON: nested too deeply to read" in capsys.readouterr().err
    assert not out.exists()


def test_text_of_other_types_is_written_back_as_it_was(tmp_path: Path):
    src = tmp_path / "statements.jsonl"
    src.write_text(
        '{"id": "s1", "text": 20191130}\n{"id": false, "text": ["Japan", "must", "apologise"]}\n'
        + json.dumps({"id": "s3", "text": HOSTILE}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.jsonl"
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 0
    got = rows(out)
    assert [r["text"] for r in got] == [20191130, ["Japan", "must", "apologise"], HOSTILE]
    assert [r["id"] for r in got] == ["s1", False, "s3"]
    assert "text must be a string, not a number" in got[0]["error"] and got[2]["error"] is None
    csv_out = tmp_path / "scores.csv"
    assert main(["score", str(src), "-o", str(csv_out), "--no-progress"]) == 0
    table = pd.read_csv(csv_out, dtype=str, keep_default_na=False)
    assert table["text"].tolist()[:2] == ["20191130", '["Japan", "must", "apologise"]']


def test_parquet_output_does_not_depend_on_the_chunk_size(tmp_path: Path):
    import pyarrow.parquet as pq

    src = tmp_path / "statements.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "text": t, "page": p}) + "\n"
            for i, (t, p) in enumerate([(HOSTILE, 3), (COURTEOUS, "A4"), (HOSTILE, 7.5)])
        ),
        encoding="utf-8",
    )
    tables = []
    for extra in ([], ["--chunk-size", "1"], ["--chunk-size", "2"]):
        out = tmp_path / f"scores{len(tables)}.parquet"
        assert main(["score", str(src), "-o", str(out), "--no-progress", *extra]) == 0
        tables.append(pq.read_table(out))
    assert tables[0].column("page").to_pylist() == ["3", "A4", "7.5"]
    assert tables[1].equals(tables[0]) and tables[2].equals(tables[0])


def test_write_protected_output_is_refused_unless_forced_and_keeps_its_mode(tmp_path: Path, capsys):
    src = statements(tmp_path / "statements.jsonl")
    out = tmp_path / "scores.csv"
    out.write_text("id,text\nold,kept\n", encoding="utf-8")
    out.chmod(0o444)
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err == f"tonekit score: error: output {out} is write-protected; pass --force to replace it\n"
    assert out.read_text(encoding="utf-8") == "id,text\nold,kept\n"
    assert main(["score", str(src), "-o", str(out), "--no-progress", "--force"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o444 and len(pd.read_csv(out)) == 2


def test_replaced_output_keeps_its_mode(tmp_path: Path):
    src = statements(tmp_path / "statements.jsonl")
    out = tmp_path / "scores.jsonl"
    out.write_text("", encoding="utf-8")
    out.chmod(0o640)
    assert main(["score", str(src), "-o", str(out), "--no-progress"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and len(rows(out)) == 2


def test_closed_stdin_exits_2_with_one_line(tmp_path: Path):
    done = run_tonekit("score", "-", "-o", str(tmp_path / "scores.csv"), stdin=subprocess.DEVNULL,
                       pass_fds=(), preexec_fn=lambda: os.close(0))
    assert done.returncode == 2
    assert done.stderr.decode() == "tonekit score: error: <stdin>: cannot read: standard input is closed\n"
    done = run_tonekit("text", "-", preexec_fn=lambda: os.close(0))
    assert done.returncode == 2 and done.stderr.decode() == "tonekit text: error: cannot read: standard input is closed\n"


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_pipe_is_read_like_a_file(tmp_path: Path, fmt: str):
    src = statements(tmp_path / "statements.jsonl")
    if fmt == "parquet":
        assert main(["score", str(src), "-o", str(tmp_path / "statements.parquet"), "--no-progress"]) == 0
        src = tmp_path / "statements.parquet"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    fed = threading.Event()

    def feed() -> None:  # gives up when no reader comes (the command refused the pipe)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader yet
                time.sleep(0.05)
                continue
            os.set_blocking(fd, True)
            with os.fdopen(fd, "wb") as fh:
                fh.write(src.read_bytes())
            fed.set()
            return

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    out = tmp_path / "scores.jsonl"
    code = main(["score", str(fifo), "--format", fmt, "-o", str(out), "--no-progress"])
    if not fed.is_set():  # unblock the feeder: open the pipe for reading once
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    feeder.join(timeout=5)
    assert code == 0 and fed.is_set()
    assert [r["id"] for r in rows(out)] == ["s1", "s2"]


def test_dev_stdin_is_read_in_the_format_of_the_file_or_pipe_behind_it(tmp_path: Path):
    src = statements(tmp_path / "statements.jsonl")
    out = tmp_path / "scores.jsonl"
    with open(src, "rb") as fh:  # a redirect: /dev/stdin leads to statements.jsonl
        done = run_tonekit("score", "/dev/stdin", "-o", str(out), "--no-progress", stdin=fh)
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in rows(out)] == ["s1", "s2"]
    with open(src, "rb") as fh:  # a pipe: JSON Lines needs --format (CSV is the default, as for '-')
        piped = subprocess.Popen(["cat"], stdin=fh, stdout=subprocess.PIPE)
        done = run_tonekit("score", "/dev/stdin", "--format", "jsonl", "-o", str(out), "--no-progress", stdin=piped.stdout)
        piped.wait()
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in rows(out)] == ["s1", "s2"]
    piped = subprocess.Popen(["printf", f"id,text\\ns1,{HOSTILE}\\n"], stdout=subprocess.PIPE)
    done = run_tonekit("score", "/dev/stdin", "-o", str(out), "--no-progress", stdin=piped.stdout)
    piped.wait()
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in rows(out)] == ["s1"]
    nameless = tmp_path / "statements"
    nameless.write_text("id,text\n", encoding="utf-8")
    done = run_tonekit("score", str(nameless), "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"tonekit score: error: cannot tell the format of {nameless} from its name; pass --format (csv, jsonl, parquet)\n"
    )


def test_text_argument_that_is_not_utf8_exits_2_naming_it():
    done = run_tonekit("text", "We thank you. (constructed)", b"You idiot \xff")
    assert done.returncode == 2
    assert done.stderr.decode() == "tonekit text: error: argument 2 is not valid UTF-8 (byte 0xff at character 10)\n"


def test_text_stdin_that_is_not_utf8_exits_2_naming_the_line():
    done = run_tonekit("text", "-", input=b"We thank you.\nYou idiot \xff\n")
    assert done.returncode == 2
    assert done.stderr.decode() == "tonekit text: error: <stdin>, line 2 is not valid UTF-8 (byte 0xff at character 10)\n"
    done = run_tonekit("text", "-", input="You idiot! (constructed)\n".encode())
    assert done.returncode == 0 and done.stdout.decode().startswith("hostility 0.")


def test_a_pipe_given_as_output_is_written_into_not_replaced(tmp_path: Path):
    src = statements(tmp_path / "statements.jsonl")
    fifo = tmp_path / "scores.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["score", str(src), "-o", str(fifo), "--no-progress"]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a file put in its place
    lines = received[0].decode("utf-8").splitlines()
    assert lines[0].startswith("id,text,hostility") and [line.split(",")[0] for line in lines[1:]] == ["s1", "s2"]
