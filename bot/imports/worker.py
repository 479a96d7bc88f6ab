"""Reading an export's jobs in a second process while the engine ingests.

On two cores the export's reading (unzipping, parsing, checking) and the engine's work
overlap: the jobs go to one worker process a few at a time, in order, and their results
come back in order. A small export is read in this process (a new process costs about a
second to start); so is the rest of a big one if the worker dies.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, TypeVar

log = logging.getLogger(__name__)
J = TypeVar("J")
R = TypeVar("R")

AHEAD = 3  # jobs read ahead of the engine: bounded memory, and the worker never waits


async def read_jobs(jobs: Sequence[J], read: Callable[[J], R], *,
                    worker: tuple[Callable[[J], R], Callable[..., None], tuple[Any, ...]] | None
                    ) -> AsyncGenerator[R, None]:
    """Each job's result, in order. ``read`` reads a job here; ``worker`` is
    ``(read_there, start, start_args)``: ``start(*start_args)`` prepares the worker process
    (a module-level function, as everything it is given: the process is spawned, not
    forked, because the database driver's thread must not be copied into it)."""
    done = 0
    if worker is not None:
        read_there, start, args = worker
        pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=start,
                                   initargs=args)
        pending: deque[Future[R]] = deque()
        try:
            while done < len(jobs):
                while len(pending) < AHEAD and done + len(pending) < len(jobs):
                    pending.append(pool.submit(read_there, jobs[done + len(pending)]))
                result = await asyncio.wrap_future(pending.popleft())
                done += 1
                yield result
        except BrokenProcessPool as error:
            log.warning("the export's reader process stopped (%s): reading on here", error)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for job in jobs[done:]:
        yield read(job)
