"""What a feature (a cog) declares, and the neutral reply it returns.

A cog is written once and serves Discord and Slack alike: it declares its ``/circle``
subcommands, message actions ("Mark as answer"), button handlers and scheduled jobs, and
returns ``Reply`` objects that each platform renders natively (an embed, Block Kit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot.member_text import unmarked
from bot.scope import Scope

if TYPE_CHECKING:
    from bot.services import Services

OptionKind = Literal["member", "text", "int", "choice", "bool", "channel"]


class UsageError(ValueError):
    """A wrong option or a refused action: the message is shown to the user as it is."""


class HistoryUnavailable(Exception):
    """A channel's history could not be read back (permission, rate limit, network)."""


@dataclass(frozen=True, slots=True)
class Option:
    """One option of a subcommand."""

    name: str
    kind: OptionKind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None


PUBLIC = Option("public", "bool", "Show the answer to everyone in the channel.")


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled figure or line in a reply."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Button:
    """A button on a reply; a press comes back to the cog that owns ``action``'s prefix."""

    action: str  # "<prefix>:<payload>", at most 100 characters
    label: str
    style: Literal["primary", "danger", "secondary"] = "secondary"


@dataclass(frozen=True, slots=True)
class Reply:
    """A neutral message: every platform renders it natively. Frozen: a changed reply is a
    new one (``dataclasses.replace``).

    ``public``: shown to everyone in the channel (else only to the user who asked).
    ``chart``: a PNG. ``file``: (name, bytes) of an attachment such as an export.
    ``marker``: finds the posted message again (``Platform.find_marked``): a short text the
    platform carries with it (a Discord footer line, Slack message metadata).
    """

    title: str
    text: str = ""
    fields: list[Field] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    footer: str = ""
    chart: bytes | None = None
    file: tuple[str, bytes] | None = None
    buttons: list[Button] = field(default_factory=list)
    public: bool = False
    tone: Literal["info", "good", "warn", "error"] = "info"
    notify: tuple[str, ...] = ()  # the members its mentions may ping (a reward shout-out)
    marker: str = ""
    # Later versions of this reply (a long task's progress): the platform edits the reply
    # it sent with each, as often as it can (see ``relay_updates``).
    updates: AsyncIterator[Reply] | None = field(default=None, repr=False, compare=False)

    def plain_text(self, *, marked: bool = False) -> str:
        """The whole reply as plain text (notifications, logs, tests); ``marked`` keeps the
        member-text markers for a renderer."""
        parts = [self.title]
        if self.text:
            parts.append(self.text)
        parts.extend(f"{f.name}: {f.value}" for f in self.fields)
        parts.extend(self.lines)
        if self.footer:
            parts.append(self.footer)
        text = "\n".join(parts)
        return text if marked else unmarked(text)


async def relay_updates(updates: AsyncIterator[Reply], edit: Callable[[Reply], Awaitable[bool]],
                        *, every_s: float, limit: int | None = None) -> None:
    """Edit a sent reply with its updates: at most one edit every ``every_s`` seconds and
    ``limit`` edits in all (a platform's own limits), the last update always shown while
    edits are left; every update is consumed either way. ``edit`` returns False when the
    reply can no longer be edited."""
    last: float | None = None  # not 0.0: the monotonic clock starts near 0 at boot
    edits, pending = 0, None
    async for reply in updates:
        pending = reply
        if limit is not None and edits >= limit - 1:
            continue  # keep the last edit for the final state
        if last is None or time.monotonic() - last >= every_s:
            if not await edit(reply):
                limit = edits  # the platform refuses from now on
                continue
            last, edits, pending = time.monotonic(), edits + 1, None
    if pending is not None and (limit is None or edits < limit) and not await edit(pending):
        logging.getLogger(__name__).info("the final progress could not be shown")


def error_reply(message: str) -> Reply:
    """A refusal or a wrong option, said plainly."""
    return Reply(title="Sorry", text=message, tone="error")


@dataclass(frozen=True, slots=True)
class Invoker:
    """Who ran a command or pressed a button, as the platform knows them."""

    user: str
    name: str | None = None
    is_staff: bool = False


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Everything a command handler gets."""

    runtime: Services
    platform: Platform
    scope: Scope
    invoker: Invoker
    channel: str | None = None


CommandHandler = Callable[..., Awaitable[Reply]]
MessageActionHandler = Callable[[CommandContext, str], Awaitable[Reply]]
ButtonHandler = Callable[[CommandContext, str], Awaitable[Reply]]
JobHandler = Callable[["Services"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    """A ``/circle`` subcommand. ``help`` doubles as its description on both platforms."""

    name: str
    help: str
    handler: CommandHandler
    options: tuple[Option, ...] = ()
    staff_only: bool = False


@dataclass(frozen=True, slots=True)
class MessageAction:
    """A message context-menu entry (Discord) / message shortcut (Slack)."""

    name: str  # as shown, e.g. "Mark as answer"
    callback_id: str  # Slack shortcut callback id, e.g. "mark_answer"
    handler: MessageActionHandler
    staff_only: bool = False


@dataclass(frozen=True, slots=True)
class Job:
    """A scheduled job the runtime starts (see ``bot.scheduler``)."""

    name: str
    handler: JobHandler
    every_s: float | None = None  # an interval job; weekly posts schedule themselves


class Cog:
    """A feature, declared as data: subclasses override what they provide. Handlers get
    the running bot through their ``CommandContext`` (jobs: as their argument)."""

    def commands(self) -> list[Command]:
        return []

    def message_actions(self) -> list[MessageAction]:
        return []

    def buttons(self) -> dict[str, ButtonHandler]:
        """Button handlers by action prefix (the part of ``Button.action`` before ':')."""
        return {}

    def jobs(self) -> list[Job]:
        return []

    async def warm(self, runtime: Services, scope: Scope) -> None:
        """Right after start, in the background: compute what this feature's first command
        in ``scope`` will ask for, so that the caches hold it (nothing by default)."""


class Platform(Protocol):
    """What features may ask of a platform: the neutral surface, nothing more."""

    name: str

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        """Post ``reply`` in a channel; the new message's id, or ``None`` when it failed."""
        ...

    async def find_marked(self, scope: Scope, channel: str, marker: str, since: float
                          ) -> str | None:
        """The id of the bot's own message in ``channel``, posted since ``since``, that
        carries ``marker``; ``None`` when there is none. Raises ``HistoryUnavailable`` when
        the channel cannot be read (unknown is not absent)."""
        ...

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        """Send ``reply`` to a member by direct message; False when refused or impossible."""
        ...

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        """Grant the configured reward; says what was done (or why not)."""
        ...

    def mention(self, user: str) -> str:
        """How to name a member in a message so the platform links them."""
        ...

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        """A link to a message, where the platform has one."""
        ...

    async def describe_status(self, scope: Scope) -> list[str]:
        """What ``/circle status`` adds about this platform (missing permissions, catch-up)."""
        ...
