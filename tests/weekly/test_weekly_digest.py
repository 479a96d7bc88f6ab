"""The moderators' digest: leaderboard with parts, nominations with buttons, alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import build_runtime
from bot.config import Settings
from bot.features import Reply
from bot.member_text import unmarked
from bot.metrics.health import Health
from bot.runtime import Runtime
from bot.store import Store
from bot.weekly import alerts
from bot.weekly.digest import build_digest
from bot.weekly.run import alert_unanswered, run_week
from tests.fake_platform import FakePlatform
from tests.weekly.helpers import SCOPE, community_settings, joins, make_runtime, qa

WEEK = datetime(2024, 3, 25, tzinfo=UTC)  # Monday 00:00 UTC
DIGEST_AT = datetime(2024, 4, 1, 9, tzinfo=UTC)


async def seed(runtime: Runtime) -> None:
    events = list(joins(WEEK - timedelta(days=90), "bob", "carol", "erin", "mod1",
                        *(f"m{i}" for i in range(12))))
    for week in range(2, 10):  # erin: 3 answers a week, 9 to 2 weeks before; then nothing
        start = WEEK - timedelta(weeks=week - 1, days=6)
        for i in range(3):
            events += qa(start + timedelta(hours=i), f"m{i}", "erin")
    for i in range(10):  # bob carries the week: 10 of 11 peer answers
        events += qa(WEEK + timedelta(hours=1 + i), f"m{i}", "bob", thanks=i < 2)
    events += qa(WEEK + timedelta(hours=20), "m11", "carol")
    events += qa(WEEK + timedelta(days=2), "m10", "mod1")
    events += qa(WEEK + timedelta(days=5), "m11", None, text="Where is the changelog?")
    await runtime.engine.ingest(sorted(events, key=lambda e: e.ts))


def section(reply: Reply, title: str) -> list[str]:
    lines = [unmarked(line) for line in reply.lines]
    headers = ("Advocate leaderboard", "Reward nominations:", "Alerts:")
    start = lines.index(next(line for line in lines if line.startswith(title)))
    out = []
    for line in lines[start + 1:]:
        if line.startswith(headers):
            break
        out.append(line)
    return out


async def test_digest_sent_to_staff_moderators_once(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, moderators=["mod1", "mod2", "notstaff"],
                           nominations_per_week=2, reward_role="Helper")
    await seed(runtime)
    outcome = await run_week(runtime, SCOPE, "p1", DIGEST_AT.timestamp())
    assert outcome.digests == ["mod1", "mod2"]  # "notstaff" is not staff: skipped
    assert [user for _, user, _ in fake.dms] == ["mod1", "mod2"]
    again = await run_week(runtime, SCOPE, "p2", DIGEST_AT.timestamp() + 60)
    assert again.digests == [] and len(fake.dms) == 2

    digest = fake.dms_to("mod1")[0]
    assert digest.title == "Weekly digest: 25 – 31 Mar 2024 (UTC)" and not digest.public
    board = section(digest, "Advocate leaderboard")
    assert board[0].startswith("1. <@bob>: score ")
    assert "helped 10 people · 10 answers · thanked 2" in board[0]
    assert board[1].startswith("2. <@carol>")
    assert any(line.startswith("• <@mod1>") for line in board)  # staff ranked apart

    nominations = section(digest, "Reward nominations")
    assert [line.split(" ")[1] for line in nominations] == ["<@bob>", "<@carol>"]
    actions = [b.action for b in digest.buttons]
    ids = [line.split(" ")[0].lstrip("#") for line in nominations]
    assert actions == [f"reward:{verb}:{i}" for i in ids for verb in ("approve", "decline")]

    found = section(digest, "Alerts")
    text = "\n".join(found)
    assert "Open now and waiting longer than 1d 00h (asked in the last 7 days): 1 question" in text
    assert "“Where is the changelog?”" in text and "https://chat.example/" in text
    assert "Drifting away? <@erin> answered 0.0 a week lately, usually 3.0 a week." in text
    assert "Bus factor 1: half of the week's 11 peer answers came from 1 helper." in text
    assert digest.tone == "warn"


async def test_build_digest_without_platform_names_members(store: Store) -> None:
    runtime = build_runtime(Settings(community=community_settings()), store)  # no platform
    await seed(runtime)
    digest = await build_digest(runtime, SCOPE, DIGEST_AT.timestamp())
    text = digest.plain_text()
    assert "1. @Bob: score" in text
    assert "Proposed: @Bob" in text  # nothing recorded: the demo only reads
    assert digest.buttons == []
    assert await store.nominations(SCOPE) == []


async def test_unanswered_alerts_batched_once(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, moderators=["mod1"], unanswered_alert_hours=6)
    now = WEEK + timedelta(days=1)
    events = []
    for i in range(3):
        events += qa(now - timedelta(hours=10 + i), f"m{i}", None)
    events += qa(now - timedelta(hours=2), "m5", None)  # not late yet
    await runtime.engine.ingest(sorted(events, key=lambda e: e.ts))
    sent = await alert_unanswered(runtime, SCOPE, now.timestamp())
    assert sent == ["mod1"]
    [reply] = fake.dms_to("mod1")
    assert reply.title == "3 questions waiting for an answer"
    assert len(reply.lines) == 3
    assert await alert_unanswered(runtime, SCOPE, now.timestamp() + 60) == []
    # four hours later the fourth question is late: one DM with only that one
    assert await alert_unanswered(runtime, SCOPE, now.timestamp() + 5 * 3600) == ["mod1"]
    assert fake.dms_to("mod1")[1].title == "1 question waiting for an answer"


def test_drift_needs_a_usual_level_and_a_real_drop() -> None:
    counts = {"steady": [2] * 10, "gone": [4] * 8 + [0, 1], "rare": [1, 0, 0, 1, 0, 0, 0, 0,
                                                                      0, 0],
              "dip": [4] * 8 + [1, 2]}
    found = alerts.drifting(counts, 0.3)
    assert [d.user for d in found] == ["gone"]
    assert found[0].recent_per_week == 0.5 and found[0].usual_per_week == 4


def test_bus_factor_alert_needs_enough_answers() -> None:
    def health(bus: int) -> Health:
        return Health(10, 10, 10, 0, 1, 1, 1, 1, None, 5, 0, 0, 0, 2, bus)

    answers = {"bob": 9}
    assert alerts.bus_factor_alert(health(1), answers, 2, 10) is None  # 9 answers only
    answers["carol"] = 1
    assert alerts.bus_factor_alert(health(1), answers, 2, 10) is not None
    assert alerts.bus_factor_alert(health(3), answers, 2, 10) is None
