"""Reports as rich tables for the terminal (staff views: departed members are named,
opted-out ones never)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from bot.metrics.health import Health
from bot.period import Period
from bot.render.figures import (
    BUS_FACTOR_NOTE,
    HEALTH_LABELS,
    SCORE_NOTE,
    change,
    duration,
    figure,
    group_repeats,
    plural,
)
from bot.render.terminal import cell
from bot.reports import CreditedAnswer, NamedAdvocate, OpenQuestion
from bot.store.community import CommunityOverview

HEALTH_NOTES = f"{BUS_FACTOR_NOTE}\nPeers are members who are not staff."
WEEK_DAYS = 7


def health_table(now: Health, before: Health | None, period: Period, timezone: str = "UTC"
                 ) -> Table:
    """Health figures, with the change since the period before."""
    table = Table(title=f"Community health, {period.label(timezone)}", title_justify="left")
    table.add_column("Figure")
    table.add_column("This period", justify="right")
    if before is not None:
        table.add_column("Period before", justify="right")
        table.add_column("Change", justify="right")
    current, previous = now.to_json(), before.to_json() if before else {}
    for key, label in HEALTH_LABELS.items():
        row = [label, figure(key, current[key])]
        if before is not None:
            row += [figure(key, previous[key]), change(key, current[key], previous[key])]
        table.add_row(*row)
    if not now.questions:
        table.caption = "No question was asked in this period."
    return table


def advocate_name(entry: NamedAdvocate) -> str:
    """A member's name as a table cell (names are the members' own text: never markup)."""
    if entry.anonymous:
        return "(a member who opted out)"
    label = cell(entry.name or entry.advocate.user)
    return f"{label} (left)" if entry.left else label


def helpers_table(ranked: list[NamedAdvocate], period: Period, timezone: str = "UTC",
                  limit: int = 15) -> RenderableType:
    """The advocate leaderboard with each score's parts; staff listed apart after peers.
    "Active weeks" is shown only for periods longer than a week (within one week it is
    always 1)."""
    title = (f"Advocates, {period.label(timezone)} (breadth of help over volume; staff ranked "
             "apart)")
    if not ranked:
        return Text(f"{title}\nNobody answered a question in this period.")
    weeks = period.days > WEEK_DAYS
    columns = ["#", "Member", "Score", "Answers", "People helped", "Thanked",
               "Newcomers helped"] + (["Active weeks"] if weeks else [])
    table = Table(title=title, title_justify="left", caption=SCORE_NOTE,
                  caption_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column == "Member" else "right")
    peers = [r for r in ranked if not r.advocate.is_staff][:limit]
    staff = [r for r in ranked if r.advocate.is_staff][:limit]
    for group, entries in (("", peers), ("staff", staff)):
        if group and entries:
            table.add_section()
            table.add_row("", "[bold]Staff[/bold]", *[""] * (len(columns) - 2))
        for rank, entry in enumerate(entries, start=1):
            a = entry.advocate
            row = [str(rank), advocate_name(entry), f"{a.score:.1f}", str(a.answers),
                   str(a.people_helped), str(a.thanked), str(a.newcomers_helped)]
            table.add_row(*row, *([str(a.active_weeks)] if weeks else []))
    return table


def unanswered_table(questions: list[OpenQuestion], period: Period, timezone: str = "UTC",
                     limit: int = 20) -> RenderableType:
    """Open questions, oldest first, with excerpts while they are retained; identical
    questions listed once with how many times they were asked."""
    title = (f"Open now: {plural(len(questions), 'question')} asked "
             f"{period.label(timezone)} without any answer yet")
    if not questions:
        return Text(f"{title}.\nEvery question asked in this period has an answer.")
    zone = ZoneInfo(timezone)
    table = Table(title=title, title_justify="left")
    for column in ("Asked", "Waiting", "Channel", "Question"):
        table.add_column(column)
    grouped = group_repeats(questions)
    for q, count in grouped[:limit]:
        asked = datetime.fromtimestamp(q.ts, UTC).astimezone(zone).strftime("%a %d %b %H:%M")
        excerpt = cell(q.excerpt) if q.excerpt is not None else "(text no longer kept)"
        if count > 1:
            excerpt += f" [dim](asked {count} times; oldest shown)[/dim]"
        table.add_row(asked, duration(q.age_s), cell(q.channel), excerpt)
    if len(grouped) > limit:
        rest = sum(count for _, count in grouped[limit:])
        table.add_row("", "", "", f"… and {plural(rest, 'more question')}")
    return table


def communities_table(overviews: list[CommunityOverview]) -> Table:
    """Each community: size and first and last activity (UTC)."""
    table = Table(title="Communities in this database", title_justify="left")
    for column in ("Community", "Messages", "Questions", "Members", "First message",
                   "Last message"):
        table.add_column(column, justify="left" if column == "Community" else "right")

    def day(ts: float | None) -> str:
        return "–" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")

    for o in overviews:
        table.add_row(cell(str(o.scope)), f"{o.messages:,}", f"{o.questions:,}",
                      f"{o.members:,}", day(o.first_ts), day(o.last_ts))
    table.caption = "Use --community PLATFORM:ID with `innercircle report` to pick one."
    return table


def credits_table(member: str, answers: list[CreditedAnswer], period: Period,
                  timezone: str = "UTC") -> Table:
    """A member's counted answers, each with how it was found and how sure the decision was."""
    table = Table(title=f"Answers credited to {cell(member)}, {period.label(timezone)} "
                        f"({len(answers)})", title_justify="left")
    for column in ("Answered", "Route", "Confidence", "Acknowledged", "Asker", "Question",
                   "Answer id"):
        table.add_column(column)
    for x in answers:
        when = datetime.fromtimestamp(x.ts, UTC).strftime("%a %d %b %H:%M")
        confidence = "–" if x.confidence is None else f"{x.confidence:.2f}"
        asker = cell(x.asker_name or x.asker) if x.asker else "(not named)"
        question = cell(x.excerpt) if x.excerpt is not None else "(text no longer kept)"
        table.add_row(when, x.route, confidence, "yes" if x.acknowledged else "no", asker,
                      f"{question} [dim]({cell(x.question_id)})[/dim]",
                      cell(x.answer_id))
    return table
