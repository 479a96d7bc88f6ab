"""The issue's Discord scenario: a busy channel played through the real discord.py client
against the fake Discord: questions, plain answers a few minutes later, replies, and a
member who only ever chats. ``/circle helpers`` must not list the chatty member. On a
SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fake_discord import FakeDiscord
from test_discord_e2e import followup

from bot.events import Message
from bot.store import Store
from tests.busy_channel import ASKERS, CHATTERS, CHATTY, HELPERS, generate


async def test_a_member_who_only_chats_is_not_a_helper(fake: FakeDiscord, start_bot: Any,
                                                      store: Store) -> None:
    users = {name: fake.add_user(name) for name in (*ASKERS, *HELPERS, *CHATTERS, CHATTY)}
    general = fake.add_channel("general")
    bot = await start_bot(store=store)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday() + 7)
    busy = generate(seed=11, weeks=1, start=monday + timedelta(hours=8))
    ids: dict[str, int] = {}
    sent = 0
    for event in busy.events:
        if not isinstance(event, Message):
            continue
        parent = event.reply_to or event.thread  # Discord: a thread answer becomes a reply
        payload = fake.message(general, users[event.author], event.text, when=event.ts,
                               reply_to=ids[parent] if parent else None)
        ids[event.id] = int(payload["id"])
        await fake.dispatch("MESSAGE_CREATE", payload)
        sent += 1
    await bot.settle(sent)

    start = len(fake.requests)
    ask = fake.command(users[ASKERS[0]], general, "helpers")
    await fake.dispatch("INTERACTION_CREATE", ask)
    [embed] = (await followup(fake, ask, start)).embeds
    assert "1. <@" in embed["description"], "the real helpers are ranked"
    assert f"<@{users[CHATTY].id}>" not in embed["description"]
    assert not any(f"<@{users[name].id}>" in embed["description"] for name in CHATTERS)
