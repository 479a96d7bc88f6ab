"""Who may open the dashboard: signed links, session cookies, and what a page never shows
(opted-out members). Real HTTP against the real application, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.dashboard import access, server
from bot.dashboard.app import make_app
from bot.identity import anon_id, user_hash
from bot.store import Store
from tests.dashboard.community import DISCORD, Known, build, utc_now


@dataclass
class Served:
    base: str
    key: bytes
    settings: Settings
    known: Known
    store: Store
    clock: list[float]

    def link(self, ttl: float = 3600, scope: Any = DISCORD) -> str:
        return server.link(self.key, self.settings.dashboard, scope, ttl, now=self.clock[0],
                           base=self.base)

    def page(self, path: str = "") -> str:
        return f"{self.base}/c/{DISCORD.platform}/{DISCORD.community}/{path}"


@pytest.fixture
async def served(store: Store) -> AsyncIterator[Served]:
    now = utc_now()
    known = await build(store, now, demo=False)
    settings = Settings()
    clock = [now.timestamp()]
    app = await make_app(store, settings, clock=lambda: clock[0])
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    try:
        yield Served(str(test_server.make_url("")).rstrip("/"), await store.dashboard_key(),
                     settings, known, store, clock)
    finally:
        await test_server.close()


def _session(**kwargs: Any) -> ClientSession:
    """A browser-like client: keeps cookies, even for 127.0.0.1."""
    return ClientSession(cookie_jar=CookieJar(unsafe=True), **kwargs)


async def _open(session: ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as response:
        return response.status, await response.text()


async def test_without_a_link_the_dashboard_answers_401_and_says_nothing(served: Served
                                                                         ) -> None:
    async with _session() as session:
        for url in (served.page(), served.page("advocates"), served.base + "/"):
            status, body = await _open(session, url)
            assert status == 401
            assert "ada" not in body and "help" not in body.split("circle dashboard")[0]


async def test_a_link_opens_a_session_cookie_for_its_community(served: Served) -> None:
    async with _session() as session:
        async with session.get(served.link(), allow_redirects=False) as response:
            assert response.status == 303
            assert "key=" not in response.headers["Location"]
            cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http here; see the https test
        status, body = await _open(session, served.page())
        assert status == 200 and "Overview" in body
        status, body = await _open(session, served.page("advocates"))
        assert status == 200 and ">ada</a>" in body


@pytest.mark.parametrize("how", ["tampered", "expired", "other community", "session as link"])
async def test_a_bad_link_is_refused_with_403_and_nothing_leaks(served: Served, how: str
                                                                ) -> None:
    url = served.link()
    if how == "tampered":
        _payload, mac = url.rsplit("key=", 1)[1].split(".")
        url = url.replace(mac, ("A" if mac[0] != "A" else "B") + mac[1:])
    elif how == "expired":
        url = served.link(ttl=60)
        served.clock[0] += 61
    elif how == "other community":
        url = served.link().replace(f"/c/discord/{DISCORD.community}/", "/c/demo/demo/")
    else:
        token = access.sign(served.key, "session", DISCORD, served.clock[0] + 60)
        url = served.page() + f"?key={token}"
    async with _session() as session:
        status, body = await _open(session, url)
        assert status == 403
        assert "ada" not in body and "Overview" not in body
        assert not session.cookie_jar.filter_cookies(served.base)  # no session was made
        status, _ = await _open(session, served.page())
        assert status == 401


async def test_a_session_for_one_community_does_not_open_another(served: Served) -> None:
    async with _session() as session:
        status, _ = await _open(session, served.link())
        assert status == 200
        status, body = await _open(session, f"{served.base}/c/demo/demo/")
        assert status == 403 and "Overview" not in body


async def test_a_forged_or_expired_session_cookie_is_refused(served: Served) -> None:
    forged = access.sign(b"another key" * 3, "session", DISCORD, served.clock[0] + 3600)
    async with _session(cookies={access.COOKIE: forged}) as session:
        status, _ = await _open(session, served.page())
        assert status == 403
    async with _session() as session:
        await _open(session, served.link())
        served.clock[0] += served.settings.dashboard.session_hours * 3600 + 1
        status, _ = await _open(session, served.page())
        assert status == 403


async def test_the_cookie_is_secure_behind_https(store: Store) -> None:
    settings = Settings.model_validate({"dashboard": {"public_url": "https://circle.example"}})
    await build(store, utc_now(), demo=False)
    app = await make_app(store, settings)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    try:
        link = server.link(await store.dashboard_key(), settings.dashboard, DISCORD)
        assert link.startswith("https://circle.example/c/discord/4242/?key=")
        local = str(test_server.make_url("")).rstrip("/") + link.removeprefix(
            "https://circle.example")
        async with _session() as session, session.get(local, allow_redirects=False
                                                            ) as response:
            assert response.status == 303
            assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await test_server.close()


async def test_opted_out_members_never_appear_and_departed_ones_do(served: Served) -> None:
    known = served.known
    anon = anon_id(user_hash(served.store.secret, DISCORD, known.opted_out))
    async with _session() as session:
        await _open(session, served.link())
        status, board = await _open(session, served.page("advocates"))
        assert status == 200
        assert "gone (left)" in board
        assert anon not in board and ">opt<" not in board
        async with session.get(served.page("advocates?csv=advocates")) as response:
            csv_text = await response.text()
        assert anon not in csv_text and "\nopt," not in csv_text
        assert "gone (left)" in csv_text
        for user in (anon, known.opted_out):
            status, body = await _open(session, served.page(f"member/{user}"))
            assert status == 404 and anon not in body
        status, _ = await _open(session, served.page("member/carl"))
        assert status == 200  # carl was helped by the member who opted out
        status, helper = await _open(session, served.page("member/ada"))
        assert status == 200 and anon not in helper


async def test_csv_neutralises_formula_looking_names(served: Served) -> None:
    async with _session() as session:
        await _open(session, served.link())
        async with session.get(served.page("advocates?csv=advocates")) as response:
            assert response.status == 200
            assert response.content_type == "text/csv"
            text = await response.text()
    assert re.search(r"^\d+,'=evil,", text, re.M), text
    assert not re.search(r"^\d+,=evil", text, re.M)


async def test_a_page_number_that_is_no_page_is_a_bad_request(served: Served) -> None:
    async with _session() as session:
        await _open(session, served.link())
        for bad in ("0", "-1", "two"):
            status, _ = await _open(session, served.page(f"advocates?page={bad}"))
            assert status == 400, bad
        status, body = await _open(session, served.page("advocates?page=9"))
        assert status == 200 and "ada" in body  # past the last page: the last
