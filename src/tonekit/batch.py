"""Batch scoring: a corpus in, one row of scores per statement out.

:func:`score_corpus` scores a DataFrame (or a corpus file) and returns it with the
score columns added; :func:`score_chunks` is the streaming engine behind
``tonekit score``: it scores an iterable of DataFrames chunk by chunk, so memory
does not grow with the corpus.

Output columns
--------------
The input columns, in their order, then :data:`SCORE_COLUMNS` (``hostility``,
``courtesy``, ``tone``, ``hostility_rate``, ``courtesy_rate``, ``n_tokens``,
``n_markers``), then one column per lexicon category named exactly as the
category (the rate per 100 tokens, as in ``ToneResult.categories`` and the
metric names of :mod:`tonekit.regression`), then ``error``.

Column names are never mangled: an input column with the name of a score or
category column is replaced by the fresh scores (so re-scoring a scored table gives
new scores, not duplicate columns); a :class:`UserWarning` names the replaced
columns unless the input is itself a scored table. The text column itself can never
be replaced (a lexicon category of that name is an error).

Rows and errors
---------------
Exactly one output row per input row, in input order, with the input's index. A row
that cannot be scored (text missing or not a string, or any exception while scoring)
gets NaN scores and a message in ``error``, and the batch goes on. A row that already
has an ``error`` (e.g. from ``read_corpus(errors="report")``) is not scored and
keeps its message; read from a file, the ``error`` column of a scored table is its
previous run's, and the rows are scored afresh. An empty or whitespace-only text is
not scored either: its ``error`` is ``"empty text"`` (as in ``evaluate``; ``compare``
leaves such rows out). A subclass of ``str`` is a text like any other.
Texts longer than :data:`~tonekit.pipeline.PIECE_LENGTH` characters (or
``nlp.max_length``) are scored in pieces as :func:`tonekit.score` scores them, one at a
time; runs of punctuation are tokenized in linear time (:func:`~tonekit.pipeline.tokenize`);
each batch is scored in a spaCy memory zone, in worker processes too.

Speed
-----
With the standard pipeline the texts only go through the tokenizer
(``nlp.tokenizer.pipe``, a batch at a time) and the component's matcher
(:meth:`ToneComponent.score_docs`: a text without a marker costs its matcher call and
no more, and a batch's scores are one array); sentences are never split: contrast is
scoped by the sentencizer's rule without it. Python's cyclic garbage collector is
paused while a batch is scored (scoring leaves no reference cycles) and restored after
it. Any other pipeline (a trained parser, an enabled lemmatizer) runs through
``nlp.pipe`` first. With ``n_process > 1`` worker processes build their own pipeline
once, from the lexicon's text (or the pipeline's config and bytes), receive
``(position, text)`` chunks and send back numbers only, never Docs. Results do not
depend on ``n_process`` or ``batch_size``. A worker process that dies (killed, out of
memory) stops the run with a :class:`WorkerError` that names the rows it was scoring.
The scoring of batches, in this process or in workers, is :mod:`tonekit.engine`.

>>> import pandas as pd
>>> df = pd.DataFrame({"id": ["a", "b"], "text": ["Abe is a political dwarf.", None]})
>>> out = score_corpus(df, progress=False)
>>> bool(out.loc[0, "hostility"] > 0), out.loc[1, "error"]
(True, 'missing text (null)')
"""

from __future__ import annotations

import sys
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language

from .corpus import (
    STRING_DTYPE, CorpusError, error_message, is_missing, read_chunks, resolve_format,
)
from .corpus.scale import is_dask_frame
from .shared import EMPTY_TEXT, PathLike, is_empty_text, plain_str
from .pipeline.languages import warn_language_mismatch
from .scoring import SCORE_COLUMNS
from .workers import WorkerError
from .engine import COUNT_COLUMNS, Engine, LexiconLike, Scored, TextScorer, collector_paused

__all__ = ["SCORE_COLUMNS", "TextScorer", "WorkerError", "score_corpus", "score_chunks", "read_scoring_input"]

DEFAULT_BATCH_SIZE = 1000





# --------------------------------------------------------------------------- frames


class _Layout:
    """How input chunks map to output chunks; the column decisions are made once."""

    def __init__(self, columns: tuple[str, ...], text: str) -> None:
        self.columns = columns
        self.text = text
        self.output = frozenset(columns) | {"error"}
        if text in self.output:
            raise ValueError(
                f"the text column {text!r} has the name of a score or lexicon category column; rename it"
            )
        self._warned = False

    def items(self, df: pd.DataFrame) -> tuple[list[tuple[int, Any]], list[Any]]:
        """``(position, text)`` to score, and the errors already present (None when clean)."""
        if self.text not in df.columns:
            raise ValueError(
                f"the corpus has no text column {self.text!r} (columns: {', '.join(map(str, df.columns))})"
            )
        texts = df[self.text].tolist()
        if "error" in df.columns:
            before = [error_message(e) for e in df["error"].tolist()]
        else:
            before = [None] * len(texts)
        items = [
            (i, t) for i, (t, e) in enumerate(zip(texts, before))
            if e is None and type(t) is str and t and not t.isspace()
        ]
        if len(items) == before.count(None):  # the common case: every text a non-blank str
            return items, before
        items = []
        for i, (t, e) in enumerate(zip(texts, before)):
            if e is not None:
                continue
            if isinstance(t, str) and is_empty_text(t):
                before[i] = EMPTY_TEXT  # nothing to score: no zeros that would look like a measurement
            else:  # a str subclass becomes a str; TextScorer names any other value's problem
                items.append((i, plain_str(t) if isinstance(t, str) else t))
        return items, before

    def frame(self, df: pd.DataFrame, before: list[Any], items: list[tuple[int, Any]], scored: Scored) -> pd.DataFrame:
        values = np.full((len(df), len(self.columns)), np.nan)
        errors = list(before)
        block, failures = scored
        if items:
            values[[i for i, _ in items]] = block
        for (i, _), error in zip(items, failures):
            if error is not None:
                errors[i] = error
        replaced = [c for c in df.columns if c in self.output and c != "error"]
        if replaced and not self._warned and not _is_scored_table(df.columns):
            warnings.warn(
                f"input columns replaced by score columns of the same name: {', '.join(map(str, replaced))}",
                UserWarning,
                stacklevel=4,
            )
            self._warned = True
        kept = df.drop(columns=[c for c in df.columns if c in self.output])
        scores = pd.DataFrame(values, index=df.index, columns=list(self.columns))
        for c in COUNT_COLUMNS:
            scores[c] = scores[c].astype("Int64")  # counts stay integers; failed rows are <NA>
        scores["error"] = pd.Series(errors, index=df.index, dtype=object)
        return pd.concat([kept, scores], axis=1)


def _is_scored_table(columns: Iterable[Any]) -> bool:
    return set(SCORE_COLUMNS) <= set(columns)


def _progress(enabled: bool, total: int | None) -> Any:
    from tqdm import TqdmWarning, tqdm

    if enabled:
        # tqdm.auto picks the notebook bar; without ipywidgets it warns (in red, in Jupyter)
        # and falls back to the text bar: let it fall back quietly. When the bar is off it
        # is not imported at all.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TqdmWarning)
            from tqdm.auto import tqdm
    return tqdm(total=total, disable=not enabled, file=sys.stderr, unit=" rows", desc="scoring", dynamic_ncols=True)


# --------------------------------------------------------------------------- public API


def score_chunks(
    chunks: Iterable[pd.DataFrame],
    *,
    text: str = "text",
    lexicon: LexiconLike = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_process: int = 1,
    progress: bool = True,
    nlp: Language | None = None,
    total: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Score a stream of corpus chunks; yield one scored DataFrame per input chunk.

    At most two chunks are held at a time (one being scored by the workers while
    the previous one is handed back), so memory does not grow with the corpus.
    ``total`` (rows, when known) sizes the progress bar. See the module docstring
    for the output columns.

    >>> from tonekit.corpus import iter_corpus, write_corpus          # doctest: +SKIP
    >>> write_corpus(score_chunks(iter_corpus("big.jsonl")), "scores.parquet")  # doctest: +SKIP
    """
    with Engine(lexicon, nlp, batch_size, n_process) as engine, _progress(progress, total) as bar:
        layout = _Layout(engine.columns, text)
        pending: deque[tuple[pd.DataFrame, list[Any], list[tuple[int, Any]], list[Any]]] = deque()
        first_row = 0

        def finish() -> pd.DataFrame:
            with collector_paused():
                df, before, items, handles = pending.popleft()
                bar.update(len(df) - len(items))  # rows not scored (errors on input)
                return layout.frame(df, before, items, engine.collect(handles, bar.update))

        mismatch_warned = False  # once per run: a corpus in another language warns once
        for df in chunks:
            with collector_paused():
                items, before = layout.items(df)
                if not mismatch_warned:  # a spread of 64 texts per chunk: reading all would cost 5%
                    sample = items[:: max(1, len(items) // 64)]
                    mismatch_warned = warn_language_mismatch((t for _, t in sample), engine.language, stacklevel=4)
                pending.append((df, before, items, engine.submit(items, first_row)))
            first_row += len(df)
            while len(pending) > engine.lookahead:
                yield finish()
        while pending:
            yield finish()


def read_scoring_input(
    path: PathLike,
    *,
    text: str = "text",
    format: str | None = None,
    chunksize: int | None = 10_000,
    python_strings: bool = False,
) -> Iterator[pd.DataFrame]:
    """Read a corpus file for scoring (the whole file as one chunk when ``chunksize=None``).

    ``python_strings=True`` keeps the ``id`` and ``text`` columns as Python strings
    (object columns) instead of pandas' string dtype. ``tonekit score`` asks for it: its
    chunks go from the file to the tokenizer and on to a file, and converting every text
    to the string dtype and back cost 1.4% of the command's instructions, measured.

    Rows with problems are kept with their ``error`` (``errors="report"``), after the
    message the file's own ``error`` column gives them, if any; a scored table's
    ``error`` column is its previous run's and is replaced, so its rows are scored
    afresh. Problems of the file itself (a missing ``id`` column, a duplicated header,
    no ``text`` column; for JSON Lines: no record of the first chunk with the key)
    raise :class:`~tonekit.corpus.CorpusError`. A text column other than ``text`` may
    be named, in which case the file need not have a ``text`` column (any ``text``
    column is then kept as ordinary data). Dates are not parsed: a ``date`` cell is
    kept as given, whatever its notation.

    >>> for chunk in read_scoring_input("speeches.csv", text="body"):  # doctest: +SKIP
    ...     ...
    """
    # The error column of a scored table is its run's: the rows are scored afresh.
    # The text column is the reader's required one, in every chunk and every format.
    # Dates are not parsed (date=None): scoring does not need them, and a date in
    # another notation (30/11/2019) neither fails its row nor gets lost.
    string_dtype = object if python_strings else STRING_DTYPE
    frames = read_chunks(
        path, resolve_format(path, format), chunksize, None, True, _is_scored_table, string_dtype,
        text=text, need_text_key=True,
    )
    first = True
    for frame in frames:
        if first:
            file_level = [p for p in frame.attrs.get("problems", []) if p.row is None]
            if file_level:
                lacking = any(p.field == text and p.message.startswith("missing required") for p in file_level)
                if lacking and text != "text":
                    name = "<stdin>" if str(path) == "-" else str(path)
                    columns = ", ".join(str(c) for c in frame.columns if c not in (text, "error"))
                    raise ValueError(f"{name}: no text column {text!r} (columns: {columns})")
                raise CorpusError(file_level)
        first = False
        yield frame


def score_corpus(
    corpus: pd.DataFrame | PathLike,
    text: str = "text",
    lexicon: LexiconLike | Mapping[str, LexiconLike] = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_process: int = 1,
    progress: bool = True,
    nlp: Language | None = None,
    lang: str = "lang",
) -> pd.DataFrame:
    """Score every statement of a corpus; return the corpus with the scores added.

    ``corpus`` is a DataFrame or a corpus file (read by :func:`read_scoring_input`,
    with ``errors="report"``: rows with problems come back with their ``error`` and no
    scores; dates are kept as given). ``lexicon`` is a
    :class:`~tonekit.Lexicon`, a bundled name or a CSV path; ``nlp`` a pipeline with
    the ``tonekit`` component (e.g. ``tonekit.load()`` plus a trained parser) instead.
    ``n_process > 1`` scores in that many worker processes (worth it from some
    tens of thousands of statements: each worker builds its pipeline first).

    >>> import tonekit
    >>> df = tonekit.corpora.load("dprk_japan")                        # doctest: +SKIP
    >>> scored = df.pipe(score_corpus, progress=False)                 # doctest: +SKIP
    >>> scored.groupby("era")[["hostility", "courtesy"]].mean()        # doctest: +SKIP

    A corpus in several languages gives each row's language in its ``lang`` column and
    a lexicon per language; a row whose language has none gets an ``error``:

    >>> score_corpus(df, lexicon={"en": "diplomatic-en", "ko": "diplomatic-ko"})  # doctest: +SKIP

    A Dask DataFrame gives a lazy Dask DataFrame, scored by the workers (see :mod:`tonekit.scale`).
    """
    if is_dask_frame(corpus):
        from .scale import score_frame

        if isinstance(lexicon, Mapping):
            raise TypeError("a lexicon per language is not supported on a Dask DataFrame yet: "
                            f"score the rows of each {lang!r} value with its own lexicon")

        return score_frame(
            corpus, score_corpus, text=text, lexicon=lexicon, batch_size=batch_size, n_process=n_process, nlp=nlp,
        )
    if isinstance(corpus, pd.DataFrame):
        df = corpus
    elif isinstance(corpus, (str, Path)) or hasattr(corpus, "__fspath__"):
        df = next(read_scoring_input(corpus, text=text, chunksize=None))
    else:
        raise TypeError(f"corpus must be a DataFrame or a path, not {type(corpus).__name__}")
    if isinstance(lexicon, Mapping):
        return _score_by_language(df, text, lexicon, lang, batch_size=batch_size, n_process=n_process,
                                  progress=progress)
    frames = list(
        score_chunks(
            [df], text=text, lexicon=lexicon, batch_size=batch_size, n_process=n_process,
            progress=progress, nlp=nlp, total=len(df),
        )
    )
    out = frames[0]
    out.attrs = dict(df.attrs)
    return out


def _score_by_language(
    df: pd.DataFrame, text: str, lexicons: Mapping[str, LexiconLike], lang: str, **options: Any
) -> pd.DataFrame:
    """Score each row with the lexicon of its ``lang``; rows in the input order, score
    columns the union of the lexicons' (a category a lexicon lacks is NaN for its rows)."""
    if lang not in df.columns:
        raise ValueError(f"a lexicon per language needs a {lang!r} column (columns: {', '.join(map(str, df.columns))})")
    codes = [None if is_missing(c) else c for c in df[lang].tolist()]
    parts, order = [], []
    for code in dict.fromkeys(codes):
        positions = [i for i, c in enumerate(codes) if c == code]
        rows = df.iloc[positions]
        order += positions
        if code in lexicons:
            parts.append(score_corpus(rows, text=text, lexicon=lexicons[code], **options))
        else:
            unknown = rows.copy()
            unknown["error"] = f"no lexicon for language {code!r} (lexicons for: {', '.join(map(str, lexicons))})"
            parts.append(unknown)
    if not parts:  # an empty corpus: the columns of the first lexicon
        return score_corpus(df, text=text, lexicon=next(iter(lexicons.values()), None), **options)
    out = pd.concat(parts).iloc[np.argsort(order, kind="stable")]
    for c in COUNT_COLUMNS:
        if c in out.columns:
            out[c] = out[c].astype("Int64")
    out.attrs = dict(df.attrs)
    return out
