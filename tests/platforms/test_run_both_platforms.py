"""``innercircle run`` with Discord and Slack both configured: one process, one database, the
real discord.py and slack-bolt clients against the local fakes, and a clean shutdown that
writes everything received."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE / "discord"), str(HERE / "slack")]

from fake_discord import TOKEN, FakeDiscord  # noqa: E402
from fake_slack import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack, user  # noqa: E402
from slack_helpers import ALICE, BOB, GENERAL, event_body, msg, stamp  # noqa: E402

from bot import reports  # noqa: E402
from bot.commands.run import run_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.period import period_from  # noqa: E402
from bot.scope import Scope  # noqa: E402
from bot.store import Store  # noqa: E402


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDiscord, FakeSlack]]:
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    on_discord, on_slack = FakeDiscord(), FakeSlack()
    on_slack.users.update({ALICE: user(ALICE, "Alice"), BOB: user(BOB, "Bob")})
    on_slack.channels = [GENERAL]
    await on_discord.start()
    await on_slack.start()
    try:
        yield on_discord, on_slack
    finally:
        await on_slack.stop()
        await on_discord.stop()
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


async def wait_for_questions(store: Store, scope: Scope, count: int) -> None:
    """Poll the shared database until ``count`` questions of ``scope`` are stored."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if scope in await store.communities():
            health = await reports.health(store, scope, period_from(None, None, days=1),
                                          Settings().community)
            if health.questions >= count:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{scope}: {count} question(s) never reached the database")


async def test_discord_and_slack_run_together(fakes: tuple[FakeDiscord, FakeSlack],
                                              tmp_path: Path) -> None:
    on_discord, on_slack = fakes
    ann = on_discord.add_user("ann")
    general = on_discord.add_channel("general")
    settings = Settings.model_validate({
        "engine": {"flush_interval_s": 0.05},
        "discord": {"token": TOKEN, "api_base": on_discord.api_base,
                    "gateway_url": on_discord.gateway_url},
        "slack": {"bot_token": BOT_TOKEN, "app_token": APP_TOKEN,
                  "api_url": on_slack.api_url},
    })
    url = str(tmp_path / "both.sqlite")
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, url, stop=stop))
    try:
        await on_discord.wait_request("PUT", r"/applications/\d+/guilds/\d+/commands")
        await on_slack.wait_for("apps.connections.open")
        await on_slack.wait_for("users.conversations")

        await on_discord.dispatch("MESSAGE_CREATE", on_discord.message(
            general, ann, "How do I export my data?"))
        envelope = await on_slack.send_envelope("events_api", event_body(
            msg(ALICE, "Is there a dark mode?", stamp(0), channel=GENERAL,
                channel_type="channel")))
        await on_slack.wait_ack(envelope)

        watcher = await Store.open(url)
        try:
            await wait_for_questions(watcher, Scope("discord", str(on_discord.guild_id)), 1)
            await wait_for_questions(watcher, Scope("slack", TEAM), 1)
        finally:
            await watcher.close()
    finally:
        stop.set()
        await asyncio.wait_for(bot, 20)
    assert bot.exception() is None
