"""The Korean parallel corpus: rows aligned with the English corpus, each quoted from a
named source, and the translation effect measured over it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import tonekit

ROOT = Path(__file__).resolve().parents[2]
KOREAN = ROOT / "corpora" / "dprk_japan_ko" / "statements.csv"

pytest.importorskip("kiwipiepy")


@pytest.fixture(scope="module")
def korean() -> pd.DataFrame:
    return pd.read_csv(KOREAN, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def comparison(korean):
    english = tonekit.corpora.load("dprk_japan", era=False)
    english = english[english["id"].isin(korean["id"])]
    return tonekit.compare_translations(
        tonekit.score_corpus(english, progress=False),
        tonekit.score_corpus(korean, lexicon="diplomatic-ko", progress=False),
    )


def test_every_row_is_aligned_quoted_and_sourced(korean):
    english_ids = set(tonekit.corpora.load("dprk_japan", era=False)["id"])
    assert korean["id"].is_unique and set(korean["id"]) <= english_ids
    assert (korean["lang"] == "ko").all()
    assert korean["source_url"].str.match(r"https?://").all()
    assert (korean["source_outlet"].str.strip() != "").all() and (korean["source_note"].str.strip() != "").all()
    assert set(korean["coverage"]) <= {"partial", "full"}
    assert all(tonekit.pipeline.languages.script_mismatch(t, "ko") is None for t in korean["text"])
    # The key statements of 2024 are there.
    for key in ("20240106-kimjongun-condolence", "20240215-kimyojong", "20240325-kimyojong",
                "20240326-kimyojong", "20240329-choesonhui"):
        assert f"dprkjp-{key}" in set(korean["id"])


def test_korean_and_english_hostility_correlate(comparison):
    assert comparison.n == 31
    # Over 31 partial rows: hostility 0.53, tone 0.57 (corpus README); 13 rows are new to the lexicon.
    assert comparison.spearman["hostility"] > 0.5
    assert comparison.spearman["tone"] > 0.5


def test_clearly_signed_2024_statements_keep_their_sign_in_korean(comparison):
    table = comparison.table
    rows = table[table["id"].str.startswith("dprkjp-2024") & (table["tone_en"].abs() >= 0.1)]
    assert len(rows) >= 4
    assert ((rows["tone_en"] > 0) == (rows["tone_ko"] > 0)).all()
    condolence = table.set_index("id").loc["dprkjp-20240106-kimjongun-condolence"]
    assert condolence["courtesy_ko"] > 0.5 and condolence["hostility_ko"] == 0
