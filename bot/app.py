"""The composition root: builds the running bot from settings and a store.

``innercircle run`` and ``demo`` (and the tests) build their runtime here: the engine, the
features (``cogs``) and the runtime that dispatches to them. This is the one module of
``bot`` that imports the features; everything else sees them only as declared data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.engine import Engine
from bot.runtime import Runtime
from bot.settings_cache import SettingsCache
from bot.store import Store
from cogs import all_cogs


def build_engine(settings: Settings, store: Store, cache: SettingsCache | None = None
                 ) -> Engine:
    """The engine with the settings' batching and undelivered-file options."""
    return Engine(store, settings.community, batch_size=settings.engine.batch_size,
                  flush_interval=settings.engine.flush_interval_s,
                  undelivered=Path(settings.engine.undelivered_file), settings=cache)


def build_runtime(settings: Settings, store: Store, engine: Engine | None = None,
                  clock: Callable[[], float] = time.time) -> Runtime:
    """The runtime with every feature loaded (jobs start with ``Runtime.start_jobs``). The
    engine and the commands read community settings through one cache."""
    if engine is None:
        engine = build_engine(settings, store, SettingsCache(store, settings.community))
    return Runtime(settings, store, engine, all_cogs(), engine.settings, clock=clock)
