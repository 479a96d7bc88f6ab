"""Each community's settings: config.toml's defaults with its ``/circle config`` changes,
read from the store once and kept until a change invalidates them.

The read side (commands, the weekly jobs, the platforms) and the engine share one cache;
a change goes through ``change`` (or ``invalidate``), and whoever keeps state derived from
a community's settings (the engine's memory) subscribes with ``on_change``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import CommunitySettings
from bot.scope import Scope
from bot.store import Store


class SettingsCache:
    """Community settings by scope, cached until changed."""

    def __init__(self, store: Store, defaults: CommunitySettings | None = None) -> None:
        self.store = store
        self.defaults = defaults or CommunitySettings()
        self._cached: dict[Scope, CommunitySettings] = {}
        self._listeners: list[Callable[[Scope], None]] = []

    async def get(self, scope: Scope) -> CommunitySettings:
        """``scope``'s settings (the defaults with its stored changes)."""
        found = self._cached.get(scope)
        if found is None:
            overrides = await self.store.settings_overrides(scope)
            found = self._cached[scope] = self.defaults.with_overrides(overrides)
        return found

    async def change(self, scope: Scope, key: str, value: Any, by: str | None, at: float
                     ) -> None:
        """Store one change (``None``: back to the default) and tell the subscribers."""
        await self.store.set_setting(scope, key, value, by, at)
        self.invalidate(scope)

    def invalidate(self, scope: Scope) -> None:
        """Read ``scope``'s settings again next time (after a change made elsewhere)."""
        self._cached.pop(scope, None)
        for listener in self._listeners:
            listener(scope)

    def on_change(self, listener: Callable[[Scope], None]) -> None:
        """Call ``listener(scope)`` whenever ``scope``'s settings change."""
        self._listeners.append(listener)
