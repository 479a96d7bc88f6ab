"""``innercircle dashboard serve|link``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot import reports
from bot.config import Settings
from bot.dashboard import server
from bot.store import Store

log = logging.getLogger(__name__)


async def serve(settings: Settings, url: str, host: str, port: int,
                stop: asyncio.Event | None = None) -> None:
    """Serve until SIGINT/SIGTERM (or ``stop``)."""
    store = await Store.open(url)
    runner = await server.start(store, settings, host, port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"Dashboard on http://{host}:{port}/ (links: innercircle dashboard link)",
          flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await store.close()


async def make_link(settings: Settings, url: str, community: str | None, ttl_s: float) -> str:
    """A signed link for one community (the only one stored, or ``community``)."""
    store = await Store.open(url)
    try:
        scope = await reports.resolve_scope(store, community)
        return server.link(await store.dashboard_key(), settings.dashboard, scope, ttl_s)
    finally:
        await store.close()


def parse_ttl(value: str) -> float:
    """``90s``, ``30m``, ``1h``, ``2d`` (or plain seconds) -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = value.strip().lower()
    try:
        seconds = float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)
    except (ValueError, IndexError):
        raise ValueError(f"--ttl: not a duration: {value!r} (say 30m, 1h or 2d)") from None
    if not 0 < seconds <= 30 * 86400:
        raise ValueError("--ttl: between 1 second and 30 days")
    return seconds
