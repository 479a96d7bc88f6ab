"""What features may use: the services a cog, a scheduled job or a weekly module is given.

Features depend on these protocols, never on ``bot.runtime.Runtime`` (which implements them):
the runtime is built by the composition root (``bot.app``) and passed down, so no feature
module imports the runtime and the runtime imports no feature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from datetime import datetime
from typing import Any, Protocol

from apscheduler.triggers.base import BaseTrigger

from bot.config import CommunitySettings, DashboardSettings
from bot.engine import Engine
from bot.features import Command, MessageAction, Platform
from bot.scope import Scope
from bot.store import Store

WeeklyHandler = Callable[["Services", Scope], Awaitable[object]]


class WeeklyJobs(Protocol):
    """The part of the scheduler features use: one weekly job per community."""

    @property
    def instance(self) -> str:
        """Names this process in claim rows (exactly-once weekly posts)."""
        ...

    def schedule_weekly(self, scope: Scope, trigger: BaseTrigger, key: Hashable,
                        handler: WeeklyHandler) -> bool:
        """(Re)schedule ``scope``'s weekly job; True when it was added or changed."""
        ...

    def unschedule_weekly(self, scope: Scope) -> None: ...

    def weekly_scopes(self) -> set[Scope]: ...

    def next_weekly_run(self, scope: Scope) -> datetime | None: ...


class Services(Protocol):
    """The running bot as a feature sees it."""

    @property
    def store(self) -> Store: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def defaults(self) -> CommunitySettings:
        """config.toml's community settings, before any ``/circle config`` change."""
        ...

    @property
    def dashboard(self) -> DashboardSettings:
        """config.toml's ``[dashboard]``: where the staff dashboard's links point."""
        ...

    @property
    def platforms(self) -> Mapping[str, Platform]:
        """The connected platforms by name (empty in ``innercircle demo``)."""
        ...

    @property
    def scheduler(self) -> WeeklyJobs | None:
        """The running scheduler; ``None`` before jobs start (and in the demo)."""
        ...

    @property
    def commands(self) -> Mapping[str, Command]: ...

    @property
    def actions(self) -> Mapping[str, MessageAction]: ...

    def now(self) -> float: ...

    async def community_settings(self, scope: Scope) -> CommunitySettings:
        """config.toml's defaults with this community's ``/circle config`` changes."""
        ...

    async def opt_out(self, scope: Scope, user: str) -> None:
        """From now on nothing names ``user`` (applied in order with the events)."""
        ...

    async def opt_in(self, scope: Scope, user: str) -> bool:
        """From now on facts carry ``user``'s id again; False when they had not opted out."""
        ...

    async def forget(self, scope: Scope, user: str) -> None:
        """Delete every fact about ``user`` in ``scope`` (applied in order with the events)."""
        ...

    async def change_setting(self, scope: Scope, key: str, value: Any, by: str) -> None:
        """Store a ``/circle config`` change (``None``: back to the default)."""
        ...
