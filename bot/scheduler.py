"""APScheduler wiring: the cogs' interval jobs and one weekly CronTrigger per community.

- Interval jobs run once right after start-up (their catch-up), then every ``every_s``.
- Weekly jobs (``schedule_weekly``) fire at the community's local weekday and hour; their
  handler decides, with a claim row in our own database, whether this process posts
  (see ``bot.weekly.run``). APScheduler keeps no state we rely on: its jobs live in memory,
  a misfire is run late (``misfire_grace_time=None``, coalesced) and the handler applies
  the community's own ``post_grace_hours``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Hashable, Iterator
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.features import Job
from bot.scope import Scope
from bot.services import Services, WeeklyHandler

log = logging.getLogger(__name__)


def process_id() -> str:
    """Names this bot process in claim rows (host, pid and a random part)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def weekly_job_id(scope: Scope) -> str:
    return f"weekly:{scope.platform}:{scope.community}"


class JobScheduler:
    """One AsyncIOScheduler per process, started inside the running loop. Jobs get
    ``services`` (the running bot) as their argument."""

    def __init__(self, services: Services, instance: str | None = None) -> None:
        self.services = services
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._instance = instance or process_id()
        self._weekly: dict[Scope, Hashable] = {}
        self._running: set[asyncio.Task[object]] = set()

    @property
    def instance(self) -> str:
        """Names this process in claim rows."""
        return self._instance

    def start(self, jobs: list[Job]) -> None:
        now = datetime.now(UTC)
        for job in jobs:
            if job.every_s is None:
                continue
            self.scheduler.add_job(self._run, IntervalTrigger(seconds=job.every_s),
                                   args=[job], id=job.name, coalesce=True, max_instances=1,
                                   misfire_grace_time=None, next_run_time=now)
        self.scheduler.start()

    async def _run(self, job: Job) -> None:
        with self._tracked(job.name):
            try:
                await job.handler(self.services)
            except Exception:
                log.exception("job %s failed", job.name)

    @contextlib.contextmanager
    def _tracked(self, name: str) -> Iterator[None]:
        """A running job, known so that a shutdown can stop it and wait for it."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        except asyncio.CancelledError:
            log.info("job %s stopped by the shutdown", name)
        finally:
            if task is not None:
                self._running.discard(task)

    async def drain(self, timeout: float = 1.0) -> None:
        """Stop the jobs still running and wait (at most ``timeout``) until they have."""
        running = set(self._running)
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=timeout)

    # -- weekly jobs -------------------------------------------------------------------
    def schedule_weekly(self, scope: Scope, trigger: BaseTrigger, key: Hashable,
                        handler: WeeklyHandler) -> bool:
        """(Re)schedule ``scope``'s weekly job; ``key`` says what the trigger depends on.
        True when the job was added or changed."""
        job_id = weekly_job_id(scope)
        if self._weekly.get(scope) == key and self.scheduler.get_job(job_id) is not None:
            return False
        self.scheduler.add_job(self._run_weekly, trigger, args=[handler, scope], id=job_id,
                               replace_existing=True, coalesce=True, max_instances=1,
                               misfire_grace_time=None)
        self._weekly[scope] = key
        log.info("weekly job for %s: next at %s", scope, self.next_weekly_run(scope))
        return True

    def unschedule_weekly(self, scope: Scope) -> None:
        self._weekly.pop(scope, None)
        if self.scheduler.get_job(weekly_job_id(scope)) is not None:
            self.scheduler.remove_job(weekly_job_id(scope))

    def weekly_scopes(self) -> set[Scope]:
        return set(self._weekly)

    def next_weekly_run(self, scope: Scope) -> datetime | None:
        job = self.scheduler.get_job(weekly_job_id(scope))
        # APScheduler sets ``next_run_time`` on a job only once the scheduler has started
        return None if job is None else getattr(job, "next_run_time", None)

    async def _run_weekly(self, handler: WeeklyHandler, scope: Scope) -> None:
        with self._tracked(f"weekly {scope}"):
            try:
                await handler(self.services, scope)
            except Exception:
                log.exception("weekly job for %s failed", scope)

    def wakeup(self) -> None:
        """Look at due jobs now (after the clock moved)."""
        self.scheduler.wakeup()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
