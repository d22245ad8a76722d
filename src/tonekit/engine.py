"""Scoring batches of texts: :class:`TextScorer` scores ``(position, text)`` items with one
pipeline, :class:`Engine` runs it in this process or in a pool of worker processes that
build their own pipeline once (from the lexicon's text or the pipeline's config and
bytes) and send back numbers only. :mod:`tonekit.batch` lays the numbers out as rows.

>>> from tonekit.pipeline import pipeline_for
>>> scores, errors = TextScorer(pipeline_for(None), 10).score([(0, "You idiot."), (1, None)])
>>> bool(scores[0, 0] > 0), errors
(True, [None, 'missing text (null)'])
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.pipeline import Sentencizer

from .corpus import (
    is_missing, value_kind,
)
from .lexicon import Lexicon, resolve
from .shared import unpaired_surrogate
from .pipeline import (
    PIECE_LENGTH, find_component, memory_zone, pipeline_for, split_long_text, tokenize, tokenize_all,
)
from .scoring import SCORE_COLUMNS, totals
from .workers import WorkerError, WorkerSlots

__all__ = ["COUNT_COLUMNS", "Engine", "LexiconLike", "Scored", "TextScorer", "VOCABULARY_REFRESH", "collector_paused"]

COUNT_COLUMNS = ("n_tokens", "n_markers")
LexiconLike = Lexicon | str | Path | None
_Row = tuple[list[float] | None, str | None]  # (scores in column order, error)
# A scored batch: one row of scores per text (NaN where it failed) and its errors. One
# array, not a list of rows: it crosses from a worker process as one buffer.
Scored = tuple[np.ndarray, list[str | None]]


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
def collector_paused() -> Iterator[None]:
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

    def score(self, items: Sequence[tuple[int, Any]]) -> Scored:
        """Scores (a row per ``(position, text)``, in the same order) and errors."""
        with collector_paused(), memory_zone(self.nlp):
            scored = self._score(items)
        if self.rebuild is not None and len(self.nlp.vocab) - self.lexemes > VOCABULARY_REFRESH:
            del self.nlp, self.component  # freed (a pipeline has reference cycles) before
            gc.collect()  # the new one is built: one pipeline in memory at a time
            self._use(self.rebuild())
        return scored

    def _score(self, items: Sequence[tuple[int, Any]]) -> Scored:
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


def _score_in_worker(batch: int, items: list[tuple[int, Any]]) -> Scored:
    assert _WORKER is not None and _SLOTS is not None, "worker not initialised"
    with _SLOTS.running(batch):
        return _WORKER.score(items)


@contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Ctrl-C and SIGTERM noted while the worker pool's locks may be held, and raised as
    soon as the block ends (its handler restored), from this code: raised inside a lock's
    acquire, an exception can leave the lock held, and the pool's shutdown then waits for
    it forever. The block sees the signals noted so far, to stop waiting early."""
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    caught: list[int] = []
    noted = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda number, frame: caught.append(number)) for number in noted}
    try:
        yield caught
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])


class Engine:
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
            self.language = self.local.component.lexicon.language
            return
        self.local = None
        if nlp is not None:
            categories = tuple(find_component(nlp).lexicon.categories)
            self.language = find_component(nlp).lexicon.language
        else:
            lexicon = resolve(lexicon)
            categories = tuple(lexicon.categories)
            self.language = lexicon.language
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
                with signals_deferred():
                    handles.append((number, self.pool.submit(_score_in_worker, number, batch)))
            except BrokenProcessPool:
                raise self._lost(number) from None
        return handles

    def collect(self, handles: list[Any], done: Callable[[int], None]) -> Scored:
        blocks: list[np.ndarray] = []
        errors: list[str | None] = []
        for handle in handles:
            if self.pool is not None:
                number, future = handle
                try:
                    got = self._result(future)
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

    @staticmethod
    def _result(future: Any) -> Scored:
        """The future's result, waited for in short steps so that a signal stops the wait."""
        while True:  # a noted signal that its own handler ignores leaves the wait going
            with signals_deferred() as caught:
                while not caught:
                    try:
                        return future.result(timeout=0.2)
                    except TimeoutError:
                        continue

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

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is not None and self.pool is not None:
            # Interrupted (Ctrl-C, SIGTERM, an error downstream): the workers' batches
            # are not wanted, and one may take long.
            self.slots.terminate()
        self.close()
