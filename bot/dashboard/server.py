"""Serving the dashboard: on its own (``innercircle dashboard serve``) or inside the bot's
event loop (``[dashboard] enabled = true`` in ``innercircle run``); and making links."""

from __future__ import annotations

import time
from urllib.parse import quote

from aiohttp import web

from bot.config import DashboardSettings, Settings
from bot.dashboard import access
from bot.dashboard.app import make_app
from bot.scope import Scope
from bot.store import Store


async def start(store: Store, settings: Settings, host: str | None = None,
                port: int | None = None) -> web.AppRunner:
    """Listen on ``host:port`` (default: ``[dashboard]``); stop with ``runner.cleanup()``."""
    runner = web.AppRunner(await make_app(store, settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.dashboard.host if host is None else host,
                       settings.dashboard.port if port is None else port)
    await site.start()
    return runner


def link(key: bytes, settings: DashboardSettings, scope: Scope, ttl_s: float | None = None,
         now: float | None = None, base: str | None = None) -> str:
    """A signed link to ``scope``'s overview that works for ``ttl_s`` seconds."""
    now = time.time() if now is None else now
    ttl_s = settings.link_ttl_minutes * 60 if ttl_s is None else ttl_s
    token = access.sign(key, "link", scope, now + ttl_s)
    root = (base or settings.base_url()).rstrip("/")
    return (f"{root}/c/{quote(scope.platform, safe='')}/{quote(scope.community, safe='')}/"
            f"?key={token}")
