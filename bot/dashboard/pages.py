"""The dashboard's community pages as data: figures, charts and tables, all from
``bot.reports`` and the metrics (no figure is computed a second way here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import reports
from bot.dashboard.table import Column, DataTable, Link
from bot.dashboard.view import View, staff_label
from bot.metrics.health import compute_health, first_response, newcomer
from bot.period import weeks_back
from bot.render.figures import DURATIONS, HEALTH_LABELS, RATES, change, figure
from bot.render.svg import line_chart

#: The overview's headline figures, each with a weekly trend chart.
TRENDS = ("questions", "answer_rate", "peer_answer_rate", "median_first_response_peer_s",
          "median_first_response_staff_s", "active_members", "helpers", "bus_factor")
#: Rows a page of the long tables shows (their CSV has every row).
ADVOCATES_PER_PAGE = 25
UNANSWERED_PER_PAGE = 50


@dataclass(slots=True)
class Page:
    """What a template shows: headline figures, charts, tables."""

    figures: list[dict[str, str]] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)  # (title, svg)
    tables: list[DataTable] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> DataTable:
        return next(t for t in self.tables if t.name == name)


# Alone on a card, the table's "… when a peer answered first" needs its subject.
CARD_LABELS = {"median_first_response_peer_s": "Median first response, peers",
               "median_first_response_staff_s": "Median first response, staff"}


def _formatter(key: str) -> Callable[[float | None], str]:
    return lambda value: figure(key, value)


def _kind(key: str) -> str:
    return "rate" if key in RATES else "duration" if key in DURATIONS else "int"


async def health(view: View) -> Page:
    """The health figures against the period before (a table, and the headline cards)."""
    now = await reports.health(view.store, view.scope, view.period, view.settings)
    before = await reports.health(view.store, view.scope, view.period.previous(),
                                  view.settings)
    current, previous = now.to_json(), before.to_json()
    page = Page()
    for key in TRENDS:
        page.figures.append({"key": key, "label": CARD_LABELS.get(key, HEALTH_LABELS[key]),
                             "value": figure(key, current[key]),
                             "change": change(key, current[key], previous[key])})
    table = DataTable("health", f"Health, {view.period.label()}, against the period before",
                      [Column("Figure"), Column("This period", "text"),
                       Column("Period before", "text"), Column("Change")])
    for key, label in HEALTH_LABELS.items():
        table.rows.append([label, figure(key, current[key]), figure(key, previous[key]),
                           change(key, current[key], previous[key])])
    page.tables.append(table)
    return page


async def overview(view: View, weeks: int = 12) -> Page:
    """Health with the change against the previous period, and weekly trends."""
    page = await health(view)

    span = weeks_back(datetime.fromtimestamp(view.now, UTC), view.settings.timezone, weeks)
    series = await reports.weekly_series(view.store, view.scope, span, view.settings)
    zone = ZoneInfo(view.settings.timezone)
    labels = [f"{week.since.astimezone(zone):%d %b}" for week, _ in series]
    for key in TRENDS:
        values = [getattr(h, key) for _, h in series]
        page.charts.append((CARD_LABELS.get(key, HEALTH_LABELS[key]), line_chart(
            f"{CARD_LABELS.get(key, HEALTH_LABELS[key])}, weekly", labels, values,
            _formatter(key))))
    trend = DataTable("trends", f"Weekly trend, last {weeks} complete weeks",
                      [Column("Week of"), *(Column(HEALTH_LABELS[k], _kind(k)) for k in TRENDS)])  # type: ignore[arg-type]
    for label, (_, h) in zip(labels, series, strict=True):
        trend.rows.append([label, *(getattr(h, k) for k in TRENDS)])
    page.tables.append(trend)
    return page


async def advocates(view: View) -> Page:
    """The leaderboard with every part of each score; staff apart. The peers' table is
    shown a page at a time (names are read for the rows shown only)."""
    ranked = await reports.helpers(view.store, view.scope, view.period, view.settings)
    columns = [Column("#", "int"), Column("Member"), Column("Score", "score"),
               Column("Answers", "int"), Column("People helped", "int"),
               Column("Thanked", "int"), Column("Newcomers helped", "int"),
               Column("Active weeks", "int")]
    page = Page()
    for name, caption, staff in (("advocates", "Peer advocates", False),
                                 ("staff", "Staff (ranked apart)", True)):
        table = DataTable(name, caption, list(columns), empty="No answers in this period.",
                          page_rows=100, per_page=None if staff else ADVOCATES_PER_PAGE)
        shown = [e for e in ranked if e.advocate.is_staff == staff
                 and view.nameable(e.advocate.user)]
        for index in table.take(len(shown), view.page):
            entry = shown[index]
            a = entry.advocate
            label = staff_label(a.user, entry.name, entry.left)
            table.rows.append([index + 1, Link(label, view.member_href(a.user)),
                               a.score, a.answers, a.people_helped, a.thanked,
                               a.newcomers_helped, a.active_weeks])
        page.tables.append(table)
    return page


async def unanswered(view: View) -> Page:
    """Open questions, oldest first, each linking to the message; shown a page at a time."""
    questions = await reports.unanswered(view.store, view.scope, view.period, view.now)
    table = DataTable("unanswered", "Open questions, oldest first",
                      [Column("Asked", "time"), Column("Waiting", "duration"),
                       Column("Channel"), Column("Asked by"), Column("Question"),
                       Column("Link")],
                      empty="Every question of this period has an answer.",
                      per_page=UNANSWERED_PER_PAGE)
    rows = table.take(len(questions), view.page)
    await view.load_names({questions[i].author for i in rows})
    for i in rows:
        q = questions[i]
        who: Any = (Link(view.member(q.author), view.member_href(q.author))
                    if view.nameable(q.author) else "a member who opted out")
        url = view.message_url(q.channel, q.id)
        table.rows.append([q.ts, q.age_s, view.channel(q.channel), who,
                           q.excerpt or "(text no longer kept)",
                           Link(url, url) if url else None])
    page = Page(tables=[table])
    page.facts["count"] = len(questions)
    return page


async def channels(view: View) -> Page:
    """Per channel: where help happens, and where questions are left alone."""
    questions = await reports.questions(view.store, view.scope, view.period)
    await view.load_names(set())
    by_channel = defaultdict(list)
    for q in questions:
        by_channel[q.channel].append(q)
    table = DataTable("channels", "Questions per channel, most asked first",
                      [Column("Channel"), Column("Questions", "int"), Column("Answered", "int"),
                       Column("Share answered", "rate"), Column("Answered by peers", "rate"),
                       Column("Median first response", "duration"),
                       Column("Unanswered", "int")])
    window = view.settings.answer_window_hours * 3600
    measured = [(view.channel(channel), compute_health(
        asked, {}, active_members=0, new_members=0, joined_at={}, answer_window_s=window))
        for channel, asked in by_channel.items()]
    measured.sort(key=lambda x: (-x[1].questions, x[0]))
    for name, h in measured:
        table.rows.append([name, h.questions, h.answered, h.answer_rate, h.peer_answer_rate,
                           h.median_first_response_s, h.unanswered])
    return Page(tables=[table])


async def newcomers(view: View) -> Page:
    """Who joined, who asked, who got an answer and how fast."""
    arrived = [m for m in await view.store.arrived_members(view.scope, view.period.start,
                                                           view.period.end)
               if view.nameable(m.user_id)]
    view.members.update({m.user_id: m for m in arrived})
    await view.load_names(set())
    questions = await reports.questions(view.store, view.scope, view.period)
    window = view.settings.answer_window_hours * 3600
    asked: dict[str, list[Any]] = defaultdict(list)
    for q in sorted(questions, key=lambda q: q.ts):
        asked[q.author].append(q)
    table = DataTable("newcomers", "Members who arrived in this period",
                      [Column("Member"), Column("Joined", "time"), Column("Questions", "int"),
                       Column("Answered", "int"), Column("First answer after", "duration"),
                       Column("By a peer", "bool")],
                      empty="Nobody joined in this period.")
    asking = helped = 0
    for member in arrived:
        start = member.joined_at if member.joined_at is not None else member.first_seen_at
        # a newcomer's questions, as the health figures count them (a join date is needed)
        theirs = [q for q in asked.get(member.user_id, [])
                  if newcomer(member.joined_at, q.ts, view.settings.newcomer_days)]
        firsts = [first_response(q, window) for q in theirs]
        answered = [f for f in firsts if f is not None]
        asking += bool(theirs)
        helped += bool(answered)
        table.rows.append([Link(view.member(member.user_id), view.member_href(member.user_id)),
                           start, len(theirs), len(answered),
                           answered[0][0] if answered else None,
                           answered[0][1] if answered else None])
    page = Page(tables=[table])
    page.figures = [{"label": "Arrived", "value": f"{len(arrived):,}", "change": ""},
                    {"label": "Asked a question", "value": f"{asking:,}", "change": ""},
                    {"label": "Got an answer", "value": f"{helped:,}", "change": ""}]
    return page
