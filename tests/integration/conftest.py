"""Integration tests: the command in subprocesses, notebooks, worker processes, the README.
Every test here is marked ``slow`` (``pytest -m "not slow"`` runs the unit tests alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.slow)
