"""A table of a dashboard page: one definition serves the HTML page, its CSV download and
``innercircle report … --csv``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, NamedTuple

from bot.render.figures import duration
from bot.render.spreadsheet import to_csv

Kind = Literal["text", "int", "rate", "duration", "time", "score", "bool"]


class Link(NamedTuple):
    """A cell that links somewhere (a member's page, a message on its platform)."""

    text: str
    href: str | None


Cell = str | int | float | bool | None | Link


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: Kind = "text"


@dataclass(slots=True)
class DataTable:
    """``name`` is the CSV file's stem and the table's id on the page."""

    name: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = "Nothing in this period."
    page_rows: int = 200  # shown on the page; the CSV has every row
    per_page: int | None = None  # a long table shown a page at a time (see ``take``)
    first: int = 0  # the whole table's index of ``rows[0]`` when ``rows`` is one page
    count: int | None = None  # the whole table's rows when ``rows`` is one page

    def take(self, count: int, page: int | None) -> range:
        """Which of the whole table's ``count`` rows to make: one page of ``per_page`` rows
        (past the last page: the last), or all of them (``page`` None: a CSV, the command
        line, or a table not shown by pages)."""
        if page is None or self.per_page is None:
            return range(count)
        start = (min(page, max(1, -(-count // self.per_page))) - 1) * self.per_page
        self.first, self.count = start, count
        return range(start, min(count, start + self.per_page))

    @property
    def shown_rows(self) -> list[list[Cell]]:
        return self.rows if self.count is not None else self.rows[:self.page_rows]

    @property
    def paged(self) -> bool:
        """Only one page of several is held (the page shows a pager)."""
        return self.count is not None and self.per_page is not None and self.count > self.per_page

    @property
    def page(self) -> int:
        return self.first // self.per_page + 1 if self.per_page else 1

    @property
    def pages(self) -> int:
        if self.per_page is None or self.count is None:
            return 1
        return max(1, -(-self.count // self.per_page))

    def csv(self) -> str:
        """The table as CSV: raw values (rates as fractions, durations in seconds, times in
        ISO 8601 UTC), formula-looking text neutralised."""
        return to_csv([c.title for c in self.columns],
                      ([raw(cell, c.kind) for cell, c in zip(row, self.columns, strict=True)]
                       for row in self.rows))


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def raw(cell: Cell, kind: Kind) -> object:
    """A cell's value for CSV."""
    value = cell.text if isinstance(cell, Link) else cell
    if kind == "time" and isinstance(value, int | float):
        return iso(value)
    return value


def shown(cell: Cell, kind: Kind) -> str:
    """A cell's value as a person reads it."""
    value = cell.text if isinstance(cell, Link) else cell
    if value is None:
        return "–"
    if kind == "rate" and isinstance(value, int | float):
        return f"{value * 100:.0f}%"
    if kind == "duration" and isinstance(value, int | float):
        return duration(value)
    if kind == "time" and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M")
    if kind == "score" and isinstance(value, int | float):
        return f"{value:.1f}"
    if kind == "bool" or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
