"""The weekly community-health post: the last complete week against the week before."""

from __future__ import annotations

import asyncio

from bot import reports
from bot.config import CommunitySettings
from bot.features import Field, Platform, Reply
from bot.member_text import member_text
from bot.metrics.health import Health
from bot.period import Period, weeks_back
from bot.render.chart import weekly_trend_png
from bot.render.figures import (
    BUS_FACTOR_NOTE,
    HEALTH_LABELS,
    change,
    duration,
    figure,
    group_repeats,
    plural,
)
from bot.scope import Scope
from bot.services import Services
from bot.weekly.names import audience, nameable, who

CHART_WEEKS = 12
SHOUT_OUTS = 3
OPEN_SHOWN = 10
FIGURES = ("questions", "answer_rate", "peer_answer_rate", "median_first_response_s",
           "median_first_response_peer_s", "median_first_response_staff_s", "active_members",
           "new_members", "helpers", "bus_factor")


def week_label(week: Period, timezone: str) -> str:
    """``4 – 10 Mar 2024 (Europe/Berlin)``: first and last day, inclusive, and the zone."""
    return week.label(timezone)


def post_marker(week_key: str) -> str:
    """What marks the weekly post of the week starting ``week_key`` (its local Monday), so
    that a process recovering a half-done week finds it in the channel."""
    return f"Weekly report, week of {week_key}"


def week_before(week: Period, timezone: str) -> Period:
    """The local week just before ``week`` (DST-safe: whole local days)."""
    return weeks_back(week.until, timezone, 2)[0]


def figure_fields(now: Health, before: Health, keys: tuple[str, ...] = FIGURES) -> list[Field]:
    """Each figure with its change against the week before."""
    current, previous = now.to_json(), before.to_json()
    fields = []
    for key in keys:
        moved = change(key, current[key], previous[key])
        fields.append(Field(HEALTH_LABELS[key],
                            figure(key, current[key]) + (f" ({moved})" if moved else "")))
    if now.newcomers_asking:
        fields.append(Field(HEALTH_LABELS["newcomers_answered"],
                            f"{now.newcomers_answered} of {now.newcomers_asking}"))
    else:
        fields.append(Field(HEALTH_LABELS["newcomers_answered"], "no newcomer asked"))
    return fields


def headline(now: Health) -> str:
    if not now.questions:
        return "No questions were asked this week."
    return (f"{plural(now.questions, 'question')}, "
            f"{figure('answer_rate', now.answer_rate)} answered, "
            f"{figure('peer_answer_rate', now.peer_answer_rate)} by peers.")


def open_question_lines(open_questions: list[reports.OpenQuestion], platform: Platform,
                        scope: Scope, shown: int = OPEN_SHOWN,
                        more: str = " (`/circle unanswered`)") -> list[str]:
    """One line per open question: how long it waits, its excerpt while kept, its link."""
    lines = []
    grouped = group_repeats(open_questions)
    for q, count in grouped[:shown]:
        link = platform.message_link(scope, q.channel, q.id)
        text = f"“{member_text(q.excerpt)}”" if q.excerpt else "(text no longer kept)"
        asked = f" (asked {count} times)" if count > 1 else ""
        lines.append(f"• {duration(q.age_s)} waiting: {text}{asked}"
                     + (f" – {link}" if link else ""))
    if len(grouped) > shown:
        rest = sum(count for _, count in grouped[shown:])
        lines.append(f"… and {plural(rest, 'more question')}{more}.")
    return lines


async def trend_chart(runtime: Services, scope: Scope, week: Period,
                      settings: CommunitySettings) -> bytes:
    weeks = (await reports.chart_weeks(runtime.store, scope, week, settings.timezone)
             )[-CHART_WEEKS:]
    series = await reports.weekly_series(runtime.store, scope, weeks, settings)
    return await asyncio.to_thread(weekly_trend_png, series, "Community health, by week",
                                   settings.timezone)


async def build_post(runtime: Services, scope: Scope, platform: Platform, week: Period,
                     now: float) -> Reply:
    """The public weekly post for ``week`` (names only members who may be named in public)."""
    settings = await runtime.community_settings(scope)
    store = runtime.store
    current = await reports.health(store, scope, week, settings)
    before = await reports.health(store, scope, week_before(week, settings.timezone), settings)
    lines: list[str] = []
    ctx = audience(runtime, platform, scope, staff=False)
    ranked = await reports.helpers(store, scope, week, settings)
    peers = [e for e in ranked if not e.advocate.is_staff and nameable(e, ctx)][:SHOUT_OUTS]
    if peers:
        lines.append("Thank you to this week's top helpers: "
                     + ", ".join(f"{who(e, ctx)} (helped "
                                 f"{plural(e.advocate.people_helped, 'person', 'people')})"
                                 for e in peers) + "!")
    open_questions = await reports.unanswered(store, scope, week, now)
    if open_questions:
        lines.append(f"Asked this week and still without an answer ({len(open_questions)}):")
        lines.extend(open_question_lines(open_questions, platform, scope))
    elif current.questions:
        lines.append("Every question of the week got an answer.")
    chart = await trend_chart(runtime, scope, week, settings)
    return Reply(title=f"Community health: {week_label(week, settings.timezone)}",
                 text=headline(current), fields=figure_fields(current, before), lines=lines,
                 chart=chart, public=True, tone="info",
                 footer="Change against the week before. Peers are members who are not "
                        f"staff. {BUS_FACTOR_NOTE}")
