"""``/circle dashboard`` on Discord, and channel names reaching the store: the real
discord.py client against the fake Discord; the link opened on the real dashboard."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from fake_discord import FakeDiscord
from test_discord_e2e import Cast, followup, scope_of

from bot.dashboard.app import make_app


@pytest.fixture
def cast(fake: FakeDiscord) -> Cast:
    return Cast(fake)


async def test_staff_get_a_private_link_that_opens_their_community(
        fake: FakeDiscord, cast: Cast, start_bot: Any) -> None:
    bot = await start_bot()
    scope = scope_of(fake)
    c = cast
    await fake.dispatch("MESSAGE_CREATE", fake.message(c.general, c.alice,
                                                       "Where do I find the release notes?"))
    await bot.settle(1)
    assert await bot.runtime.store.channel_names(scope) == {str(c.general): "general"}

    start = len(fake.requests)
    ask = fake.command(c.erin, c.general, "dashboard")
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    assert "staff only" in sent.embeds[0]["description"]
    assert "key=" not in json.dumps(sent.body)

    start = len(fake.requests)
    ask = fake.command(c.mod, c.general, "dashboard")
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    callback = fake.find("POST", rf"/interactions/{ask['id']}/.*")[0]
    assert callback.body["data"]["flags"] & 64, "the link is private"
    found = re.search(r"http://127\.0\.0\.1:8080(/c/discord/\d+/\?key=[\w.-]+)",
                      json.dumps(sent.body))
    assert found, sent.body
    assert f"/c/discord/{scope.community}/" in found.group(1)

    server = TestServer(await make_app(bot.runtime.store, bot.runtime.settings),
                        host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            async with session.get(str(server.make_url(found.group(1)))) as response:
                assert response.status == 200
                page = await response.text()
            async with session.get(str(server.make_url(
                    f"/c/discord/{scope.community}/channels"))) as response:
                assert "#general" in await response.text()
        assert "Overview" in page
    finally:
        await server.close()
