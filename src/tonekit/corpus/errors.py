"""Problems found in a corpus file, and the error that lists them.

Every problem names the file, the physical line (CSV, JSON Lines) or the 0-based row
(Parquet) and the field.

>>> problem = CorpusProblem("a.csv", 3, 1, "id", "empty id")
>>> str(problem)
"a.csv, line 3, field 'id': empty id"
>>> CorpusError([problem]).problems == (problem,)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..shared import location

__all__ = ["CorpusProblem", "CorpusError"]


@dataclass(frozen=True)
class CorpusProblem:
    """One problem in a corpus file.

    ``line`` is the 1-based physical line (CSV header = line 1), ``row`` the
    0-based record number (the DataFrame index); Parquet has rows only.

    >>> str(CorpusProblem("statements.jsonl", 2, 1, "text", "not valid JSON (Expecting ',' delimiter)"))
    "statements.jsonl, line 2, field 'text': not valid JSON (Expecting ',' delimiter)"
    """

    file: str
    line: int | None
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{location(self.file, self.line, self.field, row=self.row)}: {self.message}"


class CorpusError(ValueError):
    """Invalid corpus; ``.problems`` lists every :class:`CorpusProblem` found.

    >>> err = CorpusError([CorpusProblem("a.csv", 3, 1, "id", "empty id")])
    >>> print(err)
    1 problem in a.csv:
      a.csv, line 3, field 'id': empty id
    """

    def __init__(self, problems: Iterable[CorpusProblem]) -> None:
        self.problems: tuple[CorpusProblem, ...] = tuple(problems)
        files = ", ".join(dict.fromkeys(p.file for p in self.problems)) or "corpus"
        n = len(self.problems)
        head = f"{n} problem{'' if n == 1 else 's'} in {files}:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[Any, ...]:  # keep .problems through pickling (multiprocessing)
        return (type(self), (self.problems,))
