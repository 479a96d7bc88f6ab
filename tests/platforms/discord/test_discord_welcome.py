"""Joining a server: the set-up message goes to the system channel, or to the owner by DM
when the bot cannot post there; the first catch-up's progress shows in /circle status."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
from fake_discord import TOKEN, FakeDiscord

from bot.app import build_runtime
from bot.config import DiscordSettings, Settings
from bot.platforms.discord_adapter import DiscordAdapter
from bot.platforms.discord_events import scope_of
from bot.store import Store


@pytest.fixture
async def joining(fake: FakeDiscord, sqlite_store: Store) -> AsyncIterator[DiscordAdapter]:
    """The bot connected to Discord before it is in the fake's server."""
    fake.in_guild_at_start = False
    fake.add_user("olga")  # the owner
    settings = Settings.model_validate({"discord": DiscordSettings(
        token=TOKEN, api_base=fake.api_base, gateway_url=fake.gateway_url).model_dump()})
    runtime = build_runtime(settings, sqlite_store)
    adapter = DiscordAdapter(runtime, settings.discord, guild_ready_timeout=0.1)
    task = asyncio.create_task(adapter.start())
    await asyncio.wait_for(fake.identified.wait(), 10)
    await asyncio.wait_for(adapter.client.wait_until_ready(), 10)
    try:
        yield adapter
    finally:
        await adapter.stop()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 10)


def welcome_of(body: dict) -> dict:  # type: ignore[type-arg]
    [embed] = body["embeds"]
    assert embed["title"] == "Hello! Innercircle has joined"
    text = embed["description"] + " ".join(f["value"] for f in embed.get("fields", [])) + \
        embed.get("footer", {}).get("text", "")
    assert "/circle help" in text and "innercircle check" in text
    assert "Privacy:" in text and "/circle privacy" in text
    return embed


async def test_the_set_up_message_goes_to_the_system_channel(
        fake: FakeDiscord, joining: DiscordAdapter) -> None:
    general = fake.add_channel("general")
    fake.system_channel = general
    await fake.join_guild()
    sent = await fake.wait_request("POST", rf"/channels/{general}/messages")
    welcome_of(sent.body)
    assert not fake.find("POST", r"/users/@me/channels")  # no DM needed
    await joining.inbox.wait_until(lambda: fake.guild_id in joining.caught_up, timeout=15)


async def test_the_owner_gets_it_when_the_bot_cannot_post_there(
        fake: FakeDiscord, joining: DiscordAdapter) -> None:
    owner = next(u for u in fake.users.values() if not u.bot)
    general = fake.add_channel("general")
    fake.channels[general]["permission_overwrites"].append(
        {"id": str(fake.role_bot), "type": 0, "allow": "0",
         "deny": str(discord.Permissions(send_messages=True).value)})
    fake.system_channel = general
    await fake.join_guild()
    opened = await fake.wait_request("POST", r"/users/@me/channels")
    assert int(opened.body["recipient_id"]) == owner.id
    dm = await fake.wait_request("POST", r"/channels/\d+/messages")
    assert int(dm.path.split("/")[2]) != general
    welcome_of(dm.body)
    await joining.inbox.wait_until(lambda: fake.guild_id in joining.caught_up, timeout=15)


async def test_first_catch_up_progress_in_status(fake: FakeDiscord, joining: DiscordAdapter
                                                 ) -> None:
    general = fake.add_channel("general")
    olga = next(u for u in fake.users.values() if not u.bot)
    for n in range(3):
        fake.message(general, olga, f"hello {n}")
    fake.add_channel("help")
    await fake.join_guild()
    await joining.inbox.wait_until(lambda: fake.guild_id in joining.caught_up, timeout=15)
    lines = await joining.describe_status(scope_of(fake.guild_id))
    assert "Catch-up: caught up on 2 channels and threads: 3 messages." in lines
