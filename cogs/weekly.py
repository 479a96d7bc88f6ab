"""The weekly rhythm: a community-health post in the report channel, the moderators' digest
and alerts, on each community's own weekday, hour and timezone (see ``bot.weekly``)."""

from __future__ import annotations

import logging

from bot.features import Cog, Job
from bot.scheduler import process_id
from bot.scope import Scope
from bot.services import Services
from bot.weekly.run import WeekOutcome, alert_unanswered, run_week, weekly_scopes
from bot.weekly.schedule import trigger_key, weekly_trigger

log = logging.getLogger(__name__)

SYNC_EVERY_S = 600  # catch-up, new communities and platforms: at start-up, then this often
ALERTS_EVERY_S = 900
_FALLBACK_INSTANCE = process_id()  # names this process when no scheduler runs (tests, demo)


class WeeklyCog(Cog):
    def jobs(self) -> list[Job]:
        return [Job("weekly-sync", sync_weekly, every_s=SYNC_EVERY_S),
                Job("unanswered-alerts", alerts_job, every_s=ALERTS_EVERY_S)]


async def fire_week(runtime: Services, scope: Scope) -> WeekOutcome:
    """The weekly job of one community (the cron trigger, and the catch-up)."""
    scheduler = runtime.scheduler
    instance = scheduler.instance if scheduler is not None else _FALLBACK_INSTANCE
    return await run_week(runtime, scope, instance)


async def reschedule(runtime: Services, scope: Scope) -> None:
    """After ``/circle config`` changed a setting: the community's job follows it."""
    scheduler = runtime.scheduler
    if scheduler is None:
        return
    settings = await runtime.community_settings(scope)
    if scope.platform in runtime.platforms and (settings.report_channel or settings.moderators):
        scheduler.schedule_weekly(scope, weekly_trigger(settings), trigger_key(settings),
                                  fire_week)
    else:
        scheduler.unschedule_weekly(scope)


async def sync_weekly(runtime: Services) -> None:
    """Schedule every community's weekly job, and post a missed week within its grace."""
    scheduler = runtime.scheduler
    scopes = await weekly_scopes(runtime)
    if scheduler is not None:
        for gone in scheduler.weekly_scopes() - set(scopes):
            scheduler.unschedule_weekly(gone)
    for scope in scopes:
        await reschedule(runtime, scope)
        try:
            await fire_week(runtime, scope)
        except Exception:
            log.exception("weekly catch-up for %s failed", scope)


async def alerts_job(runtime: Services) -> None:
    for scope in await weekly_scopes(runtime):
        try:
            await alert_unanswered(runtime, scope)
        except Exception:
            log.exception("unanswered alerts for %s failed", scope)
