"""``/circle config``: staff only, validated, lists parsed, reset, and the weekly job follows."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from bot.features import Invoker
from bot.store import Store
from cogs.weekly import sync_weekly
from tests.fake_platform import FakePlatform
from tests.weekly.helpers import SCOPE, make_runtime

MOD = Invoker("mod1", "Mod", False)


async def config(runtime, fake, key=None, value=None, who=MOD):  # type: ignore[no-untyped-def]
    args = {k: v for k, v in (("key", key), ("value", value)) if v is not None}
    return await runtime.run_command(fake, SCOPE, who, "config", args)


async def test_staff_only(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    reply = await config(runtime, fake, "report_hour", "10", who=Invoker("carol"))
    assert reply.tone == "error" and "staff only" in reply.text
    assert await store.settings_overrides(SCOPE) == {}


async def test_show_change_reset(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    listing = await config(runtime, fake)
    assert "report_hour: 9" in listing.lines and "report_channel: C-report" in listing.lines
    changed = await config(runtime, fake, "moderators", "<@mod1>, <@!mod2> mod3")
    assert changed.tone == "good", changed.plain_text()
    assert (await runtime.community_settings(SCOPE)).moderators == ["mod1", "mod2", "mod3"]
    await config(runtime, fake, "excluded_channels", "<#C1|random> C2")
    assert (await store.settings_overrides(SCOPE))["excluded_channels"] == ["C1", "C2"]
    await config(runtime, fake, "report_weekday", "Friday")
    assert (await runtime.community_settings(SCOPE)).report_weekday == "fri"
    assert "(changed here)" in "\n".join((await config(runtime, fake)).lines)
    one = await config(runtime, fake, "report_weekday")
    assert {f.name: f.value for f in one.fields} == {"Value": "fri", "Default": "mon"}
    await config(runtime, fake, "report_weekday", "default")
    assert "report_weekday" not in await store.settings_overrides(SCOPE)
    assert (await runtime.community_settings(SCOPE)).report_weekday == "mon"
    await config(runtime, fake, "report_channel", "none")
    assert not (await runtime.community_settings(SCOPE)).report_channel


async def test_invalid_values_name_the_setting(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    for key, value, expected in (
            ("report_hour", "25", "`report_hour` cannot be '25': Input should be less than or "
                                  "equal to 23"),
            ("timezone", "Mars/Base", "`timezone` cannot be 'Mars/Base': unknown timezone"),
            ("report_weekday", "someday", "`report_weekday` cannot be 'someday': must be one"),
            ("drift_drop_ratio", "abc", "`drift_drop_ratio` cannot be 'abc'"),
            ("report_hours", "9", "There is no setting `report_hours`. Did you mean "
                                  "`report_hour`?")):
        reply = await config(runtime, fake, key, value)
        assert reply.tone == "error" and expected in reply.text, reply.text
    assert await store.settings_overrides(SCOPE) == {}


async def test_schedule_change_reschedules_weekly_job(store: Store, fake: FakePlatform) -> None:
    with time_machine.travel(datetime(2024, 3, 20, 12, tzinfo=UTC), tick=False):
        runtime = make_runtime(store, fake)
        await runtime.start_jobs()
        try:
            await config(runtime, fake, "report_channel", "C-report")  # a stored community
            await sync_weekly(runtime)
            assert runtime.scheduler.next_weekly_run(SCOPE) == datetime(2024, 3, 25, 9,
                                                                        tzinfo=UTC)
            reply = await config(runtime, fake, "timezone", "America/New_York")
            assert reply.tone == "good"
            await config(runtime, fake, "report_hour", "17")
            # Monday 17:00 in New York (EDT) is 21:00 UTC
            assert runtime.scheduler.next_weekly_run(SCOPE) == datetime(2024, 3, 25, 21,
                                                                        tzinfo=UTC)
            reply = await config(runtime, fake, "report_weekday", "wed")
            assert "Next weekly post: 2024-03-20 17:00 EDT" in reply.footer
            await config(runtime, fake, "report_channel", "none")
            await config(runtime, fake, "moderators", "none")
            assert runtime.scheduler.next_weekly_run(SCOPE) is None
        finally:
            await runtime.stop_jobs()


async def test_change_reaches_the_engine(store: Store, fake: FakePlatform) -> None:
    from datetime import timedelta

    from tests.weekly.helpers import qa

    runtime = make_runtime(store, fake)
    t = datetime(2024, 3, 20, 12, tzinfo=UTC)
    await runtime.engine.ingest(qa(t, "alice", "bob"))
    await config(runtime, fake, "ignored_users", "bob")
    stats = await runtime.engine.ingest(qa(t + timedelta(hours=1), "alice", "bob"))
    assert stats.answers == 0 and stats.ignored == 1
