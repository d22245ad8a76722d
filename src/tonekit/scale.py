"""Scoring and comparing on Dask: the same scores, partition by partition, on many machines.

``tonekit.score_corpus(ddf)`` on a Dask DataFrame gives a lazy Dask DataFrame (the
pandas result's columns and dtypes, in its order; one row per input row; the
partitions and the index kept) by mapping the pandas scorer over the partitions:
``compute()`` equals ``score_corpus(ddf.compute())`` row for row. ``tonekit.compare(ddf)``
takes the columns it needs from the workers and runs the pandas statistics on them.

What crosses to the workers is the lexicon, never a spaCy pipeline: a bundled lexicon by
name, any other by content (its two files' text, one graph key that every partition
shares), with its ``content_hash``. A worker builds its pipeline once per lexicon and
keeps it by that hash (:func:`worker_lexicons`); a worker whose bundled lexicon differs
from the client's (another tonekit) fails with a message instead of scoring otherwise.

Also here, for ``tonekit score --dask``: :func:`dask_client` (a scheduler's address, or
a ``LocalCluster`` sized to the machine) and :func:`write_parts` (a directory of Parquet
parts, written to a temporary directory and renamed at the end).

>>> import dask.dataframe as dd, pandas as pd, tonekit                   # doctest: +SKIP
>>> ddf = dd.from_pandas(pd.DataFrame({"id": ["a"], "text": ["You stooge!"]}), npartitions=1)  # doctest: +SKIP
>>> tonekit.score_corpus(ddf).compute()                                 # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .corpus.scale import DASK_EXTRA, import_dask
from .lexicon import Lexicon, bundled, resolve

__all__ = ["LexiconRef", "lexicon_ref", "worker_lexicons", "score_frame", "compare_columns", "dask_client", "write_parts"]

#: A pandas scorer: ``score(frame, text=, lexicon=, batch_size=, progress=)`` (``score_corpus``).
Scorer = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class LexiconRef:
    """A lexicon as the graph carries it: a bundled ``name``, or the text of its files
    (``entries`` CSV and ``metadata``); always with its ``content_hash``."""

    content_hash: str
    name: str
    entries: str | None = None
    metadata: dict[str, Any] | None = None

    def lexicon(self) -> Lexicon:
        """The lexicon, checked against the hash."""
        if self.entries is None:
            lex = bundled(self.name)
        else:
            lex = Lexicon.from_strings(self.entries, self.metadata or {})
        if lex.content_hash != self.content_hash:
            raise RuntimeError(
                f"lexicon {self.name!r} on this worker differs from the client's "
                f"(content hash {lex.content_hash[:12]} here, {self.content_hash[:12]} there): "
                "install the same tonekit version on the workers"
            )
        return lex


def lexicon_ref(lexicon: Lexicon | str | Path | None) -> LexiconRef:
    """How ``lexicon`` travels to workers: by name when it is a bundled lexicon as bundled,
    else by content (a file given by path is read here, so workers need no shared disk).

    >>> lexicon_ref(None).entries is None
    True
    """
    lex = resolve(lexicon)
    try:
        if bundled(lex.name).content_hash == lex.content_hash:
            return LexiconRef(lex.content_hash, lex.name)
    except KeyError:
        pass
    entries, metadata = lex.to_strings()
    return LexiconRef(lex.content_hash, lex.name, entries, dict(metadata))


# A worker's lexicons, by content hash; their pipelines are cached by the same hash
# (tonekit.pipeline.pipeline_for), so each is compiled once per worker process.
_LEXICONS: OrderedDict[str, Lexicon] = OrderedDict()


def _worker_lexicon(ref: LexiconRef) -> Lexicon:
    lex = _LEXICONS.get(ref.content_hash)
    if lex is None:
        lex = _LEXICONS[ref.content_hash] = ref.lexicon()
        if len(_LEXICONS) > 4:
            _LEXICONS.popitem(last=False)
    _LEXICONS.move_to_end(ref.content_hash)
    return lex


def worker_lexicons() -> tuple[str, ...]:
    """Content hashes of the lexicons this process has built for Dask partitions (run it
    on the workers: ``client.run(tonekit.scale.worker_lexicons)``)."""
    return tuple(_LEXICONS)


def _score_partition(part: pd.DataFrame, score: Scorer, ref: LexiconRef, text: str, batch_size: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # said once, on the client, when the meta was scored
        return score(part, text=text, lexicon=_worker_lexicon(ref), batch_size=batch_size, progress=False)


def score_frame(
    ddf: Any, score: Scorer, *, text: str = "text", lexicon: Lexicon | str | Path | None = None,
    batch_size: int = 1000, n_process: int = 1, nlp: Any = None,
) -> Any:
    """``score`` (the pandas scorer) mapped lazily over the partitions of ``ddf``.

    The meta is ``score`` of the empty frame, here: the result's columns and dtypes are
    the pandas ones, and a missing text column fails now, not on a worker.
    """
    dd = import_dask()
    import dask

    if nlp is not None:
        raise ValueError(
            "a Dask DataFrame is scored with a lexicon (lexicon=), which the workers build their "
            "pipeline from; a custom nlp= pipeline is for pandas frames"
        )
    if n_process != 1:
        raise ValueError("n_process is for one machine; a Dask DataFrame is scored by the Dask workers")
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"expected a Dask DataFrame, not {type(ddf).__name__}")
    lex = resolve(lexicon)
    ref = lexicon_ref(lex)
    meta = score(ddf._meta, text=text, lexicon=lex, batch_size=batch_size, progress=False)
    meta.attrs = {}
    # A lexicon's content is one key of the graph, fetched once by each worker.
    carried = ref if ref.entries is None else dask.delayed(ref, pure=True)
    with dask.config.set({"dataframe.convert-string": False}):
        return ddf.map_partitions(_score_partition, score, carried, text, batch_size, meta=meta)


def compare_columns(ddf: Any, by: str, metrics: Sequence[str]) -> pd.DataFrame:
    """The group column, the metrics and the ``error`` column of a Dask frame, computed (in
    partition order): all that :func:`tonekit.compare` reads. Unknown columns fail here, before computing."""
    import_dask()
    if isinstance(metrics, str):
        metrics = [metrics]
    wanted = list(dict.fromkeys([by, *metrics]))
    lacking = [c for c in wanted if c not in ddf.columns]
    if lacking:
        kind = "group" if by in lacking else "metric"
        raise KeyError(f"no {kind} column {lacking[0]!r}; columns are {list(ddf.columns)}")
    if "error" in ddf.columns:  # compare leaves error rows out and counts them
        wanted.append("error")
    return ddf[list(dict.fromkeys(wanted))].compute()


def _arrow_schema(meta: pd.DataFrame) -> Any:
    """The parts' schema: the meta's, with object columns as text (Dask cannot infer them
    from an empty meta), as the ``error`` column and Python-string id and text columns are."""
    import pyarrow as pa

    schema = pa.Schema.from_pandas(meta, preserve_index=False).remove_metadata()
    for i, (c, dtype) in enumerate(meta.dtypes.items()):
        if dtype == object:
            schema = schema.set(i, pa.field(str(c), pa.string()))
    return schema


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``scheduler``, or of a ``LocalCluster``
    started here (``workers`` processes, default one per core, one thread each: scoring
    holds the GIL) and shut down at the end.

    >>> with dask_client(workers=2) as client:                     # doctest: +SKIP
    ...     print(client.dashboard_link)
    """
    import_dask()
    try:
        from distributed import Client, LocalCluster
        from dask.system import CPU_COUNT
    except ImportError as exc:
        raise ImportError(f"Dask support needs the dask extra ({DASK_EXTRA})") from exc
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    # CPU_COUNT heeds the process's CPU affinity and container limits. The workers' own
    # logs stay quiet: a failed partition's error reaches the caller as an exception.
    with LocalCluster(
        n_workers=workers or CPU_COUNT, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL,
    ) as cluster, Client(cluster) as client:
        yield client


def write_parts(
    ddf: Any, output: str | os.PathLike[str], client: Any, *, partition_on: str | None = None,
    progress: bool = False,
) -> tuple[int, int]:
    """Write ``ddf`` as a directory of Parquet parts (hive folders ``col=value`` with
    ``partition_on``); return (rows, rows with an error). ``progress`` shows Dask's
    progress bar on stderr.

    The parts go to a temporary directory beside ``output``, renamed to ``output`` when
    every part is written: an interrupted run leaves nothing behind. ``output`` must not
    exist, or be an empty directory.
    """
    output = os.fspath(output)
    if os.path.exists(output) and not (os.path.isdir(output) and not os.listdir(output)):
        raise FileExistsError(f"output {output} exists and is not an empty directory")
    if partition_on is not None and partition_on not in ddf.columns:
        raise KeyError(f"no column {partition_on!r} to partition on; columns are {list(ddf.columns)}")
    parent = os.path.dirname(os.path.abspath(output))
    temporary = os.path.join(parent, f".{os.path.basename(output)}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        lazy = ddf.to_parquet(
            temporary, partition_on=[partition_on] if partition_on else None, write_index=False, compute=False,
            schema=_arrow_schema(ddf._meta),
        )
        future = client.compute(lazy)
        if progress:
            from distributed import progress as progress_bar

            with redirect_stdout(sys.stderr):  # Dask draws on stdout; tonekit's bars are on stderr
                progress_bar(future)
        future.result()
        errors = pd.read_parquet(temporary, columns=["error"])["error"]
        counts = len(errors), int(errors.notna().sum())
        os.replace(temporary, output)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return counts
