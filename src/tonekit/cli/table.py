"""Tables that verbs read whole (a scored table for ``compare``, a labelled corpus for
``evaluate``), with their rows indexed by their line in the file, so that every message
can say ``line 7`` as the corpus readers do (a Parquet file has rows: ``row 7``).

Only empty cells are missing values: a text or a label "NA" stays what it is.

>>> Table("scores.csv").where(7, "date")             # doctest: +SKIP
"scores.csv, line 7, field 'date'"
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from .usage import UsageError

FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
}


class Table:
    """A table read whole: ``frame`` has the rows, indexed by their first line in the file
    (their number, from 1, for Parquet); ``where`` names a row in messages.

    ``formats`` are the extensions the verb takes (a subset of :data:`FORMATS`); ``what``
    says what the table holds, for the message when it cannot be read.
    """

    def __init__(
        self, path: str, formats: tuple[str, ...] = (".csv", ".jsonl", ".ndjson", ".parquet", ".pq"), what: str = "table"
    ) -> None:
        self.path = path
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in formats:
            raise UsageError(f"{path}: unknown file type {p.suffix!r} (use {', '.join(formats)})")
        self.format = FORMATS[suffix]
        if not p.is_file():
            raise UsageError(f"{path}: no such file")
        try:
            self.frame = getattr(self, "_read_" + self.format)(p)
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
        except (ValueError, OSError, ImportError) as exc:
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{path}: cannot read the {what} ({text})") from exc

    def where(self, label: object, field: str | None = None) -> str:
        """``file, line 7, field 'date'`` for the row with index ``label``."""
        unit = "row" if self.format == "parquet" else "line"
        return f"{self.path}, {unit} {label}" + (f", field {field!r}" if field else "")

    @staticmethod
    def _delimited(p: Path, sep: str) -> pd.DataFrame:
        frame = pd.read_csv(p, sep=sep, keep_default_na=False, na_values=[""])
        # The line each record starts on (a quoted cell may span lines; blank lines are skipped).
        lines, end = [], 0
        with p.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=sep)
            for record in reader:
                if record:
                    lines.append(end + 1)
                end = reader.line_num
        if len(lines) - 1 == len(frame):
            frame.index = lines[1:]
        else:  # the csv module and pandas disagree on some odd file: count records instead
            frame.index = range(2, len(frame) + 2)
        return frame

    def _read_csv(self, p: Path) -> pd.DataFrame:
        return self._delimited(p, ",")

    def _read_tsv(self, p: Path) -> pd.DataFrame:
        return self._delimited(p, "\t")

    def _read_jsonl(self, p: Path) -> pd.DataFrame:
        records, lines = [], []
        with p.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UsageError(f"{self.path}, line {number}: invalid JSON ({exc.msg})") from exc
                except RecursionError as exc:
                    raise UsageError(f"{self.path}, line {number}: JSON nested too deeply") from exc
                if not isinstance(record, dict):
                    kind = "an array" if isinstance(record, list) else type(record).__name__
                    raise UsageError(f"{self.path}, line {number}: a record must be a JSON object, not {kind}")
                records.append(record)
                lines.append(number)
        return pd.DataFrame.from_records(records, index=lines) if records else pd.DataFrame()

    @staticmethod
    def _read_parquet(p: Path) -> pd.DataFrame:
        frame = pd.read_parquet(p)
        frame.index = range(1, len(frame) + 1)
        return frame
