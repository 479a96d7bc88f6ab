"""One member's page: their score's parts, credited answers, who they helped, weekly
activity and rewards (staff view: never an opted-out member)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from bot import reports
from bot.dashboard.pages import Page
from bot.dashboard.table import Column, DataTable, Link
from bot.dashboard.view import View
from bot.metrics.health import newcomer
from bot.render.svg import bar_chart

DAY = 86400
ACTIVITY_WEEKS = 12


class NoSuchMember(LookupError):
    """Nothing stored under this id that staff may see."""


async def member(view: View, user: str) -> Page:
    """Everything the dashboard shows about ``user`` over the period."""
    if not view.nameable(user):
        raise NoSuchMember(user)
    await view.load_names({user})
    credited = await view.store.credited_answers(view.scope, user, view.period.start,
                                                 view.period.end, view.now)
    if user not in view.members and not credited:
        raise NoSuchMember(user)
    ranked = await reports.helpers(view.store, view.scope, view.period, view.settings)
    entry = next((e for e in ranked if e.advocate.user == user), None)
    askers = {x.asker for x in credited}
    await view.load_names(askers)

    page = Page()
    page.facts["name"] = view.member(user)
    fact = view.members.get(user)
    page.facts["staff"] = bool(fact and fact.is_staff)
    if entry is not None:
        a = entry.advocate
        page.figures = [{"label": label, "value": value, "change": ""} for label, value in (
            ("Score", f"{a.score:.1f}"), ("Answers", f"{a.answers:,}"),
            ("People helped", f"{a.people_helped:,}"), ("Thanked", f"{a.thanked:,}"),
            ("Newcomers helped", f"{a.newcomers_helped:,}"),
            ("Active weeks", str(a.active_weeks)))]

    answers = DataTable("credits", "Credited answers, newest first",
                        [Column("Answered", "time"), Column("Channel"), Column("Asked by"),
                         Column("Route"), Column("Thanked", "bool"), Column("Question"),
                         Column("Link")],
                        empty="No credited answer in this period.")
    for x in credited:
        url = view.message_url(x.channel, x.answer_id)
        answers.rows.append([x.ts, view.channel(x.channel), _who(view, x.asker), x.via,
                             x.acknowledged, x.excerpt or "(text no longer kept)",
                             Link(url, url) if url else None])

    helped = DataTable("helped", "Who they helped", [Column("Member"), Column("Answers", "int"),
                                                     Column("Newcomer then", "bool")],
                       empty="Nobody in this period.")
    # opted-out members are counted together, never told apart
    per_asker = Counter(asker if view.nameable(asker) else "" for _, asker in
                        {(x.question_id, x.asker) for x in credited})
    newcomers = {x.asker for x in credited if newcomer(
        _joined(view, x.asker), x.question_ts, view.settings.newcomer_days)}
    for asker, count in per_asker.most_common():
        helped.rows.append([_who(view, asker) if asker else "members who opted out", count,
                            asker in newcomers if asker else None])
    page.facts["newcomers_helped"] = sum(1 for u in newcomers if view.nameable(u))

    page.charts.append(await _activity(view, user))
    rewards = DataTable("rewards", "Rewards received", [Column("Decided", "time"),
                                                       Column("Reason"), Column("Outcome")],
                        empty="No reward yet.")
    for n in await view.store.nominations(view.scope, states=["approved"]):
        if n.user_id == user:
            rewards.rows.append([n.decided_at, n.reason, n.outcome])
    page.tables = [answers, helped, rewards]
    return page


def _joined(view: View, user: str) -> float | None:
    fact = view.members.get(user)
    return fact.joined_at if fact else None


def _who(view: View, user: str) -> Link | str:
    if not view.nameable(user):
        return "a member who opted out"
    return Link(view.member(user), view.member_href(user))


async def _activity(view: View, user: str) -> tuple[str, str]:
    """Messages per week over the last twelve weeks of the period."""
    last_day = int(view.period.end // DAY) + 1
    first_day = last_day - 7 * ACTIVITY_WEEKS
    days = await view.store.activity_days(view.scope, user, first_day, last_day)
    weeks = [sum(days.get(first_day + 7 * w + i, 0) for i in range(7))
             for w in range(ACTIVITY_WEEKS)]
    labels = [f"{datetime.fromtimestamp((first_day + 7 * w) * DAY, UTC):%d %b}"
              for w in range(ACTIVITY_WEEKS)]
    title = "Messages per week"
    return title, bar_chart(title, labels, weeks,
                            lambda v: f"{int(v or 0):,} messages")
