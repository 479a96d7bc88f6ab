"""Rewards: nominations approved through the button grant the reward; declined ones do not;
cooldowns; staff only; nobody approves their own nomination; decided once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from bot.features import Invoker
from bot.metrics.advocates import Advocate
from bot.reports import NamedAdvocate
from bot.runtime import Runtime
from bot.store import Store
from bot.weekly.nominations import nominate_week, pick_nominees
from bot.weekly.run import run_week
from bot.weekly.schedule import due_now
from tests.fake_platform import FakePlatform
from tests.weekly.helpers import SCOPE, make_runtime, qa

WEEK = datetime(2024, 3, 25, tzinfo=UTC)
DIGEST_AT = datetime(2024, 4, 1, 9, tzinfo=UTC)
MOD = Invoker("mod1", "Mod", False)  # staff by the staff_users setting
MEMBER = Invoker("carol", "Carol", False)


async def seed(runtime: Runtime, week: datetime = WEEK) -> None:
    events = []
    for i in range(3):
        events += qa(week + timedelta(hours=1 + i), f"m{i}", "bob", thanks=True)
    events += qa(week + timedelta(hours=8), "m5", "carol")
    await runtime.engine.ingest(sorted(events, key=lambda e: e.ts))


async def weekly_nominations(runtime: Runtime, fake: FakePlatform) -> dict[str, int]:
    await run_week(runtime, SCOPE, "p1", DIGEST_AT.timestamp())
    return {n.user_id: n.id for n in await runtime.store.nominations(SCOPE)}


async def test_approve_through_button_grants_reward(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, reward_role="Helper", nominations_per_week=2)
    await seed(runtime)
    ids = await weekly_nominations(runtime, fake)
    assert set(ids) == {"bob", "carol"}
    digest = fake.dms_to("mod1")[0]
    approve = next(b.action for b in digest.buttons if b.action == f"reward:approve:{ids['bob']}")
    reply = await runtime.press_button(fake, SCOPE, MOD, approve)
    assert reply.title == f"Nomination #{ids['bob']} approved", reply.plain_text()
    assert fake.grants == [(SCOPE, "bob", "Helper")]
    nomination = await store.nomination(ids["bob"])
    assert nomination is not None
    assert (nomination.state, nomination.decided_by) == ("approved", "mod1")
    assert nomination.outcome == "granted Helper to <@bob>"
    # decided once: a second press (by anyone) changes nothing
    again = await runtime.press_button(fake, SCOPE, Invoker("mod2"), approve)
    assert again.tone == "error" and "already decided: approved by <@mod1>" in again.text
    assert len(fake.grants) == 1


async def test_decline_records_and_grants_nothing(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, reward_role="Helper")
    await seed(runtime)
    ids = await weekly_nominations(runtime, fake)
    reply = await runtime.press_button(fake, SCOPE, MOD, f"reward:decline:{ids['carol']}")
    assert reply.title.endswith("declined")
    assert fake.grants == []
    nomination = await store.nomination(ids["carol"])
    assert nomination is not None and nomination.state == "declined"
    late = await runtime.press_button(fake, SCOPE, MOD, f"reward:approve:{ids['carol']}")
    assert late.tone == "error" and fake.grants == []


async def test_only_staff_and_never_oneself(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    await seed(runtime)
    ids = await weekly_nominations(runtime, fake)
    refused = await runtime.press_button(fake, SCOPE, MEMBER, f"reward:approve:{ids['bob']}")
    assert refused.tone == "error" and "Only staff" in refused.text
    # a staff member nominated by hand cannot approve their own nomination
    made = await runtime.run_command(fake, SCOPE, MOD, "nominate",
                                     {"member": "mod2", "reason": "ran the onboarding"})
    assert made.title == "Nomination recorded", made.plain_text()
    own = next(n for n in await store.nominations(SCOPE) if n.user_id == "mod2")
    assert [b.action for b in made.buttons] == [f"reward:approve:{own.id}",
                                                f"reward:decline:{own.id}"]
    assert any(r.title == "Reward nomination" for r in fake.dms_to("mod1"))
    selfish = await runtime.press_button(fake, SCOPE, Invoker("mod2", is_staff=True),
                                         f"reward:approve:{own.id}")
    assert selfish.tone == "error" and "your own nomination" in selfish.text
    assert fake.grants == []
    ok = await runtime.press_button(fake, SCOPE, MOD, f"reward:approve:{own.id}")
    assert ok.tone == "good" and fake.grants == [(SCOPE, "mod2", None)]


async def test_nominate_and_rewards_are_staff_only(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    for name, args in (("nominate", {"member": "bob", "reason": "x"}), ("rewards", {})):
        reply = await runtime.run_command(fake, SCOPE, MEMBER, name, args)
        assert reply.tone == "error" and "staff only" in reply.text
    assert await store.nominations(SCOPE) == []


async def test_rewards_lists_decisions(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, reward_role="Helper")
    await seed(runtime)
    ids = await weekly_nominations(runtime, fake)
    with time_machine.travel(DIGEST_AT + timedelta(hours=2), tick=False):
        await runtime.press_button(fake, SCOPE, MOD, f"reward:approve:{ids['bob']}")
    listing = await runtime.run_command(fake, SCOPE, MOD, "rewards", {})
    assert listing.lines[0].startswith("2024-04-01 <@bob>: approved by <@mod1> – granted Helper")
    assert listing.lines[-1] == f"Pending (1): #{ids['carol']} <@carol>"


async def test_cooldown_skips_recently_rewarded(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, reward_cooldown_weeks=8, nominations_per_week=1)
    await seed(runtime)
    ids = await weekly_nominations(runtime, fake)
    assert list(ids) == ["bob"]
    with time_machine.travel(DIGEST_AT + timedelta(hours=1), tick=False):
        await runtime.press_button(fake, SCOPE, MOD, f"reward:approve:{ids['bob']}")
    settings = await runtime.community_settings(SCOPE)

    async def nominees(weeks_later: int) -> list[str]:
        week_start = WEEK + timedelta(weeks=weeks_later)
        await seed(runtime, week_start)  # bob tops that week again
        now = DIGEST_AT + timedelta(weeks=weeks_later)
        due = due_now(now, settings)
        made = await nominate_week(runtime, SCOPE, due.week, due.key, now.timestamp())
        found = [await store.nomination(i) for i in made]
        return [n.user_id for n in found if n is not None]

    assert await nominees(1) == ["carol"]  # bob is in his cooldown
    assert await nominees(7) == []  # carol's nomination is pending; bob still cooling down
    await runtime.press_button(fake, SCOPE, MOD, "reward:decline:" + str(
        (await store.nominations(SCOPE, states=["pending"]))[0].id))
    assert await nominees(8) == ["bob"]  # 8 weeks after his reward, eligible again


def test_pick_nominees_rules() -> None:
    def entry(user: str, score: float, *, staff: bool = False, anonymous: bool = False,
              left: bool = False) -> NamedAdvocate:
        return NamedAdvocate(Advocate(user, score, staff, 1, 1, 0, 0, 1), user, anonymous, left)

    ranked = [entry("a", 9), entry("anon-1", 8, anonymous=True), entry("gone", 7, left=True),
              entry("b", 6), entry("c", 5), entry("zero", 0), entry("boss", 10, staff=True)]
    assert [e.advocate.user for e in pick_nominees(ranked, {"b"}, 3)] == ["a", "c"]
    assert [e.advocate.user for e in pick_nominees(ranked, set(), 1)] == ["a"]
