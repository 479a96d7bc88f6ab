"""Delivery of live events: a queue, a background writer, retries while the database is away,
and the undelivered file, so that every event the bot accepted is either written or kept.

- Live events are queued by ``submit`` and written in batches within ``flush_interval``.
- While the database is away a write is retried (``retry_delays``, 1, 5 and 30 seconds by
  default) with the engine's memory kept as it is, so the retried facts are the ones a bot
  that never saw the outage would have written.
- A batch that still cannot be written is appended to the undelivered JSONL file for
  ``innercircle replay``.
- ``stop`` (SIGTERM) waits on retries only within its time budget: the batch being written
  and everything queued are written while time is left, and whatever is not written by
  then is appended to the undelivered file; one log line says how many events went where.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Protocol

from bot.events import Event
from bot.scope import Scope

log = logging.getLogger(__name__)

RETRY_DELAYS = (1.0, 5.0, 30.0)  # seconds between attempts to write a live batch
STOP_BUDGET_S = 5.0  # of the 10 seconds a shutdown may take, what writing may use


class Ingests(Protocol):
    """What delivery needs of the engine."""

    async def ingest_live(self, events: list[Event], *, catchup: bool,
                          retry_delays: Sequence[float]) -> None: ...

    def forget_state(self, scope: Scope) -> None: ...


def keep_undelivered(path: Path, events: Sequence[Event]) -> None:
    """Append ``events`` to the undelivered JSONL file (synchronously: this runs while the
    bot stops, when nothing may be awaited for long)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        handle.flush()


class Delivery:
    """The live path from ``submit`` to the store (or to the undelivered file)."""

    def __init__(self, engine: Ingests, *, batch_size: int, flush_interval: float,
                 undelivered: Path | None, retry_delays: Sequence[float] = RETRY_DELAYS
                 ) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.undelivered = undelivered
        self.retry_delays = tuple(retry_delays)
        self._queue: asyncio.Queue[tuple[Event, bool]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._in_flight: list[tuple[Event, bool]] = []
        self.written = 0
        self.kept = 0

    async def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._drain_forever(), name="engine-writer")

    async def submit(self, event: Event, *, catchup: bool = False) -> None:
        await self._queue.put((event, catchup))

    async def flush(self) -> None:
        """Write everything submitted so far (including a batch the writer holds)."""
        while not self._queue.empty():
            await self._drain_once(block=False, delays=self.retry_delays)
        await self._queue.join()

    async def stop(self, budget_s: float = STOP_BUDGET_S) -> None:
        """Stop the writer. Every accepted event ends up written or in the undelivered file
        within ``budget_s`` seconds, and a log line says which."""
        deadline = time.monotonic() + budget_s
        before_written, before_kept = self.written, self.kept
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while not self._queue.empty():
            left = deadline - time.monotonic()
            if left <= 0:
                self._keep([self._queue.get_nowait() for _ in range(self._queue.qsize())],
                           "the shutdown had no time left")
                break
            with contextlib.suppress(TimeoutError):  # the batch in flight was kept
                await asyncio.wait_for(
                    self._drain_once(block=False, delays=self.retry_delays), left)
        written, kept = self.written - before_written, self.kept - before_kept
        if kept:
            log.warning("stopped: %d queued events written, %d kept in %s for "
                        "`innercircle replay`", written, kept, self.undelivered)
        else:
            log.info("stopped: every accepted event is written (%d at shutdown)", written)

    async def _drain_forever(self) -> None:
        while True:
            try:
                await self._drain_once(block=True, delays=self.retry_delays)
            except asyncio.CancelledError:
                raise
            except Exception:  # the bot keeps running; the batch was kept, not lost
                log.exception("writing a batch of events failed")

    async def _take(self, block: bool) -> list[tuple[Event, bool]]:
        pending: list[tuple[Event, bool]] = []
        if block:
            try:
                pending.append(await self._queue.get())
                deadline = asyncio.get_running_loop().time() + self.flush_interval
                while len(pending) < self.batch_size:
                    timeout = deadline - asyncio.get_running_loop().time()
                    if timeout <= 0:
                        break
                    try:
                        pending.append(await asyncio.wait_for(self._queue.get(), timeout))
                    except TimeoutError:
                        break
            except asyncio.CancelledError:  # stopping: give the batch back, in order
                rest = [self._queue.get_nowait() for _ in range(self._queue.qsize())]
                for item in pending + rest:
                    self._queue.put_nowait(item)
                    self._queue.task_done()
                raise
        while len(pending) < self.batch_size and not self._queue.empty():
            pending.append(self._queue.get_nowait())
        return pending

    async def _drain_once(self, *, block: bool, delays: Sequence[float]) -> None:
        pending = await self._take(block)
        self._in_flight = pending
        try:
            for catchup in (True, False):
                events = [e for e, c in pending if c is catchup]
                if events:
                    await self._deliver(events, catchup=catchup, delays=delays)
        except BaseException:
            # Cancelled (a shutdown) or failed: what is not surely written is kept. Events
            # of this batch already written are kept too; a replay counts them once.
            self._keep(self._in_flight, "the bot stopped while writing them")
            raise
        finally:
            self._in_flight = []
            for _ in pending:
                self._queue.task_done()

    async def _deliver(self, events: list[Event], *, catchup: bool,
                       delays: Sequence[float]) -> None:
        try:
            await self.engine.ingest_live(events, catchup=catchup, retry_delays=delays)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.error("writing %d events failed: %s", len(events), error)
            # Memory may be ahead of the database now: start again from what is stored.
            for scope in {Scope(e.platform, e.community) for e in events}:
                self.engine.forget_state(scope)
            self._keep([(e, catchup) for e in events], "the database is unreachable")
            self._in_flight = [item for item in self._in_flight if item[1] is not catchup]
            return
        self.written += len(events)
        self._in_flight = [item for item in self._in_flight if item[1] is not catchup]

    def _keep(self, items: list[tuple[Event, bool]], why: str) -> None:
        if not items:
            return
        events = [e for e, _ in items]
        if self.undelivered is None:
            log.error("%d events could not be written (%s) and are lost: no undelivered "
                      "file is set", len(events), why)
            return
        keep_undelivered(self.undelivered, events)
        self.kept += len(events)
        log.error("%d events could not be written (%s); kept in %s (replay them with "
                  "`innercircle replay`)", len(events), why, self.undelivered)


async def with_retries(write: Callable[[], Awaitable[int]], delays: Sequence[float],
                       what: str) -> int:
    """``write()``, tried again after each of ``delays`` while it fails."""
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return await write()
        except Exception as error:
            if delay is None:
                raise
            log.warning("writing %s failed (attempt %d, next in %.0f s): %s", what, attempt,
                        delay, error)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
