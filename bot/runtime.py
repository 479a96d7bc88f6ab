"""The runtime: store, engine, settings and the loaded cogs together, and the dispatch every
platform uses for commands, message actions and button presses.

It is built by the composition root (``bot.app``), which loads the cogs; features see it
through ``bot.services.Services``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.config import CommunitySettings, DashboardSettings, Settings
from bot.engine import Engine
from bot.features import (
    ButtonHandler,
    Cog,
    Command,
    CommandContext,
    Invoker,
    MessageAction,
    Option,
    Platform,
    Reply,
    UsageError,
    error_reply,
)
from bot.scheduler import JobScheduler
from bot.scope import Scope
from bot.settings_cache import SettingsCache
from bot.staff import StaffRule
from bot.store import Store
from bot.undelivered import scrub
from bot.week_cache import week_cache

log = logging.getLogger(__name__)

#: How often ``Runtime.keep_warm`` runs the warm-up again (well within the week cache's
#: ``MAX_AGE_S``, 15 minutes, so what it forgot is read back before a command asks).
REWARM_S = 300.0


class Runtime:
    """One bot process: the pieces every platform adapter and cog shares."""

    def __init__(self, settings: Settings, store: Store, engine: Engine, cogs: list[Cog],
                 settings_cache: SettingsCache, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.settings_cache = settings_cache
        self.clock = clock
        week_cache(store).today = clock  # today's facts are read live, past days kept
        self.platforms: dict[str, Platform] = {}
        self.started_at = clock()
        self.scheduler: JobScheduler | None = None
        self.cogs = cogs
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, MessageAction] = {}
        self.button_handlers: dict[str, ButtonHandler] = {}
        for cog in self.cogs:
            for command in cog.commands():
                self.commands[command.name] = command
            for action in cog.message_actions():
                self.actions[action.callback_id] = action
            self.button_handlers.update(cog.buttons())

    @property
    def defaults(self) -> CommunitySettings:
        """config.toml's community settings, before any ``/circle config`` change."""
        return self.settings.community

    @property
    def dashboard(self) -> DashboardSettings:
        """config.toml's ``[dashboard]``: where the staff dashboard's links point."""
        return self.settings.dashboard

    def now(self) -> float:
        return self.clock()

    def add_platform(self, platform: Platform) -> None:
        """A connected platform: scheduled jobs post through it."""
        self.platforms[platform.name] = platform

    async def start_jobs(self) -> None:
        """Start the scheduler with every cog's jobs (see ``bot.scheduler``)."""
        if self.scheduler is None:
            self.scheduler = JobScheduler(self)
            self.scheduler.start([job for cog in self.cogs for job in cog.jobs()])

    async def stop_jobs(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
            await self.scheduler.drain()
            self.scheduler = None

    async def warm(self) -> None:
        """Compute once, right after start, what each community's first commands will ask
        for (each feature's ``Cog.warm``): the first ``/circle health`` or ``helpers 90``
        after a start is then as fast as the next. Run it as a background task."""
        for scope in await self.store.communities():
            for cog in self.cogs:
                try:
                    await cog.warm(self, scope)
                except Exception as error:  # a cold cache is slower, never broken
                    log.warning("warming %s for %s failed: %s", type(cog).__name__, scope,
                                error)

    async def keep_warm(self, every_s: float = REWARM_S,
                        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """``warm`` now, then again every ``every_s`` seconds until cancelled: the week cache
        forgets what it holds after a quarter of an hour (another process may have written),
        and without this the first command after a quiet while would read it all again.
        What is still kept costs next to nothing to ask for again."""
        while True:
            await self.warm()
            await sleep(every_s)

    async def community_settings(self, scope: Scope) -> CommunitySettings:
        """config.toml's defaults with this community's ``/circle config`` changes."""
        return await self.settings_cache.get(scope)

    async def opt_out(self, scope: Scope, user: str) -> None:
        """From now on nothing names ``user``; their facts move to an anonymous token."""
        await self.engine.change_privacy(scope, lambda: self.store.opt_out(scope, user,
                                                                          self.now()))

    async def opt_in(self, scope: Scope, user: str) -> bool:
        """From now on facts carry ``user``'s id again; False when they had not opted out."""
        return await self.engine.change_privacy(scope, lambda: self.store.opt_in(scope, user))

    async def forget(self, scope: Scope, user: str) -> None:
        """Delete every fact about ``user`` (DESIGN.md's forget), list settings included."""
        await self.engine.change_privacy(scope, lambda: self.store.forget(scope, user,
                                                                         self.now()))
        # the undelivered-events file forgets them too
        kept = self.engine.delivery.undelivered
        if kept is not None:
            scrub(kept, now=self.now(), retention_s=self.defaults.text_retention_hours * 3600,
                  forget=(scope, user))
        self.settings_cache.invalidate(scope)  # they left the moderators, staff_users …

    async def change_setting(self, scope: Scope, key: str, value: Any, by: str) -> None:
        """Store a ``/circle config`` change (``None``: back to the default); every reader,
        the engine included, sees it from the next event on."""
        await self.settings_cache.change(scope, key, value, by, self.now())

    async def _context(self, platform: Platform, scope: Scope, invoker: Invoker,
                       channel: str | None) -> CommandContext:
        settings = await self.community_settings(scope)
        if not invoker.is_staff and StaffRule(settings).is_staff(invoker.user):
            invoker = Invoker(invoker.user, invoker.name, True)
        return CommandContext(self, platform, scope, invoker, channel)

    async def run_command(self, platform: Platform, scope: Scope, invoker: Invoker, name: str,
                          args: dict[str, Any], channel: str | None = None) -> Reply:
        """Run ``/circle <name>``: checks who may, converts options, never raises."""
        command = self.commands.get(name)
        if command is None:
            reply = self.commands["help"].handler if "help" in self.commands else None
            ctx = await self._context(platform, scope, invoker, channel)
            if reply is None:
                return error_reply(f"unknown command {name!r}")
            shown = await reply(ctx)
            return replace(shown, text=f"Unknown command `{name}`. " + shown.text)
        ctx = await self._context(platform, scope, invoker, channel)
        if command.staff_only and not ctx.invoker.is_staff:
            return error_reply(f"`/circle {name}` is for staff only.")
        try:
            values = convert_options(command, args)
        except UsageError as error:
            return error_reply(str(error))
        return await _guarded(command.handler(ctx, **values), f"/circle {name}", scope)

    async def run_message_action(self, platform: Platform, scope: Scope, invoker: Invoker,
                                 callback_id: str, message_id: str,
                                 channel: str | None = None) -> Reply:
        """Run a message action ("Mark as answer") on ``message_id``."""
        action = self.actions.get(callback_id)
        if action is None:
            return error_reply(f"unknown action {callback_id!r}")
        ctx = await self._context(platform, scope, invoker, channel)
        if action.staff_only and not ctx.invoker.is_staff:
            return error_reply(f"“{action.name}” is for staff only.")
        return await _guarded(action.handler(ctx, message_id), f"action {callback_id}", scope)

    async def press_button(self, platform: Platform, scope: Scope, invoker: Invoker,
                           action: str) -> Reply:
        """A button was pressed: hand it to the cog that owns the action's prefix."""
        prefix, _, payload = action.partition(":")
        handler = self.button_handlers.get(prefix)
        if handler is None:
            return error_reply("This button is no longer in use.")
        ctx = await self._context(platform, scope, invoker, None)
        return await _guarded(handler(ctx, payload), f"button {action}", scope)


async def _guarded(work: Awaitable[Reply], what: str, scope: Scope) -> Reply:
    """A handler's reply; a refusal becomes its message, a bug a logged apology."""
    try:
        return await work
    except UsageError as error:
        return error_reply(str(error))
    except Exception:
        log.exception("%s failed in %s", what, scope)
        return error_reply("Something went wrong on our side; it has been logged.")


def convert_options(command: Command, args: dict[str, Any]) -> dict[str, Any]:
    """Check and convert raw option values (strings from Slack, typed from Discord)."""
    known = {option.name: option for option in command.options}
    unknown = sorted(set(args) - set(known))
    if unknown:
        raise UsageError(f"`/circle {command.name}` has no option {unknown[0]!r}.")
    values: dict[str, Any] = {}
    for option in command.options:
        raw = args.get(option.name)
        if raw is None or raw == "":
            if option.required:
                raise UsageError(f"`/circle {command.name}` needs `{option.name}`: "
                                 f"{option.description}")
            values[option.name] = option.default
            continue
        values[option.name] = _convert(command, option, raw)
    return values


def _convert(command: Command, option: Option, raw: Any) -> Any:
    where = f"`{option.name}` of `/circle {command.name}`"
    if option.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).lower()
        if text in ("true", "yes", "1", "on", "public"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        raise UsageError(f"{where} must be true or false, not {raw!r}.")
    if option.kind == "int":
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise UsageError(f"{where} must be a whole number, not {raw!r}.") from None
    if option.kind == "choice":
        text = str(raw).strip().lower()
        if text not in option.choices:
            raise UsageError(f"{where} must be one of {', '.join(option.choices)}; "
                             f"got {raw!r}.")
        return text
    text = str(raw).strip()
    if len(text) > 1000:
        raise UsageError(f"{where} is too long (1000 characters at most).")
    return text
