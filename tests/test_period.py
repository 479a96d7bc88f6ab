"""Periods from the command line and the calendar."""

from datetime import UTC, datetime

import pytest

from bot.period import PeriodError, last_complete_week, parse_moment, period_from, weeks_back


def test_bare_date_is_midnight_utc() -> None:
    assert parse_moment("2026-11-02") == datetime(2026, 11, 2, tzinfo=UTC)
    assert parse_moment("2026-11-02T10:00:00+02:00") == datetime(2026, 11, 2, 8, tzinfo=UTC)


def test_default_period_is_the_last_days() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    period = period_from(None, None, days=7, now=now)
    assert period.until == now and period.days == 7


def test_until_before_since_is_refused() -> None:
    with pytest.raises(PeriodError, match="after"):
        period_from("2026-11-10", "2026-11-01")


def test_last_complete_week_in_local_time() -> None:
    now = datetime(2026, 11, 4, 12, tzinfo=UTC)  # a Wednesday
    week = last_complete_week(now, "Europe/Berlin")
    assert week.since == datetime(2026, 10, 25, 23, tzinfo=UTC)  # Mon 26 Oct 00:00 CET
    assert week.until == datetime(2026, 11, 1, 23, tzinfo=UTC)


def test_week_across_dst_change_is_167_hours() -> None:
    now = datetime(2026, 11, 4, 12, tzinfo=UTC)
    weeks = weeks_back(now, "Europe/Berlin", 2)
    assert weeks[0].days * 24 == 169  # 19-26 Oct: clocks went back on 25 Oct, 169 hours
    assert weeks[1].days * 24 == 168
    assert weeks[0].until == weeks[1].since
