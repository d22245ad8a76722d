"""The examples in docstrings are what a user copies first: each one must run as written.

They run against the installed package (not the source tree), the way a user meets them.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import tonekit

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(tonekit.__path__, prefix="tonekit.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run_as_written(name):
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional extra that is not installed
        pytest.skip(f"{name} needs an optional dependency: {exc}")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} fail (see output)"


def test_the_package_has_docstring_examples():
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
    )
    assert examples >= 50
