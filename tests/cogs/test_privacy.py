"""``/circle privacy optout|optin|export|forget``, each doing exactly what DESIGN.md says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot import reports
from bot.events import Event, Reaction
from bot.features import Invoker
from bot.identity import anon_id, user_hash
from bot.period import Period
from bot.runtime import Runtime
from bot.store import Store
from bot.store.schema import metadata
from bot.weekly.run import run_week
from tests.fake_platform import FakePlatform
from tests.weekly.helpers import SCOPE, joins, make_runtime, qa

T0 = datetime(2024, 3, 25, 8, tzinfo=UTC)
SPAN = Period(T0 - timedelta(days=1), T0 + timedelta(days=6))
BOB = Invoker("u-bob", "Bob")


def history() -> list[Event]:
    events = list(joins(T0 - timedelta(days=40), "u-alice", "u-bob", "u-carol", "u-dave"))
    events += qa(T0, "u-alice", "u-bob", thanks=True)  # bob helps alice, thanked
    events += qa(T0 + timedelta(hours=1), "u-bob", "u-carol")  # carol helps bob
    events += qa(T0 + timedelta(hours=2), "u-dave", "u-bob")
    events += qa(T0 + timedelta(hours=3), "u-bob", None, text="Is the bob-free API stable?")
    answer = next(e for e in events if getattr(e, "author", "") == "u-bob"
                  and getattr(e, "reply_to", None))
    events.append(Reaction(community=SCOPE.community, platform=SCOPE.platform,
                           ts=T0 + timedelta(hours=4), channel="c1",
                           message=answer.id, user="u-alice", emoji="👍"))  # type: ignore[attr-defined]
    return sorted(events, key=lambda e: e.ts)


async def rows_mentioning(store: Store, needle: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table with a value containing ``needle`` (case-insensitive)."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                values = dict(row._mapping)
                if any(needle.lower() in str(v).lower() for v in values.values()):
                    found.setdefault(table.name, []).append(values)
    return found


async def figures(runtime: Runtime) -> tuple[dict[str, Any], list[tuple[float, int, int]]]:
    settings = await runtime.community_settings(SCOPE)
    health = (await reports.health(runtime.store, SCOPE, SPAN, settings)).to_json()
    ranked = await reports.helpers(runtime.store, SCOPE, SPAN, settings)
    return health, sorted((e.advocate.score, e.advocate.answers, e.advocate.thanked)
                          for e in ranked)


async def setup(store: Store, fake: FakePlatform, **settings: Any) -> Runtime:
    runtime = make_runtime(store, fake, **settings)
    runtime.history = history()  # type: ignore[attr-defined]  # the same events, to replay
    await runtime.engine.ingest(runtime.history)  # type: ignore[attr-defined]
    return runtime


async def test_optout_rekeys_every_table_and_keeps_figures(store: Store,
                                                           fake: FakePlatform) -> None:
    runtime = await setup(store, fake, staff_users=["mod1"])
    before = await figures(runtime)
    assert await rows_mentioning(store, "bob") != {}
    reply = await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "optout"})
    assert reply.title == "You have opted out"
    # only the excerpt of his question, keyed by message, mentions "bob" in its text
    left = await rows_mentioning(store, "bob")
    assert set(left) == {"excerpts"}
    assert left["excerpts"][0]["text"] == "Is the bob-free API stable?"
    assert await figures(runtime) == before  # the community's figures stay right
    anon = anon_id(user_hash(store.secret, SCOPE, "u-bob"))
    assert (await store.privacy_states(SCOPE))[user_hash(store.secret, SCOPE, "u-bob")][0] \
        == "opted_out"
    # future events are re-keyed by the engine too
    await runtime.engine.ingest(qa(T0 + timedelta(days=1), "u-carol", "u-bob"))
    assert set(await rows_mentioning(store, "u-bob")) == set()
    answers = await store.answer_facts(SCOPE, SPAN.start, SPAN.end)
    assert sum(1 for x in answers if x.answerer == anon) == 3
    # helpers listing and the weekly post name nobody who opted out
    helpers = await runtime.run_command(fake, SCOPE, Invoker("u-carol"), "helpers",
                                        {"public": "true"})
    assert "anon-" not in helpers.plain_text() and "u-bob" not in helpers.plain_text()


async def test_optout_member_not_named_in_weekly_post(store: Store, fake: FakePlatform) -> None:
    runtime = await setup(store, fake)
    await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "optout"})
    await run_week(runtime, SCOPE, "p1", datetime(2024, 4, 1, 9, tzinfo=UTC).timestamp())
    text = fake.posts[0][2].plain_text()
    assert "<@u-carol>" in text  # carol is thanked …
    assert "bob>" not in text and "anon-" not in text  # … bob is not named


async def test_optin_names_again_from_now_on(store: Store, fake: FakePlatform) -> None:
    runtime = await setup(store, fake)
    await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "optout"})
    reply = await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "optin"})
    assert reply.title == "You have opted in"
    assert await store.privacy_states(SCOPE) == {}
    await runtime.engine.ingest(qa(T0 + timedelta(days=1), "u-carol", "u-bob"))
    answers = await store.answer_facts(SCOPE, SPAN.start, SPAN.end)
    assert [x.question_ts for x in answers if x.answerer == "u-bob"] == [
        (T0 + timedelta(days=1)).timestamp()]  # only the new one: the past stays anonymous
    again = await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "optin"})
    assert again.title == "Nothing to change"


async def test_export_sends_only_own_data_by_dm(store: Store, fake: FakePlatform) -> None:
    runtime = await setup(store, fake)
    reply = await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "export"})
    assert reply.title == "Export sent"
    [dm] = fake.dms_to("u-bob")
    assert dm.file is not None
    name, body = dm.file
    assert name == "innercircle-export-fake-guild1.json"
    data = json.loads(body)
    assert data["user"] == "u-bob" and data["member"][0]["name"] == "U-Bob"
    assert len(data["answers_given"]) == 2 and len(data["answers_received"]) == 1
    assert len(data["thanks_received"]) == 2  # alice's thank-you and her 👍
    texts = sorted(q["text"] for q in data["question_excerpts"])
    assert len(texts) == 2 and texts[1] == "Is the bob-free API stable?"
    for other in ("alice", "carol", "dave"):
        assert other not in body.decode().lower()
    fake.refuse_dms.add("u-bob")
    refused = await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "export"})
    assert refused.title == "Export not sent" and refused.tone == "error"


async def test_forget_needs_the_members_own_confirmation(store: Store,
                                                         fake: FakePlatform) -> None:
    runtime = await setup(store, fake)
    ask = await runtime.run_command(fake, SCOPE, BOB, "privacy", {"action": "forget"})
    assert [b.action for b in ask.buttons] == ["privacy:forget:u-bob"]
    assert await rows_mentioning(store, "u-bob") != {}  # nothing deleted yet
    other = await runtime.press_button(fake, SCOPE, Invoker("mod1", is_staff=True),
                                       "privacy:forget:u-bob")
    assert other.tone == "error"
    assert await rows_mentioning(store, "u-bob") != {}


async def test_forget_deletes_every_fact_and_replay_does_not_restore(
        store: Store, fake: FakePlatform) -> None:
    runtime = await setup(store, fake, moderators=["mod1", "u-bob"],
                          staff_users=["mod1", "u-bob"])
    await runtime.run_command(fake, SCOPE, Invoker("mod1"), "config",
                              {"key": "moderators", "value": "mod1 u-bob"})
    await store.add_nomination(SCOPE, "u-bob", source="manual", at=T0.timestamp(),
                               reason="great", by="mod1")
    health_before, _ = await figures(runtime)
    reply = await runtime.press_button(fake, SCOPE, BOB, "privacy:forget:u-bob")
    assert reply.title == "You have been forgotten", reply.plain_text()

    assert await rows_mentioning(store, "bob") == {}  # no table holds his id, name or text
    hashed = user_hash(store.secret, SCOPE, "u-bob")
    assert (await store.privacy_states(SCOPE))[hashed][0] == "forgotten"
    assert (await runtime.community_settings(SCOPE)).moderators == ["mod1"]
    health, ranked = await figures(runtime)
    # his two questions stay counted (anonymously); his answers are gone
    assert health["questions"] == health_before["questions"] == 4
    assert health["peer_answered"] == 1  # only carol's answer to him remains
    answers = await store.answer_facts(SCOPE, SPAN.start, SPAN.end)
    assert [(x.answerer, x.asker) for x in answers] == [("u-carol", anon_id(hashed))]
    assert ranked == [(1.0, 1, 0)]

    # replaying the same events (a catch-up, an import) does not bring him back
    same = runtime.history  # type: ignore[attr-defined]
    runtime.engine.forget_state(SCOPE)
    stats = await runtime.engine.ingest(same)
    assert stats.messages == 0 and stats.answers == 0
    fresh = make_runtime(store, FakePlatform())  # a restarted bot catching up
    await fresh.engine.ingest(same, catchup=True)
    assert await rows_mentioning(store, "bob") == {}
    assert await figures(runtime) == (health, ranked)
