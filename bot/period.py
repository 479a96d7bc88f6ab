"""Periods: [since, until) in UTC, from command-line dates or the calendar week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class PeriodError(ValueError):
    """A date that cannot be read, or a period that ends before it starts."""


@dataclass(frozen=True, slots=True)
class Period:
    """``since`` inclusive, ``until`` exclusive; both aware UTC datetimes."""

    since: datetime
    until: datetime

    @property
    def start(self) -> float:
        return self.since.timestamp()

    @property
    def end(self) -> float:
        return self.until.timestamp()

    @property
    def days(self) -> float:
        return (self.until - self.since).total_seconds() / 86400

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.since - (self.until - self.since), self.since)

    def label(self, timezone: str = "UTC") -> str:
        """First and last day, both inclusive, and the timezone: "23 – 29 Nov 2026 (UTC)".
        A period ending at a time of day (such as now) includes that day; the exact bounds
        are in ``to_json``."""
        zone = ZoneInfo(timezone)
        first = self.since.astimezone(zone)
        end = self.until.astimezone(zone)
        last = end - timedelta(days=1) if end.time() == time() else end
        last = max(last, first)
        if first.date() == last.date():
            return f"{last.day} {last:%b %Y} ({timezone})"
        if (first.year, first.month) == (last.year, last.month):
            start = f"{first.day}"
        elif first.year == last.year:
            start = f"{first.day} {first:%b}"
        else:
            start = f"{first.day} {first:%b %Y}"
        return f"{start} – {last.day} {last:%b %Y} ({timezone})"

    def to_json(self, timezone: str = "UTC") -> dict[str, str]:
        """The period for JSON output: exact bounds and the readable label."""
        def iso(moment: datetime) -> str:
            return moment.isoformat().replace("+00:00", "Z")
        return {"since": iso(self.since), "until": iso(self.until), "timezone": timezone,
                "label": self.label(timezone)}


RELATIVE = ("7d", "30d", "90d", "last-week", "this-month")


def relative_period(name: str, timezone: str, now: datetime | None = None) -> Period:
    """``7d`` / ``30d`` / ``90d``: that many days up to now; ``last-week``: the last complete
    calendar week (Monday to Sunday) in ``timezone``; ``this-month``: from the 1st, local
    midnight, to now."""
    now = now or datetime.now(UTC)
    if name == "last-week":
        return last_complete_week(now, timezone)
    if name == "this-month":
        local = now.astimezone(ZoneInfo(timezone))
        first = datetime.combine(local.date().replace(day=1), time(), tzinfo=local.tzinfo)
        return Period(first.astimezone(UTC), now)
    if name.endswith("d") and name[:-1].isdigit() and name in RELATIVE:
        return Period(now - timedelta(days=int(name[:-1])), now)
    raise PeriodError(f"unknown period {name!r}: use one of {', '.join(RELATIVE)}")


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def parse_moment(value: str) -> datetime:
    """ISO 8601; a bare date is midnight UTC; a time without offset is UTC."""
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(f"not an ISO 8601 date or time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        moment = parsed.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise PeriodError(f"{value!r} is out of range: use a date between "
                          f"{EARLIEST.year} and {LATEST.year - 1}")
    return moment


def period_from(since: str | None, until: str | None, *, days: float = 7,
                now: datetime | None = None) -> Period:
    """``--since``/``--until`` as given; missing ends make a period of ``days`` ending now."""
    now = now or datetime.now(UTC)
    end = parse_moment(until) if until else now
    start = parse_moment(since) if since else end - timedelta(days=days)
    if end <= start:
        if until is None:
            raise PeriodError(f"--since {since} is in the future: give an earlier date "
                              "(or an --until after it)")
        raise PeriodError(f"--until {until} must be after --since "
                          f"{since or start.date().isoformat()}")
    return Period(start, end)


def last_complete_week(now: datetime, timezone: str) -> Period:
    """Monday 00:00 to Monday 00:00 in ``timezone``: the latest week that has ended."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).date()
    end = datetime.combine(monday, time(), tzinfo=zone)
    start = datetime.combine(monday - timedelta(days=7), time(), tzinfo=zone)
    return Period(start.astimezone(UTC), end.astimezone(UTC))


def weeks_back(now: datetime, timezone: str, count: int) -> list[Period]:
    """The last ``count`` complete local weeks, oldest first."""
    latest = last_complete_week(now, timezone)
    zone = ZoneInfo(timezone)
    weeks = []
    end_local = latest.until.astimezone(zone).date()
    for back in range(count, 0, -1):
        end = end_local - timedelta(days=7 * (back - 1))
        start = end - timedelta(days=7)
        weeks.append(Period(datetime.combine(start, time(), tzinfo=zone).astimezone(UTC),
                            datetime.combine(end, time(), tzinfo=zone).astimezone(UTC)))
    return weeks


MAX_CHART_WEEKS = 52


def weeks_since(first: float | None, latest: Period, timezone: str,
                limit: int = MAX_CHART_WEEKS) -> list[Period]:
    """The complete local weeks from the one holding ``first`` (a timestamp) up to
    ``latest``, oldest first, at most ``limit``; none when nothing happened before
    ``latest`` ended."""
    if first is None:
        return []
    return [w for w in weeks_back(latest.until, timezone, limit) if w.end > first]
