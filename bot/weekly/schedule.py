"""When a community's weekly post is due, and whether a late one may still go out.

A week is Monday 00:00 to Monday 00:00 in the community's timezone. Its post is due at the
first ``report_weekday`` ``report_hour``:00 (local wall-clock time, DST included) after the
week ended, and may still be posted up to ``post_grace_hours`` later (a bot that was down at
the hour catches up on start-up); after that the week is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import CommunitySettings
from bot.period import Period, weeks_back


def weekly_trigger(settings: CommunitySettings) -> CronTrigger:
    """Every ``report_weekday`` at ``report_hour``:00 in the community's timezone."""
    return CronTrigger(day_of_week=settings.report_weekday, hour=settings.report_hour,
                       minute=0, second=0, timezone=ZoneInfo(settings.timezone))


def trigger_key(settings: CommunitySettings) -> tuple[str, int, str]:
    """What the trigger depends on: a change means rescheduling."""
    return settings.report_weekday, settings.report_hour, settings.timezone


def week_start(week: Period, timezone: str) -> str:
    """The week's local Monday, as the key of its claims (``2024-03-04``)."""
    return week.since.astimezone(ZoneInfo(timezone)).date().isoformat()


@dataclass(frozen=True, slots=True)
class Due:
    """A complete week, when its post is due, and what to do about it now."""

    week: Period
    key: str  # week_start
    due_at: datetime  # aware UTC
    state: Literal["wait", "post", "late"]


def due_at(week: Period, settings: CommunitySettings) -> datetime:
    """The first scheduled fire time at or after the end of ``week`` (aware UTC)."""
    zone = ZoneInfo(settings.timezone)
    fire = weekly_trigger(settings).get_next_fire_time(None, week.until.astimezone(zone))
    assert fire is not None  # a weekly cron always fires again
    return fire.astimezone(UTC)


def _due(week: Period, now: datetime, settings: CommunitySettings) -> Due:
    when = due_at(week, settings)
    if now < when:
        state: Literal["wait", "post", "late"] = "wait"
    elif now - when <= timedelta(hours=settings.post_grace_hours):
        state = "post"
    else:
        state = "late"
    return Due(week, week_start(week, settings.timezone), when, state)


def due_now(now: datetime, settings: CommunitySettings) -> Due:
    """What to do at ``now`` (aware) about the week whose post fell due most recently.

    ``post``: due and within ``post_grace_hours``; ``late``: due longer ago than that, so
    skipped; ``wait``: not due yet (the trigger will fire). The latest complete week is
    looked at first; while its post is still ahead (a Friday post, say), the week before it
    may still be in its grace.
    """
    previous, latest = weeks_back(now, settings.timezone, 2)
    found = _due(latest, now, settings)
    if found.state != "wait":
        return found
    before = _due(previous, now, settings)
    return before if before.state == "post" else found
