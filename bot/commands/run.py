"""``innercircle run``: the bot on Discord and/or Slack in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any, Protocol

from bot.app import build_runtime
from bot.config import ConfigError, Settings
from bot.runtime import Runtime
from bot.store import Store

log = logging.getLogger(__name__)


class Adapter(Protocol):
    """A platform connection: started once, stopped on shutdown."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def adapters_for(runtime: Runtime) -> list[Adapter]:
    """The platform connections the settings ask for."""
    settings = runtime.settings
    found: list[Adapter] = []
    if settings.discord.token:
        from bot.platforms.discord_adapter import DiscordAdapter

        found.append(DiscordAdapter(runtime, settings.discord))
    if settings.slack.bot_token:
        from bot.platforms.slack_adapter import SlackAdapter

        found.append(SlackAdapter(runtime, settings.slack))
    return found


async def start_dashboard(store: Store, settings: Settings) -> Any:
    """The web dashboard on the bot's event loop, when ``[dashboard] enabled``. A port that
    cannot be had is logged; the bot runs on without its dashboard."""
    if not settings.dashboard.enabled:
        return None
    from bot.dashboard import server

    where = f"{settings.dashboard.host}:{settings.dashboard.port}"
    try:
        runner = await server.start(store, settings)
    except OSError as error:
        log.error("the dashboard cannot listen on %s (%s): the bot runs without it; change "
                  "[dashboard] host/port", where, error.strerror or error)
        return None
    log.info("dashboard on http://%s/ (links: /circle dashboard)", where)
    return runner


def require_platform(settings: Settings) -> None:
    """A bot needs a token for at least one platform."""
    if not settings.discord.token and not settings.slack.bot_token:
        raise ConfigError("nothing to connect to: set [discord] token (or "
                          "INNERCIRCLE_DISCORD_TOKEN) and/or [slack] bot_token (or "
                          "INNERCIRCLE_SLACK_BOT_TOKEN)")


async def run_bot(settings: Settings, url: str, stop: asyncio.Event | None = None) -> None:
    """Connect to every configured platform; stop cleanly on SIGINT/SIGTERM (or when
    ``stop`` is set, for a caller that embeds the bot)."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    require_platform(settings)
    store = await Store.open(url)
    runtime = build_runtime(settings, store)
    adapters = adapters_for(runtime)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await runtime.engine.start()
    await runtime.start_jobs()
    dashboard = await start_dashboard(store, settings)
    tasks = [asyncio.create_task(adapter.start()) for adapter in adapters]
    try:
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                log.error("a platform connection stopped: %s", task.exception())
    finally:
        log.info("shutting down")
        for adapter in adapters:
            with contextlib.suppress(Exception):
                await adapter.stop()
        for task in tasks:
            task.cancel()
        if dashboard is not None:
            await dashboard.cleanup()
        await runtime.stop_jobs()
        await runtime.engine.stop()
        await store.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
