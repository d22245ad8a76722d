"""``tonekit text`` and ``tonekit lexicon show``: the quickest look at a score."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tonekit.cli import main


def test_text_prints_scores_and_markers(capsys):
    assert main(["text", "Abe is a perfect imbecile. (constructed)"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("hostility 0.9") and "insult" in out and "intensifier 'perfect'" in out


def test_text_json_is_one_result_per_line(capsys):
    assert main(["text", "--json", "We thank you.", "You are a puppet."]) == 0
    lines = capsys.readouterr().out.splitlines()
    results = [json.loads(line) for line in lines]
    assert results[0]["courtesy"] > 0 and results[1]["hostility"] > 0


def test_unknown_lexicon_is_a_usage_error(capsys):
    assert main(["text", "--lexicon", "no-such-lexicon", "Hello."]) == 2
    assert "no bundled lexicon" in capsys.readouterr().err


def test_lexicon_show_lists_definitions(capsys):
    assert main(["lexicon", "show"]) == 0
    out = capsys.readouterr().out
    assert "HOSTILITY" in out and "COURTESY" in out and "(constructed)" in out


def test_console_script_help():
    script = Path(sys.executable).with_name("tonekit")  # the installed console command
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "score" in done.stdout and "compare" in done.stdout
