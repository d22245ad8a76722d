"""Writing corpus files atomically: CSV, JSON Lines and Parquet, chunk by chunk.

:class:`CorpusWriter` writes to a hidden temporary file and moves it into place on
close; columns that first come in a later chunk are added to the rows before (CSV and
JSON Lines in one pass on close, Parquet when they come), and a Parquet column takes
the type that holds all its values. :func:`write_corpus` writes a DataFrame or an
iterable of them.

Example
-------
>>> write_corpus(df, "statements.jsonl")                          # doctest: +SKIP
>>> with CorpusWriter("scores.parquet") as writer:                # doctest: +SKIP
...     for chunk in iter_corpus("big.jsonl"):
...         writer.write(chunk)
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..shared import PathLike, unpaired_surrogate
from .encode import arrow_array, csv_bytes, csv_writer, json_bytes, jsonl_bytes, text_array
from .formats import STDIO, resolve_format
from .read import csv_fields_unlimited

__all__ = ["CorpusWriter", "write_corpus"]

# Rows encoded at a time: a block's text values are held as separate strings at once.
_WRITE_BLOCK = 5_000


def _unencodable(df: pd.DataFrame) -> str | None:
    """Where ``df`` holds text that UTF-8 cannot encode (which only an object column can
    hold), said for the user; None if nowhere."""
    for name in df.columns:
        series = df[name]
        if series.dtype != object:
            continue
        for label, value in series.items():
            where = unpaired_surrogate(value) if isinstance(value, str) else None
            if where is not None:
                return (
                    f"row with index {label!r}, column {name!r}: not valid Unicode ({where}); "
                    "JSON Lines keeps it as an escape, CSV and Parquet cannot"
                )
    return None


def _merged_columns(known: list[str], columns: list[str]) -> list[str]:
    """``known`` with the ``columns`` it lacks, each inserted before the first known
    column that follows it in ``columns`` (at the end where none does).

    >>> _merged_columns(["id", "text", "hostility", "error"], ["id", "text", "note", "hostility", "error"])
    ['id', 'text', 'note', 'hostility', 'error']
    """
    merged = list(known)
    present = set(known)
    for i, col in enumerate(columns):
        if col in present:
            continue
        following = next((c for c in columns[i + 1 :] if c in present), None)
        merged.insert(len(merged) if following is None else merged.index(following), col)
    return merged


def _lines_between(source: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The lines of ``source`` from byte ``start`` to byte ``end`` (both at the start of
    a line), read as they are needed."""
    source.seek(start)
    while start < end and (line := source.readline()):
        start += len(line)
        yield line


def _widen_csv(lines: Iterable[bytes], target: IO[bytes], old: list[str], columns: list[str]) -> None:
    """Write the CSV records in ``lines`` (columns ``old``, no header) to ``target`` with
    the columns ``columns``: an empty cell in those ``old`` lacks, the others quoted as
    the writer quotes them (so the result equals writing all at once)."""
    where = {c: j for j, c in enumerate(old)}
    picks = [where.get(c) for c in columns]
    writer = csv_writer(lambda record: target.write(record.encode("utf-8")))
    with csv_fields_unlimited():
        for record in csv.reader(codecs.iterdecode(lines, "utf-8"), strict=True):
            writer.writerow(["" if j is None else record[j] for j in picks])


def _csv_header(columns: list[str]) -> bytes:
    records: list[str] = []
    csv_writer(records.append).writerow(columns or [""])  # no columns: one empty cell, not a blank line
    return records[0].encode("utf-8")


def _widen_jsonl(lines: Iterable[bytes], target: IO[bytes], old: list[str], columns: list[str]) -> None:
    """Write the JSON Lines records in ``lines`` (written with the members ``old``, in
    that order) to ``target`` with the members ``columns``: ``null`` in the added ones,
    the others as written (byte for byte, so the result equals writing all at once)."""
    scan = json.JSONDecoder().raw_decode
    where = {c: j for j, c in enumerate(old)}
    added = {c: json_bytes(c) + b":null" for c in columns if c not in where}
    for raw in lines:
        line = raw.decode("utf-8")
        members: list[bytes] = []
        pos = 1  # after "{"; the writer puts no spaces between tokens
        while line[pos] != "}":
            _, end = scan(line, pos)  # the key
            _, end = scan(line, end + 1)  # its value, after ":"
            members.append(line[pos:end].encode("utf-8"))
            pos = end + 1 if line[end] == "," else end
        target.write(b"{" + b",".join(added[c] if c in added else members[where[c]] for c in columns) + b"}\n")


def _keep_mode(dest: str, tmp: str) -> None:
    """Give the new file the permissions of the file it replaces, if any (a file made
    read-only stays so; ``cp`` keeps them too)."""
    try:
        mode = os.stat(dest).st_mode
    except OSError:  # no file there yet: the umask's permissions
        return
    if stat.S_ISREG(mode):
        os.chmod(tmp, stat.S_IMODE(mode))


def _copy_to_stdout(spool: IO[bytes]) -> None:
    """Copy the spooled output to standard output as UTF-8 bytes, whatever the console
    encoding (stdin is read as UTF-8 too)."""
    spool.seek(0)
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (e.g. io.StringIO): decoded
        decoder = codecs.getincrementaldecoder("utf-8")()
        while block := spool.read(1 << 20):
            sys.stdout.write(decoder.decode(block))
        sys.stdout.write(decoder.decode(b"", final=True))
    else:
        shutil.copyfileobj(spool, out, 1 << 20)
        out.flush()
    sys.stdout.flush()


def _cast(values: Any, to: Any) -> Any:
    """Arrow ``values`` as type ``to``: a lossless cast (see ``CorpusWriter._promoted``),
    text as :func:`~tonekit.corpus.encode.arrow_array` writes it, or nulls (a column of
    nulls has a stand-in type, which not every type casts from)."""
    import pyarrow as pa

    if values.null_count == len(values):
        return pa.nulls(len(values), to)
    if pa.types.is_string(to):
        return text_array(values)
    return values.cast(to)


class CorpusWriter:
    """Write a corpus chunk by chunk, atomically.

    Output goes to a hidden temporary file next to the destination, which is
    moved into place with :func:`os.replace` only when the writer is closed
    without error. An exception, Ctrl-C or a killed process therefore never
    leaves a partial file at the destination (a killed process may leave the
    hidden ``.name.*.tmp`` file behind). ``"-"`` writes CSV/JSONL to stdout, in
    UTF-8, all at once on close (spooled in an anonymous temporary file meanwhile); so
    is a pipe or device given by name, which is written into rather than replaced. A
    file replaced keeps its permissions.

    The output does not depend on how the rows were split into chunks. The first
    chunk gives the columns; a later chunk may have them in any order, lack some (null
    in its rows) or add some: an added column is inserted before the first known
    column that follows it in that chunk, and the rows already written get nulls in
    it (CSV and JSON Lines: in one copy of the temporary file on close, however many
    columns came; Parquet: when the column comes). A Parquet column takes the type
    that holds all its values, as one chunk of all the rows would have given it (an
    integer column that meets fractions becomes double; one that meets text becomes
    text, each value written as its JSON text). The index
    is not written. Datetimes are written as ISO dates (``2019-11-30``) when they fall
    on midnight, else as ISO datetimes; NaN/NaT/None become empty CSV cells, JSON
    ``null`` or Parquet nulls.

    >>> with CorpusWriter("out.parquet") as w:             # doctest: +SKIP
    ...     for chunk in iter_corpus("in.jsonl"):
    ...         w.write(chunk)
    """

    def __init__(self, path: PathLike, *, format: str | None = None) -> None:
        self.format = resolve_format(path, format)
        self.path = os.fspath(path)
        self.stdout = self.path == STDIO
        # A pipe or device (``/dev/stdout``, ``>(gzip > s.gz)``) is written into, not
        # replaced: spooled like standard output and copied into it on close.
        self.stream = not self.stdout and os.path.exists(self.path) and not os.path.isfile(self.path)
        if self.stdout and self.format == "parquet":
            raise ValueError("Parquet cannot be written to stdout; give a file name")
        self.rows = 0
        self.closed = False
        self._tmp: str | None = None
        self._fh: Any = None
        self._columns: list[str] | None = None
        # CSV, JSON Lines: (byte offset, columns) of each run of rows written with the same columns.
        self._segments: list[tuple[int, list[str]]] = []
        self._parquet: Any = None
        self._schema: Any = None
        self._provisional: set[str] = set()  # Parquet columns with only nulls so far
        self._int_bounds: dict[str, tuple[int, int]] = {}  # of the Parquet integer columns
        self._chunk = 0

    # -- lifecycle
    def __enter__(self) -> CorpusWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:  # never leave temp files from a forgotten writer
        try:
            if not self.closed:
                self.abort()
        except Exception:
            pass

    def _open(self) -> None:
        if self._fh is None:
            self._tmp, self._fh = self._new_file()

    def _new_file(self) -> tuple[str | None, Any]:
        """A new hidden temporary file: its path (None for stdout's) and its (binary) handle.

        Standard output is spooled to an anonymous temporary file and copied out on
        close: a column that first appears in a later chunk can then still be added to
        the rows before (see :meth:`_widen_segments`), and a failed run writes nothing.
        """
        if self.stdout or self.stream:
            return None, tempfile.TemporaryFile("w+b")
        dest = Path(self.path)
        while True:
            path = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
            try:
                # 0o666 so the umask applies as for any new file (mkstemp would force 0o600).
                flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                fd = os.open(path, flags, 0o666)
            except FileExistsError:
                continue
            return str(path), os.fdopen(fd, "w+b")

    def write(self, df: pd.DataFrame) -> None:
        """Append the rows of ``df``."""
        if self.closed:
            raise ValueError(f"writer for {self.path!r} is closed")
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
        self._chunk += 1
        df = self._align(df)
        self._open()
        try:
            if self.format == "parquet":
                self._write_parquet(df)
            else:
                self._mark_segment()
                encode = csv_bytes if self.format == "csv" else jsonl_bytes
                for start in range(0, len(df), _WRITE_BLOCK):
                    self._fh.write(encode(df.iloc[start : start + _WRITE_BLOCK]))
        except UnicodeEncodeError as exc:
            raise ValueError(f"{self.path}: {_unencodable(df) or exc}") from None
        except RecursionError:  # a list or object nested hundreds of levels deep
            raise ValueError(f"{self.path}: a value is nested too deeply to be written") from None
        self.rows += len(df)

    def _align(self, df: pd.DataFrame) -> pd.DataFrame:
        columns = [str(c) for c in df.columns]
        if len(set(columns)) != len(columns):
            raise ValueError(f"chunk {self._chunk} has duplicate column names: {columns}")
        df = df.set_axis(columns, axis=1)
        if self._columns is None:
            self._columns = columns
            return df
        if columns == self._columns:  # the common case
            return df
        if not set(columns) <= set(self._columns):
            self._columns = _merged_columns(self._columns, columns)
        # A column earlier chunks had and this one lacks is null in its rows.
        return df.reindex(columns=self._columns)

    def _mark_segment(self) -> None:
        """Note where the CSV or JSON Lines rows written with the present columns start
        (after the CSV header, written with the first chunk's columns).

        Rows are written with the columns known when they come; :meth:`_widen_segments`
        gives them all the final columns on close. Rewriting the file whenever a column
        came would copy it once per new column: quadratic, where a JSON Lines corpus
        brings a new key every chunk.
        """
        columns = self._columns or []
        if self._segments and self._segments[-1][1] == columns:
            return
        if not self._segments and self.format == "csv":
            self._fh.write(_csv_header(columns))
        self._segments.append((self._fh.tell(), columns))

    def _widen_segments(self) -> None:
        """Give the rows of every segment (see :meth:`_mark_segment`) the final columns,
        null in the ones they lack, in one copy of the temporary file; nothing to do
        when the columns never changed.

        Rows are copied as written, line by line (memory stays bounded), with empty
        cells or ``null`` members added: the file equals one written in one chunk.
        """
        columns = self._columns or []
        if all(old == columns for _, old in self._segments):
            return
        source = self._fh
        ends = [offset for offset, _ in self._segments[1:]] + [source.seek(0, os.SEEK_END)]
        widen = _widen_csv if self.format == "csv" else _widen_jsonl

        def copy(target: IO[bytes]) -> None:
            if self.format == "csv":
                target.write(_csv_header(columns))
            for (start, old), end in zip(self._segments, ends):
                lines = _lines_between(source, start, end)
                if old == columns:
                    target.writelines(lines)
                else:
                    widen(lines, target, old, columns)

        self._rewrite(copy)

    def _rewrite(self, fill: Callable[[Any], Any]) -> Any:
        """Continue in a new temporary file written by ``fill(fh)`` (its result is
        returned); the previous file is removed, or the new one if ``fill`` fails."""
        tmp, fh = self._new_file()
        try:
            result = fill(fh)
        except BaseException:
            fh.close()
            if tmp is not None:
                os.unlink(tmp)
            raise
        self._fh.close()
        if self._tmp is not None:
            os.unlink(self._tmp)
        self._tmp, self._fh = tmp, fh
        return result

    def _write_parquet(self, df: pd.DataFrame) -> None:
        """Append ``df`` as a row group; the first chunk gives the schema, which later
        ones may widen (see :meth:`_widen_schema`)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        columns = self._columns or []
        arrays = [arrow_array(df.iloc[:, i]) for i in range(len(columns))]
        if self._parquet is None:
            self._schema = pa.schema([pa.field(col, arr.type) for col, arr in zip(columns, arrays)])
            self._provisional = {col for col, arr in zip(columns, arrays) if arr.null_count == len(arr)}
            self._parquet = pq.ParquetWriter(self._fh, self._schema)
        else:
            self._widen_schema(columns, arrays)
        for i, (col, arr) in enumerate(zip(columns, arrays)):
            want = self._schema.field(col).type
            if arr.type != want:  # a lossless cast (see _promoted), or a column of nulls
                arrays[i] = _cast(arr, want)
        self._parquet.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        # Whether a wider type holds the integers written so far (see _promoted).
        for col, arr in zip(columns, arrays):
            if pa.types.is_integer(arr.type) and arr.null_count < len(arr):
                extremes = pc.min_max(arr)
                low, high = extremes["min"].as_py(), extremes["max"].as_py()
                before = self._int_bounds.get(col, (low, high))
                self._int_bounds[col] = (min(before[0], low), max(before[1], high))

    def _widen_schema(self, columns: list[str], arrays: list[Any]) -> None:
        """Make the Parquet schema hold this chunk's ``arrays`` (one per column): where
        it must change, the row groups written so far are written again, once.

        A column it brings is added (null in the rows before); a column with only
        nulls so far got a stand-in type, and takes that of its first values; a column
        whose values need a wider type gets it (:meth:`_promoted`), and its values so
        far are cast (made text where no other type holds them all). The types then do
        not depend on the chunk size.
        """
        import pyarrow as pa

        types: dict[str, Any] = {}
        provisional = set(self._provisional)
        for col, arr in zip(columns, arrays):
            empty = arr.null_count == len(arr)
            if col not in self._schema.names:
                types[col] = arr.type
                if empty:
                    provisional.add(col)
                continue
            have = self._schema.field(col).type
            if empty:
                continue
            if col in provisional:
                provisional.discard(col)
                wider = arr.type
            else:
                wider = have if arr.type == have else self._promoted(col, have, arr)
            if wider != have:
                types[col] = wider
        if types:
            self._rewrite_parquet(
                pa.schema([pa.field(c, types[c] if c in types else self._schema.field(c).type) for c in columns])
            )
        self._provisional = provisional

    def _promoted(self, col: str, have: Any, arr: Any) -> Any:
        """The type of column ``col`` that holds both its values so far (of type
        ``have``) and those of ``arr``, exactly: Arrow's permissive promotion (int64 and
        double make double, int32 and int64 make int64), if every value survives the
        cast; where there is none (text and numbers, booleans and numbers, integers a
        double cannot hold), text, as one chunk of all the values would have made it."""
        import pyarrow as pa

        try:
            schemas = [pa.schema([pa.field(col, t)]) for t in (have, arr.type)]
            wider = pa.unify_schemas(schemas, promote_options="permissive").field(col).type
            arr.cast(wider)
            if pa.types.is_integer(have) and col in self._int_bounds:  # the values so far
                pa.array(list(self._int_bounds[col]), have).cast(wider)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            return pa.string()
        return wider

    def _rewrite_parquet(self, schema: Any) -> None:
        """Write the Parquet file again with ``schema``: a column it adds is null in the
        rows written, one whose type it changes is cast (see :meth:`_widen_schema`)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        old = self._schema
        self._parquet.close()
        self._parquet = None
        self._fh.flush()
        self._fh.seek(0)
        source = pq.ParquetFile(self._fh)

        def column(group: Any, f: Any) -> Any:
            if f.name not in old.names:
                return pa.nulls(group.num_rows, f.type)
            values = group.column(f.name)
            if values.type == f.type:
                return values
            return _cast(values, f.type)

        def copy(fh: Any) -> Any:
            writer = pq.ParquetWriter(fh, schema)
            for i in range(source.num_row_groups):
                group = source.read_row_group(i)
                writer.write_table(pa.Table.from_arrays([column(group, f) for f in schema], schema=schema))
            return writer

        self._parquet, self._schema = self._rewrite(copy), schema

    def close(self) -> None:
        """Finish the file and move it into place (idempotent)."""
        if self.closed:
            return
        if self._columns is None:  # nothing written: still produce a valid, empty corpus
            self.write(pd.DataFrame({"id": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)}))
        self.closed = True
        try:
            if self.format != "parquet":
                self._widen_segments()
            elif self._parquet is not None:
                self._parquet.close()
            self._fh.flush()
            if self.stdout:
                _copy_to_stdout(self._fh)
                self._fh.close()
            elif self.stream:
                self._fh.seek(0)
                with open(self.path, "wb") as out:
                    shutil.copyfileobj(self._fh, out, 1 << 20)
                self._fh.close()
            else:
                os.fsync(self._fh.fileno())
                self._fh.close()
                _keep_mode(self.path, self._tmp)
                os.replace(self._tmp, self.path)  # atomic: the destination is all or nothing
                self._tmp = None
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Discard everything written; the destination is left untouched."""
        self.closed = True
        for closer in (self._parquet, self._fh):
            try:
                if closer is not None:
                    closer.close()
            except Exception:
                pass
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None


def write_corpus(
    data: pd.DataFrame | Iterable[pd.DataFrame],
    path: PathLike,
    *,
    format: str | None = None,
) -> int:
    """Write a DataFrame, or an iterable of DataFrames, to a corpus file atomically.

    The format comes from the extension (or ``format=``); ``"-"`` is stdout
    (CSV/JSONL). Returns the number of rows written. See :class:`CorpusWriter`.

    >>> write_corpus(df, "statements.jsonl")                          # doctest: +SKIP
    >>> write_corpus(iter_corpus("in.csv"), "out.parquet")            # doctest: +SKIP
    """
    frames = [data] if isinstance(data, pd.DataFrame) else data
    with CorpusWriter(path, format=format) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.rows
