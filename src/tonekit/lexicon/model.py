"""The lexicon's building blocks: entries, categories, and problems located by file,
line and field.

>>> e = Entry("Running  Dog", "hostility", "dehumanisation", 3)
>>> e.key, number_text(e.weight)
('running dog', '3')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from pydantic import ValidationError

from ..shared import location, validation_problems

DIMENSIONS = ("hostility", "courtesy")
MATCH_MODES = ("lemma", "lower", "exact", "pattern")
ENTRY_COLUMNS = ("term", "dimension", "category", "weight", "match", "note")
DEFAULT_LEXICON = "diplomatic-en"
DEFAULT_MAX_WEIGHT = 3.0


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: a word or multiword term with its label and weight."""

    term: str
    dimension: str
    category: str
    weight: float
    match: str = "lemma"
    note: str = ""

    @cached_property
    def key(self) -> str:
        """The identity of a term within a lexicon (case- and space-insensitive)."""
        return " ".join(self.term.lower().split())


@dataclass(frozen=True)
class Category:
    """A declared category of one dimension, with its definition and an example."""

    name: str
    dimension: str
    definition: str
    example: str = ""
    source: str = ""


@dataclass(frozen=True)
class LexiconProblem:
    """One validation problem, located by file, line and field."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{location(self.file, self.line, self.field)}: {self.message}"


class LexiconError(ValueError):
    """Raised with every problem found in a lexicon, not just the first."""

    def __init__(self, problems: Iterable[LexiconProblem]):
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in lexicon:\n{lines}")


def problems_of(error: ValidationError, file: str, prefix: str = "") -> list[LexiconProblem]:
    """A pydantic error of the metadata as problems of ``file``, each naming its field
    (``prefix`` places a part of the metadata: ``modifiers``)."""
    return [
        LexiconProblem(file, None, ".".join(p for p in (prefix, path) if p) or None, message)
        for path, message in validation_problems(error)
    ]


def number_text(value: float) -> str:
    """Text that reads back as exactly ``value``: ``:g`` wherever that round-trips, so
    existing files and content hashes are unchanged, else the shortest exact ``repr``.

    >>> number_text(2.0), number_text(2.0000001)
    ('2', '2.0000001')
    """
    value = float(value)  # repr of a numpy float would name its type
    text = format(value, "g")
    return text if float(text) == value else repr(value)
