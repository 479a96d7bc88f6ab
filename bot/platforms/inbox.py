"""The ordered inbox every platform connection uses: what arrives (live events, catch-ups)
is handled one item at a time, in arrival order, by one worker.

Order matters: a reply must reach the engine after its question, and live events that
arrive while history is being read must wait until the history before them is in, so a
catch-up is an item of the same inbox. An item whose work can start at once but finish
later (a name look-up before an event can be built) reserves its place on arrival
(``reserve``) and is delivered when its turn comes and its event is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.events import Event

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class OrderedInbox:
    """Jobs run in the order they were put; events go to ``deliver`` in that order."""

    def __init__(self, deliver: Callable[[Event], Awaitable[None]], name: str) -> None:
        self._deliver = deliver
        self.name = name
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self.handled = 0  # jobs done since start (tests and tools wait on it)
        self.delivered = 0  # events handed on since start

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name=self.name)

    def put(self, job: Job) -> None:
        """Run ``job`` after everything put before it."""
        self._jobs.put_nowait(job)

    def reserve(self) -> asyncio.Future[Event | None]:
        """A place in the order for an event still being built: set the future's result
        (``None``: nothing to deliver) and it is delivered when its turn comes."""
        slot: asyncio.Future[Event | None] = asyncio.get_running_loop().create_future()

        async def when_ready() -> None:
            event = await slot
            if event is not None:
                await self.deliver(event)

        self.put(when_ready)
        return slot

    async def deliver(self, event: Event) -> None:
        """Hand ``event`` on now (from inside a job, to keep the order)."""
        await self._deliver(event)
        async with self._changed:
            self.delivered += 1
            self._changed.notify_all()

    async def _work(self) -> None:
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad event never stops the bot
                log.exception("%s: handling an event failed", self.name)
            finally:
                self._jobs.task_done()
                async with self._changed:
                    self.handled += 1
                    self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until ``predicate()`` holds, checked after each job and delivery."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def wait_delivered(self, count: int, timeout: float = 10) -> None:
        """Wait until ``count`` events have been handed on since start."""
        await self.wait_until(lambda: self.delivered >= count, timeout)

    async def stop(self, timeout: float) -> int:
        """Finish what was put (for up to ``timeout`` seconds), then stop the worker. How
        many jobs were left undone."""
        worker, self._worker = self._worker, None
        if worker is None:
            return 0
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._jobs.join(), timeout)
        left = self._jobs.qsize()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        return left
