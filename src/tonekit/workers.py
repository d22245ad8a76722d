"""Worker processes that die: which one died first, and what it was doing.

A ``concurrent.futures.ProcessPoolExecutor`` that loses a worker (killed, out of
memory, crashed) fails every pending task with ``BrokenProcessPool`` and terminates the
other workers, without saying which task the dead worker had. :class:`WorkerSlots`
keeps, in shared memory, each worker's process id, the task it is running and the order
in which workers got SIGTERM, so that the parent can name the task that was lost: the
worker that died first is one killed outright (it got no SIGTERM), or else the first
one terminated (the pool terminates the others after it).

A worker's SIGTERM handler notes the order and then dies of the signal, whatever
handler it inherited from its parent (a handler that raises ``SystemExit`` would let a
terminated worker live on, and the pool wait for it forever).

>>> import multiprocessing
>>> slots = WorkerSlots(multiprocessing.get_context(), 2)
>>> slots.lost() is None  # no worker has started
True
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["WorkerError", "WorkerSlots"]


class WorkerError(RuntimeError):
    """A worker process died while the corpus was being scored: the run stops, naming
    the rows the worker had, rather than leave them out or hang."""


class WorkerSlots:
    """Per worker: process id, running task + 1 (0 when idle), SIGTERM order (0: none)."""

    def __init__(self, context: Any, n_workers: int) -> None:
        self.table = context.Array("q", 3 * n_workers + 1)  # + the SIGTERM counter
        self.slot: int | None = None  # set in a worker by join()

    def join(self) -> None:
        """In a worker's initializer: take a free slot and note SIGTERM when it comes."""
        table = self.table
        with table.get_lock():
            self.slot = next(i for i in range(0, len(table) - 1, 3) if table[i] == 0)
            table[self.slot] = os.getpid()
        signal.signal(signal.SIGTERM, self._terminated)

    def _terminated(self, signum: int, frame: Any) -> None:
        table = self.table
        with table.get_lock():  # a reentrant lock: safe if the worker held it
            table[-1] += 1
            table[self.slot + 2] = table[-1]
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    @contextmanager
    def running(self, task: int) -> Iterator[None]:
        """In a worker: the block runs task number ``task`` (a non-negative int)."""
        assert self.slot is not None, "join() first"
        self.table[self.slot + 1] = task + 1
        try:
            yield
        finally:
            self.table[self.slot + 1] = 0

    def terminate(self) -> None:
        """In the parent, before the pool has reaped its workers (so that no process id
        can have been reused): SIGTERM every worker that has started."""
        values = self.table[:]
        for pid in values[0 : len(values) - 1 : 3]:
            if pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def lost(self) -> tuple[int, int | None, bool] | None:
        """In the parent, once the pool's workers have ended: ``(pid, task or None when
        it was idle, whether it got SIGTERM)`` of the worker that died first."""
        values = self.table[:]
        workers = [tuple(values[i : i + 3]) for i in range(0, len(values) - 1, 3) if values[i]]
        if not workers:
            return None
        pid, task, order = min(workers, key=lambda w: (w[2] != 0, w[2]))
        return pid, task - 1 if task else None, order != 0

    def error(self, name: Callable[[int], str], waiting: int) -> WorkerError:
        """In the parent, once the pool's workers have ended: the error that names the
        worker that died first and its task (``name(task)``, e.g. its rows), or the
        task the parent was waiting for (``waiting``) when the worker died idle."""
        lost = self.lost()
        if lost is None:
            return WorkerError(f"a scoring worker process died before scoring {name(waiting)}")
        pid, task, terminated = lost
        how = "was terminated (SIGTERM)" if terminated else "died (killed)"
        if task is None:
            return WorkerError(f"scoring worker process {pid} {how} between batches, before scoring {name(waiting)}")
        return WorkerError(f"scoring worker process {pid} {how} while scoring {name(task)}")
