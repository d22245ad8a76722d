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
previous run's, and the rows are scored afresh. An empty text scores zero.
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

>>> import pandas as pd
>>> df = pd.DataFrame({"id": ["a", "b"], "text": ["Abe is a political dwarf.", None]})
>>> out = score_corpus(df, progress=False)
>>> bool(out.loc[0, "hostility"] > 0), out.loc[1, "error"]
(True, 'missing text (null)')
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import signal
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language
from spacy.pipeline import Sentencizer

from .corpus import (
    STRING_DTYPE, CorpusError, error_message, is_missing, read_chunks, resolve_format, value_kind,
)
from .lexicon import Lexicon, resolve
from .shared import PathLike, unpaired_surrogate
from .pipeline import (
    PIECE_LENGTH, find_component, memory_zone, pipeline_for, split_long_text, tokenize, tokenize_all,
)
from .scoring import SCORE_COLUMNS, totals
from .workers import WorkerError, WorkerSlots

__all__ = ["SCORE_COLUMNS", "WorkerError", "score_corpus", "score_chunks", "read_scoring_input"]

_COUNT_COLUMNS = ("n_tokens", "n_markers")
DEFAULT_BATCH_SIZE = 1000

LexiconLike = Lexicon | str | Path | None
_Row = tuple[list[float] | None, str | None]  # (scores in column order, error)
# A scored batch: one row of scores per text (NaN where it failed) and its errors. One
# array, not a list of rows: it crosses from a worker process as one buffer.
_Scored = tuple[np.ndarray, list[str | None]]


# --------------------------------------------------------------------------- scoring one batch


def _text_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return None
    if is_missing(value):
        return "missing text (null)"
    return f"text must be a string, not {value_kind(value)}"


def _failure(exc: BaseException, text: str) -> str:
    where = unpaired_surrogate(text) if isinstance(exc, UnicodeEncodeError) else None  # spaCy stores UTF-8
    if where is not None:
        return f"text is not valid Unicode: {where}"
    return f"could not score the text: {type(exc).__name__}: {exc}"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a batch is handled, then restored.

    Scoring a batch allocates a few hundred thousand short-lived containers, and the
    collector, triggered every 700 of them, walks whatever is alive at that moment (the
    batch's Docs and rows) again and again: about 15% of the run time, measured. Scoring
    leaves no reference cycles (reference counting frees everything), so the pause costs
    no memory; the collector runs as usual between batches and in the caller's code.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Lexemes a pipeline may make before it is built anew: memory zones free new words, but
# spaCy's hash tables keep their slots (some 30 MB a million); a new pipeline has none.
VOCABULARY_REFRESH = 1_000_000


class TextScorer:
    """Scores texts with one pipeline (in the calling process or in a worker).
    ``rebuild`` makes a new pipeline like it, for one that has seen too many new words
    (see :data:`VOCABULARY_REFRESH`); a pipeline given by the caller is never rebuilt."""

    def __init__(self, nlp: Language, batch_size: int, rebuild: Callable[[], Language] | None = None) -> None:
        self.rebuild = rebuild
        self._use(nlp)
        self.batch_size = batch_size

    def _use(self, nlp: Language) -> None:
        self.nlp = nlp
        self.component = find_component(nlp)
        self.categories = tuple(self.component.lexicon.categories)
        self.columns = self.component.columns
        # What runs after the component cannot change its scores (as in nlp(text)).
        position = nlp.pipe_names.index(self.component.name)
        self.after = nlp.pipe_names[position:]
        # Tokenizer-only when nothing but a default sentencizer runs before the
        # component: it splits sentences itself, the same way, when a text needs it.
        default_punct = Sentencizer().punct_chars
        self.fast = all(
            isinstance(pipe, Sentencizer) and pipe.punct_chars == default_punct
            for name, pipe in nlp.pipeline[:position]
        )
        self.component.matcher  # compiled now: what a memory zone adds does not outlive it
        self.lexemes = len(nlp.vocab)  # counts every lexeme made, also those zones freed

    def score(self, items: Sequence[tuple[int, Any]]) -> _Scored:
        """Scores (a row per ``(position, text)``, in the same order) and errors."""
        with _collector_paused(), memory_zone(self.nlp):
            scored = self._score(items)
        if self.rebuild is not None and len(self.nlp.vocab) - self.lexemes > VOCABULARY_REFRESH:
            del self.nlp, self.component  # freed (a pipeline has reference cycles) before
            gc.collect()  # the new one is built: one pipeline in memory at a time
            self._use(self.rebuild())
        return scored

    def _score(self, items: Sequence[tuple[int, Any]]) -> _Scored:
        scores = np.full((len(items), len(self.columns)), np.nan)
        errors: list[str | None] = [None] * len(items)

        def one_by_one(k: int, text: str) -> None:
            values, errors[k] = self._one(text)
            if values is not None:
                scores[k] = values

        todo: list[int] = []
        max_length = min(self.nlp.max_length, PIECE_LENGTH)
        for k, (_, text) in enumerate(items):
            if type(text) is str and len(text) <= max_length:  # the common case first
                todo.append(k)
                continue
            problem = _text_problem(text)
            if problem is not None:
                errors[k] = problem
            elif len(text) > max_length:
                one_by_one(k, text)
            else:
                todo.append(k)
        try:
            if todo:
                scores[todo] = self._rows([items[k][1] for k in todo])
        except Exception:  # find the text that failed: score the batch one by one
            for k in todo:
                one_by_one(k, items[k][1])
        return scores, errors

    def _rows(self, texts: list[str]) -> np.ndarray:
        if self.fast:
            # Tokenized, then scored. Alternating text by text between the tokenizer and
            # the scorer (each evicts the other's tables from the CPU caches) lost 20 of
            # 25 paired timings to this, and sub-batches of 64 texts lost 16 of 25.
            return self.component.score_docs(list(tokenize_all(self.nlp, texts)), texts, plain=True)
        docs = self.nlp.pipe(tokenize_all(self.nlp, texts), disable=self.after, batch_size=self.batch_size)
        return self.component.score_docs(docs, texts)

    def _one(self, text: str) -> _Row:
        try:
            limit = min(self.nlp.max_length, PIECE_LENGTH)
            if len(text) > limit:
                return self._in_pieces(text, limit), None
            return self._rows([text])[0].tolist(), None
        except Exception as exc:
            return None, _failure(exc, text)

    def _in_pieces(self, text: str, limit: int) -> list[float]:
        """The scores of a long text from its pieces, one Doc at a time: the pieces'
        weights in text order and their tokens add up as :func:`tonekit.score` adds them."""
        weights: list[Any] = []
        n_tokens = 0
        for _, piece in split_long_text(text, limit):
            doc = tokenize(self.nlp, piece)
            if not self.fast:
                doc = next(iter(self.nlp.pipe([doc], disable=self.after)))
            found, n = self.component.weights(doc, piece, plain=self.fast)
            weights += found
            n_tokens += n
        t = totals(weights, n_tokens)
        return [*t[: len(SCORE_COLUMNS)], *(t.categories.get(c, 0.0) for c in self.categories)]


# --------------------------------------------------------------------------- worker processes


# The pipeline of a worker process, built once by the pool's initializer, and the
# table of what the workers are doing, which the parent reads when one dies.
_WORKER: TextScorer | None = None
_SLOTS: WorkerSlots | None = None


def _pipeline_spec(lexicon: LexiconLike, nlp: Language | None) -> tuple[str, Any, Any]:
    """What a worker needs to rebuild the pipeline: text and bytes, never spaCy objects."""
    if nlp is None:
        csv_text, metadata = resolve(lexicon).to_strings()
        return "lexicon", csv_text, metadata
    return "pipeline", nlp.config.to_str(), nlp.to_bytes()


def _build(spec: tuple[str, Any, Any], fresh: bool = False) -> Language:
    kind, a, b = spec
    if kind == "lexicon":
        return pipeline_for(Lexicon.from_strings(a, b), fresh=fresh)
    from spacy.util import load_model_from_config
    from thinc.api import Config

    nlp = load_model_from_config(Config().from_str(a), auto_fill=False)
    return nlp.from_bytes(b)


def _init_worker(spec: tuple[str, Any, Any], batch_size: int, slots: WorkerSlots) -> None:
    global _WORKER, _SLOTS
    # Ctrl-C reaches the whole process group: the parent stops the pool and reports
    # it once, instead of every worker printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    slots.join()  # also replaces the parent's SIGTERM handler, which forked workers inherit
    _SLOTS = slots
    _WORKER = TextScorer(_build(spec), batch_size, lambda: _build(spec, fresh=True))


def _score_in_worker(batch: int, items: list[tuple[int, Any]]) -> _Scored:
    assert _WORKER is not None and _SLOTS is not None, "worker not initialised"
    with _SLOTS.running(batch):
        return _WORKER.score(items)


class _Engine:
    """Scores chunks of ``(position, text)`` in this process or in a pool of workers."""

    def __init__(self, lexicon: LexiconLike, nlp: Language | None, batch_size: int, n_process: int) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
        if not isinstance(n_process, int) or n_process < 1:
            raise ValueError(f"n_process must be a positive integer, not {n_process!r}")
        if nlp is not None and lexicon is not None:
            raise ValueError("give either lexicon= or nlp=, not both")
        self.batch_size = batch_size
        self.pool: ProcessPoolExecutor | None = None
        self.rows: dict[int, tuple[int, int]] = {}  # batch in a worker -> its first and last row (1-based)
        self.numbers = itertools.count()
        if n_process == 1:
            if nlp is not None:
                self.local: TextScorer | None = TextScorer(nlp, batch_size)
            else:
                lex = resolve(lexicon)
                self.local = TextScorer(pipeline_for(lex), batch_size, lambda: pipeline_for(lex, fresh=True))
            self.columns = self.local.columns
            return
        self.local = None
        if nlp is not None:
            categories = tuple(find_component(nlp).lexicon.categories)
        else:
            lexicon = resolve(lexicon)
            categories = tuple(lexicon.categories)
        self.columns = SCORE_COLUMNS + categories
        spec = _pipeline_spec(lexicon, nlp)
        # Workers get the pipeline as data and rebuild it. Where fork is the platform's
        # default (Linux), they also inherit the imported modules and, for a lexicon, the
        # pipeline built here (cached by content hash): they start in a fraction of a
        # second instead of importing spaCy and compiling the lexicon again.
        method = "fork" if multiprocessing.get_start_method() == "fork" else "spawn"
        if method == "fork" and spec[0] == "lexicon":
            _build(spec)
        context = multiprocessing.get_context(method)
        self.slots = WorkerSlots(context, n_process)
        self.pool = ProcessPoolExecutor(
            n_process, mp_context=context, initializer=_init_worker, initargs=(spec, batch_size, self.slots),
        )

    @property
    def lookahead(self) -> int:
        """Chunks kept in flight: one more than the one being collected keeps workers busy."""
        return 0 if self.pool is None else 1

    def submit(self, items: list[tuple[int, Any]], first_row: int = 0) -> list[Any]:
        """Batches of ``items`` to score; ``first_row`` is the row of position 0 in the
        input (0-based), which names the rows of a batch lost with its worker."""
        batches = [items[i : i + self.batch_size] for i in range(0, len(items), self.batch_size)]
        if self.pool is None:
            return batches
        handles = []
        for batch in batches:
            number = next(self.numbers)
            self.rows[number] = (first_row + batch[0][0] + 1, first_row + batch[-1][0] + 1)
            try:
                handles.append((number, self.pool.submit(_score_in_worker, number, batch)))
            except BrokenProcessPool:
                raise self._lost(number) from None
        return handles

    def collect(self, handles: list[Any], done: Callable[[int], None]) -> _Scored:
        blocks: list[np.ndarray] = []
        errors: list[str | None] = []
        for handle in handles:
            if self.pool is not None:
                number, future = handle
                try:
                    got = future.result()
                except BrokenProcessPool:
                    raise self._lost(number) from None
                del self.rows[number]
            else:
                got = self.local.score(handle)  # type: ignore[union-attr]
            blocks.append(got[0])
            errors.extend(got[1])
            done(len(got[1]))
        if not blocks:
            return np.empty((0, len(self.columns))), errors
        return np.concatenate(blocks), errors

    def _lost(self, waiting: int) -> WorkerError:
        """The error for a worker that died, once the pool has ended the others."""
        self.close()

        def rows(number: int) -> str:
            first, last = self.rows[number]
            return f"row {first}" if first == last else f"rows {first}-{last}"

        return self.slots.error(rows, waiting)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> _Engine:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is not None and self.pool is not None:
            # Interrupted (Ctrl-C, SIGTERM, an error downstream): the workers' batches
            # are not wanted, and one may take long.
            self.slots.terminate()
        self.close()


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
        return [(i, t) for i, (t, e) in enumerate(zip(texts, before)) if e is None], before

    def frame(self, df: pd.DataFrame, before: list[Any], items: list[tuple[int, Any]], scored: _Scored) -> pd.DataFrame:
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
        for c in _COUNT_COLUMNS:
            scores[c] = scores[c].astype("Int64")  # counts stay integers; failed rows are <NA>
        scores["error"] = pd.Series(errors, index=df.index, dtype=object)
        return pd.concat([kept, scores], axis=1)


def _is_scored_table(columns: Iterable[Any]) -> bool:
    return set(SCORE_COLUMNS) <= set(columns)


def _progress(enabled: bool, total: int | None) -> Any:
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
    with _Engine(lexicon, nlp, batch_size, n_process) as engine, _progress(progress, total) as bar:
        layout = _Layout(engine.columns, text)
        pending: deque[tuple[pd.DataFrame, list[Any], list[tuple[int, Any]], list[Any]]] = deque()
        first_row = 0

        def finish() -> pd.DataFrame:
            with _collector_paused():
                df, before, items, handles = pending.popleft()
                bar.update(len(df) - len(items))  # rows not scored (errors on input)
                return layout.frame(df, before, items, engine.collect(handles, bar.update))

        for df in chunks:
            with _collector_paused():
                items, before = layout.items(df)
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
    lexicon: LexiconLike = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_process: int = 1,
    progress: bool = True,
    nlp: Language | None = None,
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
    """
    if isinstance(corpus, pd.DataFrame):
        df = corpus
    elif isinstance(corpus, (str, Path)) or hasattr(corpus, "__fspath__"):
        df = next(read_scoring_input(corpus, text=text, chunksize=None))
    else:
        raise TypeError(f"corpus must be a DataFrame or a path, not {type(corpus).__name__}")
    frames = list(
        score_chunks(
            [df], text=text, lexicon=lexicon, batch_size=batch_size, n_process=n_process,
            progress=progress, nlp=nlp, total=len(df),
        )
    )
    out = frames[0]
    out.attrs = dict(df.attrs)
    return out
