"""Tests for tonekit.corpora: discovering and loading bundled corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tonekit import corpora
from tonekit.corpus import REQUIRED_COLUMNS, CorpusError

REAL = Path(__file__).resolve().parents[2] / "corpora" / "dprk_japan" / "statements.csv"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Two tiny corpora: a CSV with a heading README, a JSONL with a paragraph README."""
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    # Constructed statements, not quotations.
    (tiny / "statements.csv").write_text(
        "id,date,speaker,text\n"
        't1,2019-11-30,KCNA,"Japan had better drop its reckless ambition."\n'
        't2,2024-03-26,FM spokesperson,"We hope Japan will make a sincere decision,\nfor the sake of peace."\n'
        "t3,2007-01-01,KCNA,\n",
        encoding="utf-8",
    )
    (tiny / "README.md").write_text("# Tiny test corpus\n\nThree constructed statements.\n", encoding="utf-8")
    lines = tmp_path / "lines"
    lines.mkdir()
    (lines / "statements.jsonl").write_text(
        json.dumps({"id": "j1", "date": "2020-09-16", "text": "Suga should not follow in Abe's footsteps."}) + "\n",
        encoding="utf-8",
    )
    (lines / "README.md").write_text("A JSON Lines\ncorpus.\n\nMore text.\n", encoding="utf-8")
    (tmp_path / "empty_folder").mkdir()  # no data file: not a corpus
    return tmp_path


def test_list(root: Path):
    df = corpora.list(root=root)
    assert df.columns.tolist() == ["name", "description", "n_statements", "path"]
    assert df["name"].tolist() == ["lines", "tiny"]
    assert df["description"].tolist() == ["A JSON Lines corpus.", "Tiny test corpus"]
    assert df["n_statements"].tolist() == [1, 3]
    assert Path(df.loc[1, "path"]) == root / "tiny" / "statements.csv"


def test_load_assigns_eras(root: Path):
    df = corpora.load("tiny", root=root)
    assert df["id"].tolist() == ["t1", "t2", "t3"]
    assert df["era"].tolist() == ["Abe", "Kishida", "Abe I"]
    assert df.loc[2, "text"] == ""
    assert df.attrs["corpus"] == "tiny"
    assert corpora.load("lines", root=root)["era"].tolist() == ["Suga"]
    assert "era" not in corpora.load("tiny", root=root, era=False).columns


def test_env_var_root(root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(corpora.ENV_VAR, str(root))
    assert corpora.path("tiny") == root / "tiny" / "statements.csv"


def test_unknown_name_lists_available(root: Path):
    with pytest.raises(KeyError, match="unknown corpus 'nope'; available: lines, tiny"):
        corpora.load("nope", root=root)
    with pytest.raises(KeyError, match="empty_folder"):
        corpora.load("empty_folder", root=root)


def test_invalid_corpus_raises(root: Path):
    (root / "tiny" / "statements.csv").write_text("id,text\nx,a\nx,b\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 3, field 'id': duplicate id 'x'"):
        corpora.load("tiny", root=root)


@pytest.mark.skipif(not REAL.is_file(), reason="corpora/dprk_japan/statements.csv has not been added yet")
def test_real_dprk_japan_corpus():
    df = corpora.load("dprk_japan")
    assert len(df) >= 60
    assert set(REQUIRED_COLUMNS) <= set(df.columns) and "date" in df.columns
    assert df["id"].is_unique
    assert df["date"].notna().all()
    assert df["era"].notna().all(), df.loc[df["era"].isna(), ["id", "date"]]
    listed = corpora.list().set_index("name")
    assert listed.loc["dprk_japan", "n_statements"] == len(df)
    assert listed.loc["dprk_japan", "description"]
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
