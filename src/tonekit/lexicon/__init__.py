"""Labeled lexicons: the data model, reading and writing, validation with locations, diff.

A lexicon is two plain files side by side:

* ``NAME.csv`` — one entry per row: ``term, dimension, category, weight, match, note``
  (:mod:`.entries`).
* ``NAME.json`` — metadata: name, version, language, the declared categories (each
  with its dimension, definition and example) and the modifier cues (negators,
  intensifiers, downtoners, contrast and distancing cues), with a pydantic schema
  (:mod:`.metadata`).

Both are data: they are parsed, validated and never executed. :class:`Lexicon` lives in
:mod:`.core`, the entry diff in :mod:`.changes`.

>>> lex = Lexicon.default()
>>> lex.name, len(lex) > 500
('diplomatic-en', True)
>>> entry = next(e for e in lex if e.term == "puppet")
>>> entry.dimension
'hostility'
"""

from __future__ import annotations

from .changes import EntryChange, EntryDiff, diff, entry_changes
from .core import Lexicon, bundled, bundled_names, resolve, validate
from .metadata import Modifiers
from .model import (
    DEFAULT_LEXICON,
    DEFAULT_MAX_WEIGHT,
    DIMENSIONS,
    ENTRY_COLUMNS,
    MATCH_MODES,
    Category,
    Entry,
    LexiconError,
    LexiconProblem,
    number_text,
)

__all__ = [
    "DEFAULT_LEXICON",
    "DEFAULT_MAX_WEIGHT",
    "DIMENSIONS",
    "ENTRY_COLUMNS",
    "MATCH_MODES",
    "Category",
    "Entry",
    "EntryChange",
    "EntryDiff",
    "Lexicon",
    "LexiconError",
    "LexiconProblem",
    "Modifiers",
    "bundled",
    "bundled_names",
    "diff",
    "entry_changes",
    "number_text",
    "resolve",
    "validate",
]
