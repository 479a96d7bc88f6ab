"""The weekly trigger keeps local wall-clock time across DST; due/late decisions (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import CommunitySettings
from bot.weekly.schedule import due_now, weekly_trigger

BERLIN = CommunitySettings(timezone="Europe/Berlin")  # default: Monday 09:00


def test_default_is_monday_nine_utc() -> None:
    trigger = weekly_trigger(CommunitySettings())
    after = datetime(2024, 3, 20, 12, tzinfo=UTC)  # a Wednesday
    assert trigger.get_next_fire_time(None, after) == datetime(2024, 3, 25, 9, tzinfo=UTC)


def test_trigger_keeps_local_hour_across_spring_dst() -> None:
    trigger = weekly_trigger(BERLIN)
    first = trigger.get_next_fire_time(None, datetime(2024, 3, 20, tzinfo=UTC))
    assert first is not None
    assert first.astimezone(UTC) == datetime(2024, 3, 25, 8, tzinfo=UTC)  # 09:00 CET
    second = trigger.get_next_fire_time(first, datetime(2024, 3, 25, 8, 0, 1, tzinfo=UTC))
    assert second is not None
    # Clocks went forward on Sunday 31 March: 09:00 CEST is 07:00 UTC.
    assert second.astimezone(UTC) == datetime(2024, 4, 1, 7, tzinfo=UTC)
    assert (second.hour, second.minute) == (9, 0)


def test_trigger_keeps_local_hour_across_autumn_dst() -> None:
    settings = CommunitySettings(timezone="America/New_York", report_weekday="sun",
                                 report_hour=18)
    fire = weekly_trigger(settings).get_next_fire_time(None, datetime(2024, 11, 1, tzinfo=UTC))
    assert fire is not None
    assert fire.astimezone(UTC) == datetime(2024, 11, 3, 23, tzinfo=UTC)  # 18:00 EST
    before = weekly_trigger(settings).get_next_fire_time(None, datetime(2024, 10, 22,
                                                                        tzinfo=UTC))
    assert before is not None
    assert before.astimezone(UTC) == datetime(2024, 10, 27, 22, tzinfo=UTC)  # 18:00 EDT


def test_due_covers_last_local_week_across_dst() -> None:
    due = due_now(datetime(2024, 4, 1, 7, tzinfo=UTC), BERLIN)
    assert due.state == "post"
    assert due.key == "2024-03-25"
    # the week had 167 hours: Monday 00:00 CET to Monday 00:00 CEST
    assert due.week.since == datetime(2024, 3, 24, 23, tzinfo=UTC)
    assert due.week.until == datetime(2024, 3, 31, 22, tzinfo=UTC)
    assert due.due_at == datetime(2024, 4, 1, 7, tzinfo=UTC)


def test_wait_post_late() -> None:
    settings = CommunitySettings(post_grace_hours=24)
    assert due_now(datetime(2024, 3, 25, 8, 59, 59, tzinfo=UTC), settings).state == "wait"
    assert due_now(datetime(2024, 3, 25, 9, tzinfo=UTC), settings).state == "post"
    assert due_now(datetime(2024, 3, 26, 9, tzinfo=UTC), settings).state == "post"
    assert due_now(datetime(2024, 3, 26, 9, 0, 1, tzinfo=UTC), settings).state == "late"
    assert due_now(datetime(2024, 3, 26, 10, tzinfo=UTC),
                   CommunitySettings(post_grace_hours=0)).state == "late"


def test_late_in_the_week_schedule_still_catches_up_the_week_before() -> None:
    settings = CommunitySettings(report_weekday="sun", report_hour=23)
    # Sunday 23:00 reports the week that ended the Monday before; at Monday 03:00 that post
    # is 4 hours late (in grace) though a newer week has just completed.
    due = due_now(datetime(2024, 3, 25, 3, tzinfo=UTC), settings)
    assert (due.state, due.key) == ("post", "2024-03-11")
    assert due_now(datetime(2024, 3, 26, 3, tzinfo=UTC), settings).state == "wait"
