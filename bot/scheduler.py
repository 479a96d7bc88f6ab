"""APScheduler wiring: the cogs' interval jobs. (Weekly posts: ``cogs.weekly``.)"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.features import Job

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


class JobScheduler:
    """One AsyncIOScheduler per process, started inside the running loop."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    def start(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.every_s is None:
                continue
            self.scheduler.add_job(self._run, IntervalTrigger(seconds=job.every_s),
                                   args=[job], id=job.name, coalesce=True, max_instances=1,
                                   misfire_grace_time=None)
        self.scheduler.start()

    async def _run(self, job: Job) -> None:
        try:
            await job.handler(self.runtime)
        except Exception:
            log.exception("job %s failed", job.name)

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
