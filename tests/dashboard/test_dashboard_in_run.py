"""``[dashboard] enabled = true``: ``innercircle run`` serves the dashboard in the same
process and event loop as the bot (here with Slack in Socket Mode, against the fake)."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

from aiohttp import ClientSession, CookieJar

HERE = Path(__file__).parents[1] / "platforms"
sys.path[:0] = [str(HERE / "slack")]

from fake_slack import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack  # noqa: E402

from bot.commands.run import run_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.dashboard import server  # noqa: E402
from bot.scope import Scope  # noqa: E402
from bot.store import Store  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_serves_the_dashboard_beside_the_bot(tmp_path: Path) -> None:
    fake = FakeSlack()
    fake.channels = []
    await fake.start()
    port = free_port()
    settings = Settings.model_validate({
        "slack": {"bot_token": BOT_TOKEN, "app_token": APP_TOKEN, "api_url": fake.api_url},
        "dashboard": {"enabled": True, "host": "127.0.0.1", "port": port}})
    url = str(tmp_path / "run.sqlite")
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, url, stop=stop))
    try:
        await fake.wait_for("apps.connections.open")
        base = f"http://127.0.0.1:{port}"
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            async with session.get(base + "/") as response:
                assert response.status == 401
            store = await Store.open(url)
            try:
                link = server.link(await store.dashboard_key(), settings.dashboard,
                                   Scope("slack", TEAM))
            finally:
                await store.close()
            assert link.startswith(base + "/c/slack/")
            async with session.get(link) as response:
                assert response.status == 200
                assert "Overview" in await response.text()
    finally:
        stop.set()
        await asyncio.wait_for(bot, 20)
        await fake.stop()
    with socket.socket() as s:  # the port was given back at shutdown
        s.bind(("127.0.0.1", port))
