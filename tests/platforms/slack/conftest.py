"""Fixtures for the Slack end-to-end tests: the fake Slack and a real bot talking to it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, user
from slack_helpers import ADMIN, ALICE, BOB, CAROL, DAVE, GENERAL, HELP, SECRET, StartBot

from bot.app import build_runtime
from bot.config import CommunitySettings, Settings, SlackSettings
from bot.platforms.slack_adapter import SlackAdapter
from bot.runtime import Runtime
from bot.store import Store


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    server.users.update({
        ALICE: user(ALICE, "Alice"), BOB: user(BOB, "Bob"), CAROL: user(CAROL, "Carol"),
        DAVE: user(DAVE, "Dave"), ADMIN: user(ADMIN, "Ada Admin", admin=True),
    })
    server.channels = [GENERAL, HELP]
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def start_bot(fake: FakeSlack, sqlite_store: Store) -> AsyncIterator[StartBot]:
    """Start a bot (Socket Mode by default) on the fake; ``await start_bot()`` again after
    ``stop_bot`` is a restart on the same database."""
    running: list[tuple[SlackAdapter, Runtime, asyncio.Task[None]]] = []

    async def start(mode: str = "socket", community: CommunitySettings | None = None,
                    store: Store | None = None, **slack: Any) -> SlackAdapter:
        settings = Settings(
            community=community or CommunitySettings(),
            slack=SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN,
                                signing_secret=SECRET, mode=mode, api_url=fake.api_url,
                                http_host="127.0.0.1", **slack))
        runtime = build_runtime(settings, store or sqlite_store)
        await runtime.engine.start()
        adapter = SlackAdapter(runtime, settings.slack)
        task = asyncio.create_task(adapter.start())
        running.append((adapter, runtime, task))
        ready = asyncio.create_task(adapter.ready.wait())
        done, _ = await asyncio.wait([ready, task], timeout=20,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises what start() raised
        assert ready in done, "the Slack adapter did not get ready"
        return adapter

    yield start
    for adapter, runtime, task in running:
        await stop_adapter(adapter, runtime, task)


async def stop_adapter(adapter: SlackAdapter, runtime: Runtime, task: asyncio.Task[None]
                       ) -> None:
    await adapter.stop()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, 5)
    await runtime.engine.stop()
