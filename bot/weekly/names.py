"""Naming members in weekly posts and DMs, by the rules of ``cogs.naming``.

The post and the digest are not answers to a command, so they name members as a command's
reply would to its audience: the public post as a ``public`` reply (nobody opted out or
departed), the digest as a staff member's private view (departed members, never opted-out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.features import CommandContext, Invoker, Platform, Reply
from bot.reports import NamedAdvocate
from bot.scope import Scope
from cogs.naming import label, may_name

if TYPE_CHECKING:
    from bot.runtime import Runtime


class NamesOnly:
    """A stand-in platform when none is connected (``innercircle demo``): members are named
    by their stored names, nothing is sent."""

    name = "none"

    def __init__(self, names: dict[str, str | None] | None = None) -> None:
        self.names = names or {}

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        return None

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        return False

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        return "no platform connected"

    def mention(self, user: str) -> str:
        return f"@{self.names.get(user) or user}"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        return None


async def platform_for(runtime: Runtime, scope: Scope) -> Platform:
    """The connected platform of ``scope``, else a names-only stand-in."""
    found = runtime.platforms.get(scope.platform)
    if found is not None:
        return found
    members = await runtime.store.member_facts(scope)
    return NamesOnly({user: m.name for user, m in members.items()})


def audience(runtime: Runtime, platform: Platform, scope: Scope, *, staff: bool
             ) -> CommandContext:
    """Who reads: a channel (``staff=False``) or a moderator's DM (``staff=True``)."""
    return CommandContext(runtime, platform, scope, Invoker("", None, staff))


def nameable(entry: NamedAdvocate, ctx: CommandContext) -> bool:
    return may_name(entry, ctx, public=not ctx.invoker.is_staff)


def who(entry: NamedAdvocate, ctx: CommandContext) -> str:
    return label(entry, ctx)
