"""A worker process of ``tonekit score --n-process 2`` that dies stops the run cleanly:
one line naming the rows it had, exit status 2, no output file, no temporary file, no
process left behind. Statements are constructed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import tonekit

SRC = Path(__file__).resolve().parents[2] / "src"
TEXTS = [
    "Abe is none other than a political dwarf and a puppet of the United States. (constructed)",
    "We express deep condolences and sympathy to Your Excellency and the bereaved families. (constructed)",
    "The talks were held in Pyongyang. (constructed)",
]

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "big.csv"
    n = 100_000
    tonekit.write_corpus(pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": [TEXTS[i % 3] for i in range(n)]}), path)
    return path


@pytest.mark.parametrize(
    ("sig", "batch_size"), [("SIGKILL", "1000"), ("SIGTERM", "1000"), ("SIGKILL", "50")]
)
def test_a_dead_worker_stops_the_run_with_one_line_and_exit_2(big: Path, tmp_path: Path, sig: str, batch_size: str):
    out = tmp_path / "o.csv"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())",
         "score", str(big), "-o", str(out), "--n-process", "2", "--batch-size", batch_size, "--chunk-size", "500",
         "--no-progress"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while not list(tmp_path.glob(".o.csv.*.tmp")) or len(workers) < 2:  # scoring, with both workers
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the run never started writing"
            workers = children(child.pid)
            time.sleep(0.05)
        os.kill(workers[0], getattr(signal, sig))
        _, stderr = child.communicate(timeout=60)  # it used to wait forever
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    lines = stderr.decode().splitlines()
    assert child.returncode == 2, lines
    assert len(lines) == 1, lines
    assert re.fullmatch(
        rf"tonekit score: error: scoring worker process {workers[0]} "
        r"(died \(killed\)|was terminated \(SIGTERM\)) (while scoring|between batches, before scoring) "
        r"rows? \d+(-\d+)?; no output written",
        lines[0],
    ), lines[0]
    assert ("SIGTERM" in lines[0]) == (sig == "SIGTERM")
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    assert not any(alive(pid) for pid in workers)
