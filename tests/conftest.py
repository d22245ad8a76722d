"""Shared fixtures: one pipeline per test session (compiling the lexicon takes a moment)."""

from __future__ import annotations

import pytest

import tonekit


@pytest.fixture(scope="session")
def nlp():
    return tonekit.load()
