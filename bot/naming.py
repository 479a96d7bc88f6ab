"""Who may be named where (DESIGN.md's privacy rules), in one place for every feature:
command replies, the weekly post and the moderators' digest."""

from __future__ import annotations

from bot.features import CommandContext
from bot.reports import NamedAdvocate


def may_name(entry: NamedAdvocate, ctx: CommandContext, *, public: bool) -> bool:
    """Opted-out members are never named; departed members only in a staff's private view."""
    if entry.anonymous:
        return False
    if entry.left:
        return ctx.invoker.is_staff and not public
    return True


def label(entry: NamedAdvocate, ctx: CommandContext) -> str:
    """A member as shown in a reply: a platform mention (shows their current name)."""
    name = ctx.platform.mention(entry.advocate.user)
    return f"{name} (left)" if entry.left else name
