"""Bundled corpora: ``list()`` what is available and ``load(name)`` it.

A corpus is a folder ``<root>/<name>/`` holding ``statements.csv`` (or
``statements.jsonl`` / ``statements.parquet``) and a ``README.md`` whose first
heading (or first paragraph) is the description. Roots are searched in order:

1. the ``root=`` argument, if given;
2. the ``TONEKIT_CORPORA`` environment variable, if set;
3. ``tonekit/data/corpora`` inside the installed package (wheels);
4. ``corpora/`` at the top of a source checkout.

The first root that exists is used.

Example
-------
>>> from tonekit import corpora
>>> corpora.list()                                   # doctest: +SKIP
>>> df = corpora.load("dprk_japan")                  # doctest: +SKIP
>>> df.groupby("era", observed=True).size()          # doctest: +SKIP
"""

from __future__ import annotations

import builtins
import os
from importlib import resources
from pathlib import Path

import pandas as pd

from .shared import PathLike
from .corpus import iter_corpus, read_corpus
from .eras import assign_era

# `list` is defined below and would shadow the builtin in `import *`; keep it out.
__all__ = ["load", "path", "describe", "ENV_VAR", "DATA_FILES"]

ENV_VAR = "TONEKIT_CORPORA"
#: Data file names looked for in a corpus folder, in order of preference.
DATA_FILES: tuple[str, ...] = ("statements.csv", "statements.jsonl", "statements.parquet")


def _candidate_roots(root: PathLike | None) -> builtins.list[Path]:
    if root is not None:
        return [Path(root)]
    roots = []
    env = os.environ.get(ENV_VAR)
    if env:
        roots.append(Path(env))
    packaged = resources.files("tonekit") / "data" / "corpora"
    if isinstance(packaged, Path):  # a zipped install has no real folder to read from
        roots.append(packaged)
    roots.append(Path(__file__).resolve().parents[2] / "corpora")
    return roots


def _root(root: PathLike | None) -> Path | None:
    for candidate in _candidate_roots(root):
        if candidate.is_dir():
            return candidate
    if root is not None:
        raise FileNotFoundError(f"corpora root {os.fspath(root)!r} is not a directory")
    return None


def _data_file(folder: Path) -> Path | None:
    for name in DATA_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def _available(root: Path | None) -> dict[str, Path]:
    """Corpus name -> data file, for folders that have one."""
    if root is None:
        return {}
    found = {}
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and not folder.name.startswith((".", "_")):
            data = _data_file(folder)
            if data is not None:
                found[folder.name] = data
    return found


def describe(folder: PathLike) -> str:
    """First Markdown heading of ``README.md`` in ``folder``, else its first paragraph."""
    readme = Path(folder) / "README.md"
    if not readme.is_file():
        return ""
    paragraph: builtins.list[str] = []
    for raw in readme.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if paragraph:
                break
            return line.lstrip("#").strip()
        if not line:
            if paragraph:
                break
            continue
        paragraph.append(line)
    return " ".join(paragraph)


def path(name: str, *, root: PathLike | None = None) -> Path:
    """Path of the data file of corpus ``name``; ``KeyError`` listing names if unknown.

    >>> path("dprk_japan").name                         # doctest: +SKIP
    'statements.csv'
    """
    available = _available(_root(root))
    if name not in available:
        names = ", ".join(available) or "none found"
        raise KeyError(f"unknown corpus {name!r}; available: {names}")
    return available[name]


def list(*, root: PathLike | None = None) -> pd.DataFrame:  # noqa: A001 - mirrors load()
    """Bundled corpora as a DataFrame with columns name, description, n_statements, path.

    ``n_statements`` counts every record in the data file.

    >>> list().columns.tolist()
    ['name', 'description', 'n_statements', 'path']
    """
    rows = []
    for name, data in _available(_root(root)).items():
        n = sum(len(chunk) for chunk in iter_corpus(data, errors="report", date=None))
        rows.append({"name": name, "description": describe(data.parent), "n_statements": n, "path": str(data)})
    columns = ["name", "description", "n_statements", "path"]
    return pd.DataFrame(rows, columns=columns).astype({"n_statements": "int64"})


def load(name: str, *, era: bool = True, root: PathLike | None = None) -> pd.DataFrame:
    """Read bundled corpus ``name`` (validated) and, if ``era``, add the ``era`` column.

    Eras are Japanese prime ministers (:func:`tonekit.eras.japan_prime_ministers`),
    assigned from the ``date`` column. ``KeyError`` lists the available names.

    >>> df = load("dprk_japan")                          # doctest: +SKIP
    >>> df[["id", "date", "era"]].head()                 # doctest: +SKIP
    """
    df = read_corpus(path(name, root=root))
    if era:
        df = assign_era(df)
    df.attrs["corpus"] = name
    return df
