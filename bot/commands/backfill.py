"""``innercircle backfill --days N``: connect to each configured platform, read the last N
days of history of every community there (as ``/circle backfill`` does), then exit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from bot.app import build_runtime
from bot.backfill import BackfillPlatform
from bot.config import Settings
from bot.features import Reply
from bot.scope import Scope
from bot.store import Store

READY_TIMEOUT_S = 300.0
LINE_EVERY_S = 5.0


async def _communities(adapter: object) -> list[Scope]:
    """Wait until the connection is up and caught up; the communities it serves."""
    from bot.platforms.discord_adapter import DiscordAdapter
    from bot.platforms.discord_events import scope_of
    from bot.platforms.slack_adapter import SlackAdapter

    if isinstance(adapter, SlackAdapter):
        await adapter.ready.wait()
        return [adapter.scope(adapter.team_id)] if adapter.team_id else []
    if isinstance(adapter, DiscordAdapter):
        await adapter.client.wait_until_ready()
        guilds = [g.id for g in adapter.client.guilds]
        await adapter.inbox.wait_until(lambda: set(guilds) <= adapter.caught_up,
                                       timeout=READY_TIMEOUT_S)
        return [scope_of(g) for g in guilds]
    return []


async def backfill_all(settings: Settings, url: str, days: int, say: Callable[[str], None]
                       ) -> int:
    """Backfill every community of every configured platform; how many failed to start."""
    from bot.commands.run import adapters_for, require_platform

    require_platform(settings)
    store = await Store.open(url)
    runtime = build_runtime(settings, store)
    adapters = adapters_for(runtime)
    await runtime.engine.start()
    tasks = [asyncio.create_task(adapter.start()) for adapter in adapters]
    failed = 0
    try:
        for adapter, task in zip(adapters, tasks, strict=True):
            waiting = asyncio.create_task(_communities(adapter))
            done, _ = await asyncio.wait([waiting, task], timeout=READY_TIMEOUT_S,
                                         return_when=asyncio.FIRST_COMPLETED)
            if waiting not in done:
                waiting.cancel()
                say(f"{type(adapter).__name__}: could not connect"
                    + (f" ({task.exception()})" if task.done() and task.exception() else ""))
                failed += 1
                continue
            for scope in waiting.result():
                if not isinstance(adapter, BackfillPlatform):
                    continue
                started = await adapter.start_backfill(scope, days, None)
                if isinstance(started, str):
                    say(f"{scope}: {started}")
                    failed += 1
                    continue
                await _follow(scope, started, say)
    finally:
        for adapter in adapters:
            with contextlib.suppress(Exception):
                await adapter.stop()
        for task in tasks:
            task.cancel()
        await runtime.engine.stop()
        await store.close()
    return failed


async def _follow(scope: Scope, updates: AsyncIterator[Reply], say: Callable[[str], None]
                  ) -> None:
    last: float | None = None  # not 0.0: the monotonic clock starts near 0 at boot
    final: Reply | None = None
    async for reply in updates:
        final = reply
        if last is None or time.monotonic() - last >= LINE_EVERY_S:
            last = time.monotonic()
            say(f"{scope}: {reply.plain_text()}".replace("\n", " "))
    if final is not None:
        say(f"{scope}: {final.plain_text()}".replace("\n", " "))
