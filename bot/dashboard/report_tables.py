"""The dashboard's tables for ``innercircle report <kind>``: the same rows as the pages,
as CSV (``--csv``), JSON or a terminal table."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from bot.dashboard import member_page, pages
from bot.dashboard.table import Column, DataTable, Link, raw, shown
from bot.dashboard.view import View

KINDS = ("health", "helpers", "unanswered", "channels", "newcomers", "credits")


async def report_table(kind: str, view: View, member: str | None = None) -> DataTable:
    """The one table that ``report <kind>`` prints."""
    if kind == "health":
        return (await pages.health(view)).table("health")
    if kind == "helpers":
        board = await pages.advocates(view)
        return _with_staff(board.table("advocates"), board.table("staff"))
    if kind == "credits":
        if member is None:
            raise ValueError("report credits needs --member NAME|ID")
        return (await member_page.member(view, member)).table("credits")
    builder = {"unanswered": pages.unanswered, "channels": pages.channels,
               "newcomers": pages.newcomers}[kind]
    return (await builder(view)).tables[0]


def _with_staff(peers: DataTable, staff: DataTable) -> DataTable:
    """Peers then staff in one table, told apart by a column (one header for a CSV)."""
    merged = DataTable(peers.name, "Advocates (staff ranked apart)",
                       [*peers.columns, Column("Staff", "bool")])
    merged.rows = [[*row, False] for row in peers.rows] + [[*row, True] for row in staff.rows]
    return merged


def to_json(table: DataTable) -> list[dict[str, Any]]:
    """Rows as objects keyed by column title (raw values, as in the CSV)."""
    return [{c.title: raw(cell, c.kind) for cell, c in zip(row, table.columns, strict=True)}
            for row in table.rows]


def to_rich(table: DataTable, period_label: str) -> Table:
    """A terminal table (cells are members' text: never markup)."""
    out = Table(title=f"{table.caption}, {period_label}", title_justify="left")
    for column in table.columns:
        out.add_column(column.title, justify="left" if column.kind in ("text", "time", "bool")
                       else "right")
    for row in table.rows:
        out.add_row(*(escape(shown(cell.text if isinstance(cell, Link) else cell, c.kind))
                      for cell, c in zip(row, table.columns, strict=True)))
    if not table.rows:
        out.caption = table.empty
    return out
