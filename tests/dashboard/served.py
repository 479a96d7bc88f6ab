"""A dashboard served from a thread of its own (its own event loop), over a database with
the demo community and the small Discord server, for the browser tests."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from bot import reports
from bot.config import Settings
from bot.dashboard import server
from bot.period import period_from
from bot.render.figures import figure
from bot.scope import Scope
from bot.store import Store
from tests.dashboard.community import DEMO, DISCORD, Known, build, utc_now


@dataclass
class ServedDashboard:
    url: str
    settings: Settings = field(default_factory=Settings)
    base: str = ""
    key: bytes = b""
    known: Known | None = None
    expected: dict[str, Any] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None
    _error: BaseException | None = None

    def link(self, scope: Scope = DEMO, ttl: float = 3600) -> str:
        return server.link(self.key, self.settings.dashboard, scope, ttl, base=self.base)

    def start(self) -> ServedDashboard:
        ready = threading.Event()

        def run() -> None:
            try:
                asyncio.run(self._main(ready))
            except BaseException as error:  # shown by start() in the test's thread
                self._error = error
                ready.set()

        self._thread = threading.Thread(target=run, name="dashboard", daemon=True)
        self._thread.start()
        ready.wait(300)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        store = await Store.open(self.url)
        try:
            now = utc_now()
            self.known = await build(store, now)
            self.key = await store.dashboard_key()
            self.expected = await _expected(store, now)
            runner = await server.start(store, self.settings, "127.0.0.1", 0)
            port = runner.addresses[0][1]
            self.base = f"http://127.0.0.1:{port}"
            ready.set()
            await self._stop.wait()
            await runner.cleanup()
        finally:
            await store.close()


async def _expected(store: Store, now: Any) -> dict[str, Any]:
    """What the pages must show, from the reports themselves."""
    settings = Settings().community
    month = period_from(None, None, days=30, now=now)
    week = period_from(None, None, days=7, now=now)
    health = await reports.health(store, DEMO, month, settings)
    weekly = await reports.health(store, DEMO, week, settings)
    ranked = await reports.helpers(store, DEMO, month, settings)
    peers = [e for e in ranked if not e.advocate.is_staff]
    return {
        "questions": figure("questions", health.questions),
        "answer_rate": figure("answer_rate", health.answer_rate),
        "questions_7": figure("questions", weekly.questions),
        "month_label": month.label(),
        "week_label": week.label(),
        "top_peer": peers[0].name,
        "top_peer_answers": peers[0].advocate.answers,
        "peers": sum(1 for e in peers if not e.anonymous),
        "open_questions": len(await reports.unanswered(store, DEMO, month, now.timestamp())),
        "discord_open": len(await reports.unanswered(store, DISCORD, month, now.timestamp())),
    }
