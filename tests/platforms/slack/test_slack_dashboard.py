"""``/circle dashboard`` on Slack (Socket Mode, the real slack-bolt app against the fake
Slack): staff only, an ephemeral reply, a link that opens the workspace's dashboard."""

from __future__ import annotations

import json
import re

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from fake_slack import TEAM, FakeSlack
from slack_helpers import ADMIN, ALICE, StartBot
from test_slack_socket_mode import command

from bot.dashboard.app import make_app


async def test_staff_get_an_ephemeral_link_for_their_workspace(fake: FakeSlack,
                                                              start_bot: StartBot) -> None:
    adapter = await start_bot()
    refused = await command(fake, ALICE, "dashboard", key="member")
    assert "staff only" in json.dumps(refused.params)
    assert "key=" not in json.dumps(refused.params)

    reply = await command(fake, ADMIN, "dashboard", key="admin")
    assert reply.params["response_type"] == "ephemeral"
    found = re.search(r"http://127\.0\.0\.1:8080(/c/slack/[^/]+/\?key=[\w.-]+)",
                      json.dumps(reply.params))
    assert found, reply.params
    assert found.group(1).startswith(f"/c/slack/{TEAM}/")

    server = TestServer(await make_app(adapter.runtime.store, adapter.runtime.settings),
                        host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            async with session.get(str(server.make_url(found.group(1)))) as response:
                assert response.status == 200
                assert "Overview" in await response.text()
            other = found.group(1).replace(f"/c/slack/{TEAM}/", "/c/slack/TOTHER/")
            async with session.get(str(server.make_url(other))) as response:
                assert response.status == 403
    finally:
        await server.close()
