"""Fixtures for the Discord tests: a fake Discord, and the real bot connected to it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import pytest
from fake_discord import TOKEN, FakeDiscord

from bot.app import build_runtime
from bot.config import DiscordSettings, EngineSettings, Settings
from bot.platforms.discord_adapter import DiscordAdapter
from bot.runtime import Runtime
from bot.store import Store


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1; discord.py's endpoints are restored afterwards."""
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


class Bot:
    """The real bot against the fake: its runtime, adapter and the task running it."""

    def __init__(self, runtime: Runtime, adapter: DiscordAdapter, task: asyncio.Task[None]
                 ) -> None:
        self.runtime = runtime
        self.adapter = adapter
        self.task = task
        self.seen = adapter.inbox.handled

    async def settle(self, events: int) -> None:
        """Wait until ``events`` more gateway events are handled, then write them."""
        self.seen += events
        seen = self.seen
        await self.adapter.inbox.wait_until(lambda: self.adapter.inbox.handled >= seen)
        await self.runtime.engine.flush()

    async def stop(self) -> None:
        await self.adapter.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)
        await self.runtime.engine.flush()


BotFactory = Callable[..., Any]


@pytest.fixture
async def start_bot(fake: FakeDiscord, sqlite_store: Store) -> AsyncIterator[BotFactory]:
    """Start the bot (``await start_bot(**community_settings)``); stopped at the end."""
    started: list[Bot] = []

    async def start(store: Store = sqlite_store, setup: Callable[[Runtime], None] | None = None,
                    **community: Any) -> Bot:
        settings = Settings.model_validate({
            "community": {"staff_roles": ["moderator"], **community},
            "engine": EngineSettings(flush_interval_s=0.05).model_dump(),
            "discord": DiscordSettings(token=TOKEN, api_base=fake.api_base,
                                       gateway_url=fake.gateway_url).model_dump()})
        runtime = build_runtime(settings, store)
        if setup is not None:
            setup(runtime)
        # The engine's background writer is not started: ``settle`` writes explicitly, so a
        # test reads the store only after everything it sent is in.
        adapter = DiscordAdapter(runtime, settings.discord, guild_ready_timeout=0.1)
        task = asyncio.create_task(adapter.start())
        started.append(bot := Bot(runtime, adapter, task))
        await adapter.inbox.wait_until(lambda: fake.guild_id in adapter.caught_up, timeout=15)
        await runtime.engine.flush()
        bot.seen = adapter.inbox.handled
        return bot

    yield start
    for bot in started:
        if not bot.task.done():
            await bot.stop()
