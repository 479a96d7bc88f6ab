"""``innercircle report health|helpers|unanswered|credits``."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from bot import reports
from bot.config import Settings
from bot.period import period_from
from bot.render import text
from bot.store import Store

REPORTS = ("health", "helpers", "unanswered", "credits")
DEFAULT_DAYS = {"health": 7, "helpers": 30, "unanswered": 7, "credits": 30}


async def run_report(kind: str, settings: Settings, url: str, community: str | None,
                     since: str | None, until: str | None, console: Console,
                     as_json: bool, member: str | None = None) -> Any:
    """Make one report; print it as tables, or return its JSON."""
    period = period_from(since, until, days=DEFAULT_DAYS[kind])
    store = await Store.open(url)
    try:
        scope = await reports.resolve_scope(store, community)
        community_settings = settings.community.with_overrides(
            await store.settings_overrides(scope))
        if kind == "health":
            health = await reports.health(store, scope, period, community_settings)
            if as_json:
                return health.to_json()
            previous = await reports.health(store, scope, period.previous(), community_settings)
            console.print(text.health_table(health, previous, period))
        elif kind == "helpers":
            ranked = await reports.helpers(store, scope, period, community_settings)
            if as_json:
                return [entry.to_json() for entry in ranked]
            console.print(text.helpers_table(ranked, period))
        elif kind == "credits":
            if member is None:
                raise reports.ReportError("report credits needs --member NAME|ID")
            user = await reports.resolve_member(store, scope, member)
            answers = await reports.credits(store, scope, user, period, staff_view=True,
                                            excerpts=True)
            if as_json:
                return [x.to_json() for x in answers]
            console.print(text.credits_table(member, answers, period))
        else:
            questions = await reports.unanswered(store, scope, period)
            if as_json:
                return [q.to_json() for q in questions]
            console.print(text.unanswered_table(questions, period))
    finally:
        await store.close()
    return None
