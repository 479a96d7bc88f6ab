"""Reports as rich tables for the terminal (staff views: departed members are named,
opted-out ones never)."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.table import Table

from bot.metrics.health import Health
from bot.period import Period
from bot.render.figures import HEALTH_LABELS, change, duration, figure
from bot.render.terminal import cell
from bot.reports import CreditedAnswer, NamedAdvocate, OpenQuestion


def health_table(now: Health, before: Health | None, period: Period) -> Table:
    """Health figures, with the change since the period before."""
    table = Table(title=f"Community health, {period.label()}", title_justify="left")
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
    return table


def advocate_name(entry: NamedAdvocate) -> str:
    """A member's name as a table cell (names are the members' own text: never markup)."""
    if entry.anonymous:
        return "(a member who opted out)"
    label = cell(entry.name or entry.advocate.user)
    return f"{label} (left)" if entry.left else label


def helpers_table(ranked: list[NamedAdvocate], period: Period, limit: int = 15) -> Table:
    """The advocate leaderboard with each score's parts; staff listed apart after peers."""
    table = Table(title=f"Advocates, {period.label()} (breadth of help over volume)",
                  title_justify="left")
    for column in ("#", "Member", "Score", "Answers", "People helped", "Thanked",
                   "Newcomers helped", "Active weeks"):
        table.add_column(column, justify="left" if column == "Member" else "right")
    peers = [r for r in ranked if not r.advocate.is_staff][:limit]
    staff = [r for r in ranked if r.advocate.is_staff][:limit]
    for group, entries in (("", peers), ("staff", staff)):
        if group and entries:
            table.add_section()
            table.add_row("", "[bold]Staff[/bold]", "", "", "", "", "", "")
        for rank, entry in enumerate(entries, start=1):
            a = entry.advocate
            table.add_row(str(rank), advocate_name(entry), f"{a.score:.1f}", str(a.answers),
                          str(a.people_helped), str(a.thanked), str(a.newcomers_helped),
                          str(a.active_weeks))
    if not ranked:
        table.add_row("", "nobody answered a question in this period", "", "", "", "", "", "")
    return table


def unanswered_table(questions: list[OpenQuestion], period: Period, limit: int = 20) -> Table:
    """Open questions, oldest first, with excerpts while they are retained."""
    table = Table(title=f"Unanswered questions asked {period.label()} ({len(questions)})",
                  title_justify="left")
    for column in ("Asked", "Waiting", "Channel", "Question"):
        table.add_column(column)
    for q in questions[:limit]:
        asked = datetime.fromtimestamp(q.ts, UTC).strftime("%a %d %b %H:%M")
        table.add_row(asked, duration(q.age_s), cell(q.channel),
                      cell(q.excerpt) if q.excerpt is not None else "(text no longer kept)")
    if len(questions) > limit:
        table.add_row("", "", "", f"… and {len(questions) - limit} more")
    return table


def credits_table(member: str, answers: list[CreditedAnswer], period: Period) -> Table:
    """A member's counted answers, each with how it was found and how sure the decision was."""
    table = Table(title=f"Answers credited to {cell(member)}, {period.label()} "
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
