"""Regression-testing lexicon changes: diff reports, snapshots and behaviour cases.

A lexicon change is reviewed like code:

* :func:`diff` says which entries were added, removed, relabelled or reweighted and,
  given a corpus, which documents moved, by how much, and which markers moved them
  (:mod:`.lexicon_diff`);
* :func:`snapshot` / :func:`check` store per-document scores and markers and fail when
  they drift (:mod:`.snapshots`);
* :func:`run_cases` checks expected behaviour written as data (CheckList-style
  minimum functionality, invariance and directional cases; Ribeiro et al. 2020;
  :mod:`.cases`, format in :mod:`.case_schema`).

>>> from tonekit.lexicon import Lexicon
>>> old = Lexicon.default()
>>> new = old.replace(entries=tuple(e for e in old if e.term != "puppet"))
>>> [c.term for c in diff(old, new).removed]
['puppet']
"""

from __future__ import annotations

from ..lexicon import EntryChange, entry_changes
from .case_schema import KINDS, OPS, Case
from .cases import (
    CaseFileError, CaseResult, CasesReport, lexicon_named_by, load_cases, parse_cases, run_case, run_cases,
)
from .documents import CHECKED_COLUMNS, RATE_COLUMNS, SNAPSHOT_COLUMNS, CorpusLike, LexiconLike, load_corpus, score_rows
from .lexicon_diff import DocumentChange, LexiconDiff, MarkerChange, diff, marker_changes
from .snapshots import CheckReport, Drift, MarkerDrift, check, marker_drifts, read_snapshot, snapshot

__all__ = [
    "CHECKED_COLUMNS",
    "KINDS",
    "OPS",
    "RATE_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "Case",
    "CaseFileError",
    "CaseResult",
    "CasesReport",
    "CheckReport",
    "CorpusLike",
    "DocumentChange",
    "Drift",
    "EntryChange",
    "LexiconDiff",
    "LexiconLike",
    "MarkerChange",
    "MarkerDrift",
    "check",
    "diff",
    "entry_changes",
    "lexicon_named_by",
    "load_cases",
    "load_corpus",
    "marker_changes",
    "marker_drifts",
    "parse_cases",
    "read_snapshot",
    "run_case",
    "run_cases",
    "score_rows",
    "snapshot",
]
