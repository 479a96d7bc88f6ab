"""``innercircle report health|helpers|unanswered|credits|channels|newcomers``."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console

from bot import reports
from bot.config import CommunitySettings, Settings
from bot.period import Period, period_from
from bot.render import text
from bot.scope import Scope
from bot.store import Store

REPORTS = ("health", "helpers", "unanswered", "credits", "channels", "newcomers")
DEFAULT_DAYS = {"health": 7, "helpers": 30, "unanswered": 7, "credits": 30, "channels": 30,
                "newcomers": 30}


async def run_report(kind: str, settings: Settings, url: str, community: str | None,
                     since: str | None, until: str | None, console: Console,
                     as_json: bool, member: str | None = None, as_csv: bool = False) -> Any:
    """Make one report; print it as tables, or return its JSON (or CSV text)."""
    period = period_from(since, until, days=DEFAULT_DAYS[kind])
    store = await Store.open(url)
    try:
        scope = await reports.resolve_scope(store, community)
        community_settings = settings.community.with_overrides(
            await store.settings_overrides(scope))
        if as_csv or kind in ("channels", "newcomers"):
            return await _dashboard_table(kind, store, scope, period, community_settings,
                                          member, console, as_json, as_csv)
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


async def _dashboard_table(kind: str, store: Store, scope: Scope, period: Period,
                           settings: CommunitySettings, member: str | None, console: Console,
                           as_json: bool, as_csv: bool) -> Any:
    """The dashboard page's table for ``kind`` (the same rows the CSV download has)."""
    from bot.dashboard.member_page import NoSuchMember
    from bot.dashboard.report_tables import report_table, to_json, to_rich
    from bot.dashboard.view import View

    user = None
    if kind == "credits":
        if member is None:
            raise reports.ReportError("report credits needs --member NAME|ID")
        user = await reports.resolve_member(store, scope, member)
    try:
        table = await report_table(kind, View(store, scope, period, settings, time.time()),
                                   user)
    except NoSuchMember:
        raise reports.ReportError(f"no member {member!r} that staff may see") from None
    if as_csv:
        return table.csv()
    if as_json:
        return to_json(table)
    console.print(to_rich(table, period.label()))
    return None
