"""Check a lexicon from your own test suite: assertions, fixtures and a pytest plugin.

One line in a test::

    from tonekit.testing import assert_cases, assert_matches_snapshot

    def test_lexicon_behaviour():
        assert_cases("tests/cases/my-lexicon.jsonl", lexicon="lexicons/my-lexicon.csv")

    def test_scores_have_not_drifted():
        assert_matches_snapshot("corpora/statements.csv", "tests/snapshots/statements.csv")

Installed with tonekit, the plugin (entry point ``pytest11``) also provides:

* ``--tonekit-lexicon PATH`` / ini ``tonekit_lexicon``: the lexicon under test;
* fixtures ``tonekit_lexicon`` (that lexicon) and ``tonekit_cases`` (``tonekit_cases(path)``
  asserts a case file against it);
* collection of case files named ``*.cases.jsonl``, ``*.cases.yaml`` or ``*.cases.yml``
  (ini ``tonekit_case_patterns``), one test item per case, so each case passes or
  fails on its own line of the pytest report.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import pandas as pd

    from .lexicon import Lexicon
    from .regression import Case, CasesReport, CheckReport

DEFAULT_CASE_PATTERNS = ("*.cases.jsonl", "*.cases.yaml", "*.cases.yml")


def assert_cases(path: str | Path, lexicon: Lexicon | str | Path | None = None) -> CasesReport:
    """Run a case file; raise ``AssertionError`` with one line per failing case.

    >>> import tempfile, json, os
    >>> path = os.path.join(tempfile.mkdtemp(), "c.jsonl")
    >>> _ = open(path, "w").write(json.dumps({"name": "condolence", "text":
    ...     "We express our deepest condolences to the bereaved families. (constructed)",
    ...     "expect": {"metric": "courtesy", "op": ">=", "value": 0.5}}) + "\\n")
    >>> assert_cases(path).passed
    True
    """
    from .regression import run_cases

    report = run_cases(path, lexicon=lexicon)
    if not report.passed:
        lines = [f"{len(report.failures)} of {len(report.results)} behaviour cases failed [{report.lexicon}]:"]
        lines += [f"  {r.where + ': ' if r.where else ''}{r.describe()}" for r in report.failures]
        raise AssertionError("\n".join(lines))
    return report


def assert_matches_snapshot(
    corpus: pd.DataFrame | str | Path,
    golden: pd.DataFrame | str | Path,
    tolerance: float = 0.01,
    lexicon: Lexicon | str | Path | None = None,
    *,
    rate_tolerance: float | None = None,
) -> CheckReport:
    """Score ``corpus`` and compare with a golden snapshot (scores, rates and markers, as
    :func:`tonekit.regression.check` does); ``AssertionError`` with one line per drifted,
    added or missing document."""
    from .regression import check

    report = check(corpus, golden, tolerance=tolerance, lexicon=lexicon, rate_tolerance=rate_tolerance)
    if not report.passed:
        head = (
            f"scores differ from the snapshot (tolerance {report.tolerance:g}, "
            f"snapshot {report.golden_lexicon or '?'}, now {report.lexicon}):"
        )
        raise AssertionError("\n".join([head, *(f"  {line}" for line in report.failure_lines())]))
    return report


# -- the pytest plugin -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tonekit", "tonekit lexicon checks")
    group.addoption(
        "--tonekit-lexicon",
        dest="tonekit_lexicon",
        default=None,
        help="lexicon under test: bundled name or CSV path (default: ini tonekit_lexicon, else diplomatic-en)",
    )
    parser.addini("tonekit_lexicon", "lexicon under test (bundled name or CSV path)", default="")
    parser.addini(
        "tonekit_case_patterns",
        "glob patterns of case files collected as tests",
        type="linelist",
        default=list(DEFAULT_CASE_PATTERNS),
    )


def _lexicon_option(config: pytest.Config) -> str | None:
    value = config.getoption("tonekit_lexicon") or config.getini("tonekit_lexicon")
    if not value:
        return None
    path = Path(value)
    # A relative path in the ini file is relative to the project, not to the working directory.
    if not path.is_absolute() and not path.exists() and (config.rootpath / path).exists():
        return str(config.rootpath / path)
    return str(value)


@pytest.fixture(scope="session")
def tonekit_lexicon(pytestconfig: pytest.Config) -> Lexicon:
    """The lexicon under test (``--tonekit-lexicon`` or ini ``tonekit_lexicon``)."""
    from .lexicon import resolve

    return resolve(_lexicon_option(pytestconfig))


@pytest.fixture
def tonekit_cases(tonekit_lexicon: Lexicon) -> Callable[[str | Path], CasesReport]:
    """``tonekit_cases(path)`` asserts a case file against the lexicon under test."""

    def run(path: str | Path) -> CasesReport:
        return assert_cases(path, lexicon=tonekit_lexicon)

    return run


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.getini("tonekit_case_patterns")
    if any(fnmatch.fnmatch(file_path.name, p) for p in patterns):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFailure(Exception):
    """A behaviour case that did not hold (reported without a Python traceback)."""


class CaseFile(pytest.File):
    """A case file: one test item per case."""

    def collect(self):
        from .regression import load_cases

        for case in load_cases(self.path):
            item = CaseItem.from_parent(self, name=case.name, case=case)
            if case.xfail:
                item.add_marker(pytest.mark.xfail(reason=case.xfail, strict=True, raises=CaseFailure))
            yield item


class CaseItem(pytest.Item):
    """One behaviour case run against the lexicon under test."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from .lexicon import resolve
        from .regression import run_case

        from .regression import lexicon_named_by

        # A case file named after a bundled lexicon of another language is that lexicon's.
        lexicon = resolve(_lexicon_option(self.config))
        named = lexicon_named_by(self.path)
        if named is not None and resolve(named).language != lexicon.language:
            lexicon = resolve(named)
        failed = [r for r in run_case(self.case, lexicon) if not r.passed]
        if failed:
            raise CaseFailure("\n".join(r.describe() for r in failed))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.case.where}: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.case.line - 1) if self.case.line else None, f"case {self.case.name}"
