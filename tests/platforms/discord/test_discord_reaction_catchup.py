"""Catch-up recovers the acknowledging reactions added while the bot was down to answers it
had stored before (older than every cursor), once: a second restart adds nothing and does
not read the acknowledged answer again. Real discord.py against the fake; SQLite file and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fake_discord import FakeDiscord
from sqlalchemy import select

from bot.scope import Scope
from bot.store import Store, schema


async def acks(store: Store, scope: Scope) -> list[tuple[str, str]]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(select(schema.acks.c.source, schema.acks.c.helper)
                                  .where(schema.in_scope(schema.acks, scope)))
        return sorted((str(source), str(helper)) for source, helper in rows)


async def test_reaction_given_while_down_is_recovered_once(
        fake: FakeDiscord, start_bot: Any, store: Store) -> None:
    alice, bob, carol = fake.add_user("alice"), fake.add_user("bob"), fake.add_user("carol")
    general = fake.add_channel("general")
    scope = Scope("discord", str(fake.guild_id))
    bot = await start_bot(store=store)
    at = datetime.now(UTC) - timedelta(hours=2)
    question = fake.message(general, alice, "How do I rotate the webhook signing secret?",
                            when=at)
    answer = fake.message(general, bob, "Settings → Webhooks → Rotate secret, then update "
                          "WEBHOOK_SECRET in your .env", when=at + timedelta(minutes=3),
                          reply_to=int(question["id"]))
    later = fake.message(general, carol, "the deploy finished, all green",
                         when=at + timedelta(minutes=30))
    for message in (question, answer, later):
        await fake.dispatch("MESSAGE_CREATE", message)
    await bot.settle(3)
    await bot.stop()
    [row] = await store.answers_by_message(scope, [answer["id"]])
    assert row.active and not row.acknowledged

    # while the bot is down, the asker thanks the answer with a reaction (and someone
    # else reacts too, which acknowledges nothing); no message is posted after the cursor
    fake.react(answer, alice, "✅")
    fake.react(answer, carol, "✅")
    again = await start_bot(store=store)
    [row] = await store.answers_by_message(scope, [answer["id"]])
    assert row.acknowledged
    assert await acks(store, scope) == [(f"react:{answer['id']}:{alice.id}:✅", str(bob.id))]
    read_back = fake.find("GET", rf"/channels/{general}/messages/{answer['id']}")
    assert len(read_back) == 1
    await again.stop()

    # a further restart neither counts it again nor reads the acknowledged answer again
    await start_bot(store=store)
    assert len(await acks(store, scope)) == 1
    assert len(fake.find("GET", rf"/channels/{general}/messages/{answer['id']}")) == 1
