"""Every verb that writes a file writes it the same way: whole or not at all, with the
permissions a user expects, and never over a write-protected file without ``--force``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tonekit.shared import write_text_file

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "dprk_japan" / "statements.csv"


def tonekit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_umask_permissions_and_a_replaced_one_keeps_its_own(tmp_path):
    old = os.umask(0o022)
    try:
        new = tmp_path / "snapshot.csv"
        write_text_file(new, lambda fh: fh.write("id,hostility\n"))
        assert mode(new) == 0o644 and new.read_text() == "id,hostility\n"
        new.chmod(0o640)
        write_text_file(new, lambda fh: fh.write("id,courtesy\n"))
        assert mode(new) == 0o640 and new.read_text() == "id,courtesy\n"
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.csv"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old page")

    def fail(fh):
        fh.write("half a page")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_text_file(target, fail)
    assert target.read_text() == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.parametrize("verb", ["snapshot", "report"])
def test_a_write_protected_output_is_refused_unless_forced(verb, tmp_path):
    out = tmp_path / ("golden.csv" if verb == "snapshot" else "report.html")
    out.write_text("kept")
    out.chmod(0o444)
    if verb == "snapshot":
        args = ["snapshot", "dprk_japan", "-o", str(out)]
    else:
        scores = tmp_path / "scores.csv"
        done = tonekit("score", str(CORPUS), "-o", str(scores), "--no-progress", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        args = ["report", str(scores), "-o", str(out), "--groups", "Abe", "Kishida", "--n-boot", "200"]
    refused = tonekit(*args, cwd=tmp_path)
    assert refused.returncode == 2
    assert "write-protected; pass --force" in refused.stderr and "Traceback" not in refused.stderr
    assert out.read_text() == "kept"
    forced = tonekit(*args, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert out.read_text() != "kept" and mode(out) == 0o444  # replaced, its permissions kept
