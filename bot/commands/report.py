"""``innercircle report health|helpers|unanswered|credits|channels|newcomers`` and
``innercircle communities``."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bot import reports
from bot.config import DEFAULT_DB, CommunitySettings, Settings
from bot.period import Period, period_from, relative_period
from bot.render import text
from bot.scope import Scope
from bot.store import Store
from bot.week_cache import week_cache

REPORTS = ("health", "helpers", "unanswered", "credits", "channels", "newcomers")
DEFAULT_PERIOD = {"health": "7d", "helpers": "30d", "unanswered": "7d", "credits": "30d",
                  "channels": "30d", "newcomers": "30d"}
DEMO_DB = "out/demo/demo.sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another database)."""
    prefix = "sqlite+aiosqlite:///"
    return Path(url[len(prefix):]) if url.startswith(prefix) else None


def where_we_looked(url: str) -> str:
    """Which database a command read, for messages: the file, or the server's URL."""
    path = sqlite_path(url)
    if path is None:
        return url.split("@")[-1]
    hint = ""
    if str(path) == DEFAULT_DB and Path(DEMO_DB).exists():
        hint = f"; the demo's database is {DEMO_DB}: add --db {DEMO_DB}"
    return f"{path} (choose another with --db, INNERCIRCLE_DB or [database] url{hint})"


async def open_existing(url: str) -> Store:
    """Open a database that must already exist: a missing SQLite file is an error (a
    report never creates an empty database)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        nearest = next((p for p in path.parents if p.exists()), Path("."))
        if nearest.is_dir():  # else a file is in the way: the database error says so
            raise reports.ReportError(f"no database at {where_we_looked(url)}")
    return await Store.open(url)  # other problems: the database errors of ``bot.exit_codes``


def choose_period(kind: str, period: str | None, since: str | None, until: str | None,
                  timezone: str, now: datetime | None = None) -> Period:
    """``--period``, or ``--since``/``--until``, or the report's default period."""
    if period is not None and (since or until):
        raise reports.ReportError("give either --period or --since/--until, not both")
    if since or until:
        return period_from(since, until, days=int(DEFAULT_PERIOD[kind][:-1]), now=now)
    return relative_period(period or DEFAULT_PERIOD[kind], timezone, now)


async def run_report(kind: str, settings: Settings, url: str, community: str | None,
                     period_name: str | None, since: str | None, until: str | None,
                     console: Console, as_json: bool, member: str | None = None,
                     as_csv: bool = False) -> Any:
    """Make one report; print it as tables, or return its JSON (or CSV text)."""
    choose_period(kind, period_name, since, until, settings.community.timezone)  # bad dates
    store = await open_existing(url)
    week_cache(store).one_shot()  # this process exits after one report: nothing to keep
    try:
        try:
            scope = await reports.resolve_scope(store, community)
        except reports.ReportError as error:
            raise reports.ReportError(f"{error} (looked in {where_we_looked(url)})") from None
        cs = settings.community.with_overrides(await store.settings_overrides(scope))
        period = choose_period(kind, period_name, since, until, cs.timezone)
        header: dict[str, Any] = {"community": str(scope),
                                  "period": period.to_json(cs.timezone)}
        if as_csv or kind in ("channels", "newcomers"):
            return await _dashboard_table(kind, store, scope, period, cs, member, console,
                                          as_json, as_csv)
        if kind == "health":
            health = await reports.health(store, scope, period, cs)
            previous = await reports.health(store, scope, period.previous(), cs)
            if as_json:
                return {**header, **health.to_json(),
                        "previous": {"period": period.previous().to_json(cs.timezone),
                                     **previous.to_json()}}
            console.print(text.health_table(health, previous, period, cs.timezone))
            console.print(text.HEALTH_NOTES, highlight=False)
        elif kind == "helpers":
            ranked = await reports.helpers(store, scope, period, cs)
            if as_json:
                return {**header, "helpers": [entry.to_json() for entry in ranked]}
            console.print(text.helpers_table(ranked, period, cs.timezone))
        elif kind == "credits":
            if member is None:
                raise reports.ReportError("report credits needs --member NAME|ID")
            user = await reports.resolve_member(store, scope, member)
            answers = await reports.credits(store, scope, user, period, staff_view=True,
                                            excerpts=True)
            if as_json:
                return {**header, "member": user, "credits": [x.to_json() for x in answers]}
            console.print(text.credits_table(member, answers, period, cs.timezone))
        else:
            now = datetime.now(UTC).timestamp()
            questions = await reports.unanswered(store, scope, period, now)
            if as_json:
                return {**header, "questions": [q.to_json() for q in questions]}
            console.print(text.unanswered_table(questions, period, cs.timezone))
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
    console.print(to_rich(table, period.label(settings.timezone)))
    return None


async def run_communities(url: str, console: Console, as_json: bool) -> Any:
    """The communities a database holds, with their size and first and last activity."""
    store = await open_existing(url)
    try:
        overviews = await store.community_overviews()
    finally:
        await store.close()
    if as_json:
        return [{"community": str(o.scope), "platform": o.scope.platform,
                 "id": o.scope.community, "messages": o.messages, "questions": o.questions,
                 "members": o.members, "first": _iso(o.first_ts), "last": _iso(o.last_ts)}
                for o in overviews]
    if not overviews:
        console.print(f"No community in {where_we_looked(url)} yet: run the bot, "
                      "`innercircle replay` a file or `innercircle demo` first.")
        return None
    console.print(text.communities_table(overviews))
    return None


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
