"""Corpus files as a Dask DataFrame: a glob, a directory or a list of files, read lazily.

Each file is read by tonekit's own reader, on a worker, with the same validation and
the same ``error`` column as :func:`~tonekit.corpus.read_corpus`; every problem names its
file and line. A file becomes one or more partitions (about :data:`BLOCKSIZE` bytes of
file each: it is read once and cut into pieces of consecutive rows), and a partition's
index is the rows' position in their file. Workers open the files by their absolute path:
on a cluster of several machines the files must be on a filesystem they share. Dask is imported on use only: ``import
tonekit`` does not need it.

>>> ddf = read_files("archive/*.jsonl", reader)            # doctest: +SKIP
>>> ddf.npartitions, list(ddf.columns)                     # doctest: +SKIP
"""

from __future__ import annotations

import glob
import math
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from ..shared import PathLike
from .formats import resolve_format

__all__ = ["BLOCKSIZE", "DASK_EXTRA", "import_dask", "is_dask_frame", "corpus_files", "read_files"]

#: How to get Dask, for messages.
DASK_EXTRA = 'pip install "tonekit[dask]"'
#: Bytes of a corpus file per partition (a file is read whole, then cut into pieces).
BLOCKSIZE = 4_000_000
#: Rows read on the client to learn the columns and dtypes (the frame's ``meta``).
_META_ROWS = 100
_WHOLE_FILE = 1 << 62

#: ``reader(path, chunksize=n)``: a file's checked frames, ``n`` rows at a time.
Reader = Callable[..., Iterable[pd.DataFrame]]


def import_dask() -> Any:
    """``dask.dataframe``, or an ImportError that says which extra to install."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise ImportError(f"Dask support needs the dask extra ({DASK_EXTRA})") from exc
    return dd


def is_dask_frame(value: Any) -> bool:
    """Whether ``value`` is a Dask DataFrame (without importing Dask).

    >>> is_dask_frame(pd.DataFrame())
    False
    """
    return type(value).__module__.split(".")[0] == "dask" and hasattr(value, "map_partitions")


def corpus_files(source: PathLike | Sequence[PathLike], format: str | None = None) -> list[str]:
    """The files of ``source``: a glob (sorted), a directory (its corpus files, sorted), a
    file, or a list of these. A pattern that matches nothing is an error.

    >>> corpus_files("archive/*.parquet")                      # doctest: +SKIP
    ['archive/2019.parquet', 'archive/2020.parquet']
    """
    if not isinstance(source, (str, os.PathLike)):
        return [f for item in source for f in corpus_files(item, format)]
    name = os.fspath(source)
    if os.path.isdir(name):
        files = sorted(
            os.path.join(name, f) for f in os.listdir(name)
            if not f.startswith((".", "_")) and os.path.isfile(os.path.join(name, f)) and _is_corpus(f, format)
        )
        if not files:
            raise FileNotFoundError(f"no corpus files (.csv, .jsonl, .parquet) in directory {name}")
        return files
    if glob.has_magic(name):
        files = sorted(glob.glob(name))
        if not files:
            raise FileNotFoundError(f"no corpus files match {name}")
        return files
    if not os.path.isfile(name):
        raise FileNotFoundError(f"no such corpus file: {name}")
    return [name]


def _is_corpus(name: str, format: str | None) -> bool:
    try:
        resolve_format(name, format)
    except ValueError:
        return False
    return True


def read_files(source: PathLike | Sequence[PathLike], reader: Reader, *, blocksize: int = BLOCKSIZE) -> Any:
    """A lazy Dask DataFrame of the files of ``source`` (see :func:`corpus_files`), each read
    by ``reader``; every partition has the first file's columns, in its order.

    The columns and dtypes come from the first rows of the first file (read here, so a
    problem of the file itself, such as a missing ``text`` column, is raised at once). A
    later file without one of the columns gets it empty; a later file with a column the
    first lacks is an error naming both files.
    """
    dd = import_dask()
    import dask
    from dask import delayed

    # Absolute: a worker's working directory is not the caller's (problems name these paths).
    files = [os.path.abspath(f) for f in corpus_files(source)]
    if not isinstance(blocksize, int) or blocksize < 1:
        raise ValueError(f"blocksize must be a positive integer, not {blocksize!r}")
    meta = _bare(next(iter(reader(files[0], chunksize=_META_ROWS))).iloc[:0])
    parts = []
    for path in files:
        whole = delayed(_read_whole, pure=True)(reader, path)
        n = max(1, math.ceil(os.path.getsize(path) / blocksize))
        parts += [delayed(_piece, pure=True)(whole, k, n, meta, path, files[0]) for k in range(n)]
    # Dask would turn string columns into its own string dtype: the partitions keep
    # tonekit's dtypes, so that a computed frame equals the one pandas reads.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(parts, meta=meta, verify_meta=False)


def _bare(frame: pd.DataFrame) -> pd.DataFrame:
    # The problems are in the error column already; attrs would be copied by every operation.
    frame.attrs = {}
    return frame


def _read_whole(reader: Reader, path: str) -> pd.DataFrame:
    frames = list(reader(path, chunksize=_WHOLE_FILE))
    return frames[0] if len(frames) == 1 else pd.concat(frames)


def _piece(frame: pd.DataFrame, k: int, n: int, meta: pd.DataFrame, path: str, first: str) -> pd.DataFrame:
    """Rows ``k/n`` to ``(k+1)/n`` of a file's frame, with the columns of ``meta``."""
    part = _bare(frame.iloc[len(frame) * k // n : len(frame) * (k + 1) // n])
    if list(part.columns) == list(meta.columns):
        return part
    extra = [str(c) for c in part.columns if c not in meta.columns]
    if extra:
        raise ValueError(
            f"{path} has columns that {first} lacks ({', '.join(extra)}): a Dask frame has the "
            "same columns in every file; add them to the first file or read the files apart"
        )
    lacking = [c for c in meta.columns if c not in part.columns]
    part = part.reindex(columns=meta.columns)
    for c in lacking:
        part[c] = part[c].astype(meta[c].dtype)
    return part
