"""Shared fixtures: one pipeline per test session (compiling the lexicon takes a moment)
and a small corpus file with one malformed line."""

from __future__ import annotations

from pathlib import Path

import pytest

import tonekit


@pytest.fixture(scope="session")
def nlp():
    return tonekit.load()


@pytest.fixture
def broken_jsonl(tmp_path: Path) -> Path:
    """Three statements (constructed); line 2 is not valid JSON (unescaped quotes)."""
    path = tmp_path / "statements.jsonl"
    path.write_text(
        '{"id": "s1", "text": "Abe is none other than a political dwarf and a puppet of the United States."}\n'
        '{"id": "s2", "text": "Japan "will" pay dearly"}\n'
        '{"id": "s3", "text": "We express deep condolences and sympathy to Your Excellency and the bereaved families."}\n',
        encoding="utf-8",
    )
    return path
