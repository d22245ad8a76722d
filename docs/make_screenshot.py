"""Regenerate docs/report.png, the screenshot of ``tonekit report`` shown in README.md.

Scores the bundled corpus, writes the report of the Abe, Suga and Kishida eras and
photographs its top in headless Chromium (Debian's ``chromium``, or ``$CHROMIUM``)::

    python docs/make_screenshot.py            # writes docs/report.png
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))  # the DevTools client of the browser test

import tonekit  # noqa: E402
from chromium_cdp import Chromium  # noqa: E402
from tonekit.report import write_report  # noqa: E402


def main(out: Path = ROOT / "docs" / "report.png", width: int = 1000, height: int = 1500) -> Path:
    scores = tonekit.score_corpus(tonekit.corpora.load("dprk_japan"), progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        page = write_report(scores, Path(tmp) / "report.html", by="era", groups=["Abe", "Suga", "Kishida"],
                            title="DPRK statements on Japan: Abe, Suga, Kishida", run_date=dt.date(2026, 12, 6))
        with Chromium.start() as browser:
            loaded = browser.open(page)
            if loaded.errors or loaded.requests != [loaded.url]:
                raise SystemExit(f"the page misbehaved: errors {loaded.errors}, requests {loaded.requests}")
            loaded.screenshot(out, width=width, height=height)
    return out


if __name__ == "__main__":
    print(main())
