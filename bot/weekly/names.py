"""Naming members in weekly posts and DMs, by the rules of ``bot.naming``.

The post and the digest are not answers to a command, so they name members as a command's
reply would to its audience: the public post as a ``public`` reply (nobody opted out or
departed), the digest as a staff member's private view (departed members, never opted-out).
"""

from __future__ import annotations

from bot.features import CommandContext, Invoker, Platform
from bot.naming import label, may_name
from bot.platforms.names_only import NamesOnly
from bot.reports import NamedAdvocate
from bot.scope import Scope
from bot.services import Services


async def platform_for(runtime: Services, scope: Scope) -> Platform:
    """The connected platform of ``scope``, else a names-only stand-in."""
    found = runtime.platforms.get(scope.platform)
    if found is not None:
        return found
    members = await runtime.store.member_facts(scope)
    return NamesOnly({user: m.name for user, m in members.items()})


def audience(runtime: Services, platform: Platform, scope: Scope, *, staff: bool
             ) -> CommandContext:
    """Who reads: a channel (``staff=False``) or a moderator's DM (``staff=True``)."""
    return CommandContext(runtime, platform, scope, Invoker("", None, staff))


def nameable(entry: NamedAdvocate, ctx: CommandContext) -> bool:
    return may_name(entry, ctx, public=not ctx.invoker.is_staff)


def who(entry: NamedAdvocate, ctx: CommandContext) -> str:
    return label(entry, ctx)
