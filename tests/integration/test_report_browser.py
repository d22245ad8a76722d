"""The report of the bundled corpus in a real browser (headless Chromium over the DevTools
protocol), and ``tonekit report`` on the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest

import tonekit
from tonekit.cli import main

from chromium_cdp import Chromium, find_browser

ERAS = ["Abe", "Suga", "Kishida"]
SRC = Path(__file__).resolve().parents[2] / "src"
MAX_BYTES = 1_000_000


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "scores.csv"
    tonekit.score_corpus(tonekit.corpora.load("dprk_japan"), progress=False).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def report_file(scores_csv) -> Path:
    out = scores_csv.with_name("report.html")
    code = main(["report", str(scores_csv), "-o", str(out), "--by", "era", "--groups", *ERAS,
                 "--title", "DPRK statements on Japan", "--n-boot", "2000"])
    assert code == 0
    return out


def test_the_file_stands_alone(report_file):
    page = report_file.read_text(encoding="utf-8")
    assert report_file.stat().st_size < MAX_BYTES
    assert not re.search(r'\b(?:src|href)\s*=\s*["\']?\s*https?:', page, flags=re.I)
    assert "<script" not in page.lower()
    assert "<title>DPRK statements on Japan</title>" in page


def test_the_report_renders_in_headless_chromium(report_file, tmp_path):
    executable = find_browser()
    if executable is None:
        reason = ("NO CHROMIUM FOUND: the report was NOT checked in a browser "
                  "(install Debian's chromium, as .ci/run does, or set CHROMIUM)")
        warnings.warn(reason)
        print(f"\n*** {reason} ***", file=sys.stderr)
        pytest.skip(reason)
    started = time.perf_counter()
    with Chromium.start(executable) as browser:
        page = browser.open(report_file)
        shot = page.screenshot(tmp_path / "report.png")
        answer = page.text("#answer")
        marker = page.evaluate(
            "(m => m && {text: m.textContent, title: m.title, dimension: m.dataset.dimension,"
            " underline: getComputedStyle(m).borderBottomStyle})"
            "(document.querySelector('#statements mark.tonekit-marker'))")
        courteous = page.evaluate(
            "getComputedStyle(document.querySelector('#statements mark[data-dimension=courtesy]')).borderBottomStyle")
        svgs = page.evaluate("[...document.querySelectorAll('svg')].map(s => s.querySelector('title').textContent)")
        browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session=page.session)
        printed = page.evaluate("getComputedStyle(document.body).maxWidth")
    assert page.errors == []
    assert page.requests == [page.url], f"requests besides the page itself: {page.requests}"
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert answer.startswith("Answer: Statements of the Kishida era are ") and answer.endswith("than those of the Abe era.")
    assert marker["text"] and "weight" in marker["title"] and marker["dimension"] in ("hostility", "courtesy")
    assert marker["underline"] == {"hostility": "solid", "courtesy": "dashed"}[marker["dimension"]]
    assert courteous == "dashed"  # told apart by more than hue
    assert len(svgs) == 2 and all(svgs)
    assert printed == "none"  # the print stylesheet applies
    print(f"\nbrowser check: {time.perf_counter() - started:.1f} s")


def test_usage_errors(scores_csv, tmp_path, capsys):
    assert main(["report", str(scores_csv), "-o", str(tmp_path / "r.html"), "--by", "nothing"]) == 2
    assert "no group column 'nothing'" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "r.html")]) == 2
    assert not (tmp_path / "r.html").exists()


def test_the_console_script(scores_csv, tmp_path):
    out = tmp_path / "cli.html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", "import sys; from tonekit.cli import main; sys.exit(main())",
                           "report", str(scores_csv), "-o", str(out),
                           "--groups", "Abe", "Kishida", "--n-boot", "500", "--samples", "1"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "report written to" in done.stderr and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
