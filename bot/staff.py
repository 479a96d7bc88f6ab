"""Who is staff: one rule for message authors, command invokers, correctors and moderators.

A member is staff when the platform says so (Discord: Manage Server or Administrator; Slack:
a workspace admin or owner), when their id is in ``staff_users``, or when one of their roles
(by name or id, in any case) is in ``staff_roles``. Someone acting away from a message (a
button, a correction, a moderator to DM), whose roles are not at hand, is also staff when
their stored member row says so: they were staff when last seen.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import CommunitySettings
from bot.scope import Scope
from bot.store import Store


class StaffRule:
    """A community's staff settings, ready to answer many times (the engine asks per message)."""

    __slots__ = ("roles", "users")

    def __init__(self, settings: CommunitySettings) -> None:
        self.users = frozenset(settings.staff_users)
        self.roles = frozenset(role.lower() for role in settings.staff_roles)

    def is_staff(self, user: str, *, platform_says: bool = False, roles: Iterable[str] = ()
                 ) -> bool:
        """Staff by the platform's word, the ``staff_users`` list or a ``staff_roles`` role."""
        if platform_says or user in self.users:
            return True
        return any(role.lower() in self.roles for role in roles)


async def acts_as_staff(rule: StaffRule, store: Store, scope: Scope, user: str, *,
                        platform_says: bool = False) -> bool:
    """Staff as ``StaffRule`` says, or by the member's stored row (roles not at hand)."""
    return (rule.is_staff(user, platform_says=platform_says)
            or await store.member_is_staff(scope, user))
