"""``innercircle run``: the bot on Discord and/or Slack in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Awaitable
from typing import Any, Protocol

from bot.app import build_runtime
from bot.config import ConfigError, Settings
from bot.delivery import STOP_BUDGET_S
from bot.exit_codes import Fatal, platform_failure
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


SHUTDOWN_S = 10.0  # a stop (SIGTERM, or after a fatal error) ends within this
STEP_S = 1.5  # one platform's or job's stop gets at most this


async def _bounded(step: Awaitable[object], what: str, seconds: float = STEP_S) -> None:
    """Await one shutdown step for at most ``seconds``; its failure is logged, not raised."""
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.warning("stopping %s took over %.0f s: left behind", what, seconds)
    except Exception as error:  # a stop that fails must not stop the rest of the stop
        log.warning("stopping %s failed: %s", what, error)


def _arm_watchdog(code: int) -> None:
    """However the clean-up goes (a library that ignores cancellation, a hung thread), the
    process is gone ``SHUTDOWN_S`` seconds after the stop began."""
    def expire() -> None:
        log.error("shutdown took over %.0f s; exiting now", SHUTDOWN_S)
        logging.shutdown()
        os._exit(code)

    timer = threading.Timer(SHUTDOWN_S, expire)
    timer.daemon = True
    timer.start()


async def run_bot(settings: Settings, url: str, stop: asyncio.Event | None = None, *,
                  watchdog: bool = False) -> None:
    """Connect to every configured platform; stop cleanly on SIGINT/SIGTERM (or when
    ``stop`` is set, for a caller that embeds the bot). A platform connection that ends
    on its own is fatal: the bot stops and raises ``Fatal`` (its exit code says why)."""
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
    warming = asyncio.create_task(runtime.keep_warm(), name="warm-up")
    dashboard = await start_dashboard(store, settings)
    tasks = [asyncio.create_task(adapter.start()) for adapter in adapters]
    fatal: Fatal | None = None
    try:
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for adapter, task in zip(adapters, tasks, strict=True):
            if task in done and not task.cancelled():
                error = task.exception() or RuntimeError("the connection closed")
                fatal = fatal or platform_failure(getattr(adapter, "name", "platform"), error)
        waiter.cancel()
    finally:
        log.info("shutting down")
        if watchdog:
            _arm_watchdog(fatal.code if fatal is not None else 0)
        for adapter in adapters:
            await _bounded(adapter.stop(), f"the {getattr(adapter, 'name', 'platform')} "
                           "connection")
        warming.cancel()
        for task in tasks:
            task.cancel()
        await _bounded(asyncio.gather(*tasks, warming, return_exceptions=True),
                       "the connections", 1.0)
        # Every accepted event is written or kept before anything else is closed.
        await _bounded(runtime.engine.stop(), "the event writer", STOP_BUDGET_S + 0.5)
        await _bounded(runtime.stop_jobs(), "the scheduled jobs")
        if dashboard is not None:
            await _bounded(dashboard.cleanup(), "the dashboard")
        await _bounded(store.close(), "the database")
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
    if fatal is not None:
        log.error("%s", fatal)
        raise fatal
