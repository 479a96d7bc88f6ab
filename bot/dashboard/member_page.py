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
from bot.store.facts import MessageInfo

DAY = 86400
ACTIVITY_WEEKS = 12


class NoSuchMember(LookupError):
    """Nothing stored under this id that staff may see."""


async def member(view: View, user: str) -> Page:
    """Everything the dashboard shows about ``user`` over the period."""
    if not view.nameable(user):
        raise NoSuchMember(user)
    await view.load_names({user})
    credited = await reports.credits(view.store, view.scope, user, view.period,
                                     staff_view=True, excerpts=True, now=view.now)
    if user not in view.members and not credited:
        raise NoSuchMember(user)
    mine = await reports.helpers(view.store, view.scope, view.period, view.settings,
                                 involving=user)
    entry = next((e for e in mine if e.advocate.user == user), None)
    messages = await view.store.message_infos(
        view.scope, [x.answer_id for x in credited] + [x.question_id for x in credited])
    await view.load_names({x.asker for x in credited if x.asker})

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
                         Column("Route"), Column("Confidence", "rate"),
                         Column("Thanked", "bool"), Column("Question"), Column("Link")],
                        empty="No credited answer in this period.")
    for x in reversed(credited):
        info = messages.get(x.answer_id)
        url = view.message_url(info.channel, x.answer_id, _thread(info)) if info else None
        answers.rows.append([x.ts, view.channel(info.channel) if info else None,
                             _who(view, x.asker), x.route, x.confidence, x.acknowledged,
                             x.excerpt or "(text no longer kept)",
                             Link(url, url) if url else None])

    helped = DataTable("helped", "Who they helped", [Column("Member"), Column("Answers", "int"),
                                                     Column("Newcomer then", "bool")],
                       empty="Nobody in this period.")
    # opted-out members (asker None) are counted together, never told apart
    per_asker = Counter(asker or "" for _, asker in {(x.question_id, x.asker)
                                                     for x in credited})
    newcomers = {x.asker for x in credited if x.asker and x.question_id in messages
                 and newcomer(_joined(view, x.asker), messages[x.question_id].ts,
                              view.settings.newcomer_days)}
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


def _thread(info: MessageInfo) -> str | None:
    """Where a Discord jump link points: the thread a message was posted in."""
    return info.thread if info.thread and info.thread != info.id else None


def _who(view: View, user: str | None) -> Link | str:
    if user is None or not view.nameable(user):
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
