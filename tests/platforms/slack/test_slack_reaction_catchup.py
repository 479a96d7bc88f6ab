"""Catch-up recovers the acknowledging reactions added while the bot was down to answers it
had stored before (a thread reply that no new reply brings back), once: a further restart
adds nothing and does not read the acknowledged answer again. Real slack_sdk against the
fake; SQLite file and PostgreSQL."""

from __future__ import annotations

import time

from fake_slack import TEAM, FakeSlack
from slack_helpers import ALICE, BOB, CAROL, GENERAL, StartBot, msg, stamp, stop_bot
from sqlalchemy import select

from bot.scope import Scope
from bot.store import Store, schema

SCOPE = Scope("slack", TEAM)


async def acks(store: Store) -> list[tuple[str, str]]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(select(schema.acks.c.source, schema.acks.c.helper)
                                  .where(schema.in_scope(schema.acks, SCOPE)))
        return sorted((str(source), str(helper)) for source, helper in rows)


async def test_reaction_given_while_down_is_recovered_once(
        fake: FakeSlack, start_bot: StartBot, store: Store) -> None:
    now = time.time()
    question, answer = stamp(120, now), stamp(115, now)
    fake.messages[GENERAL] = [
        msg(ALICE, "How do I enable verbose logging for the sync worker?", question),
        msg(BOB, "Start it with --log-level debug, or set LOG_LEVEL=debug in the env file.",
            answer, thread_ts=question),
    ]
    answer_id = f"{GENERAL}:{answer}"
    first = await start_bot(store=store)
    await stop_bot(first)
    [row] = await store.answers_by_message(SCOPE, [answer_id])
    assert row.active and not row.acknowledged

    # while the bot is down the asker reacts to the reply (Carol too: no acknowledgement)
    fake.messages[GENERAL][1]["reactions"] = [
        {"name": "white_check_mark", "users": [ALICE, CAROL], "count": 2}]
    start = len(fake.calls)
    again = await start_bot(store=store)
    [row] = await store.answers_by_message(SCOPE, [answer_id])
    assert row.acknowledged
    assert await acks(store) == [(f"react:{answer_id}:{ALICE}:✅", BOB)]
    assert [c.params.get("timestamp") for c in fake.calls[start:]
            if c.method == "reactions.get"] == [answer]
    await stop_bot(again)

    start = len(fake.calls)
    await start_bot(store=store)
    assert len(await acks(store)) == 1
    assert not [c for c in fake.calls[start:] if c.method == "reactions.get"]
