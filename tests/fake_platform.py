"""A small fake of the Platform interface: records posts, DMs and reward grants."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.features import HistoryUnavailable, Reply
from bot.scope import Scope


@dataclass
class FakePlatform:
    name: str = "fake"
    posts: list[tuple[Scope, str, Reply]] = field(default_factory=list)
    dms: list[tuple[Scope, str, Reply]] = field(default_factory=list)
    grants: list[tuple[Scope, str, str | None]] = field(default_factory=list)
    fail_posts: bool = False
    unreadable: bool = False  # find_marked raises HistoryUnavailable
    refuse_dms: set[str] = field(default_factory=set)
    posted: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        if self.fail_posts:
            return None
        self.posts.append((scope, channel, reply))
        self.posted.set()
        return f"m-post-{len(self.posts)}"

    async def find_marked(self, scope: Scope, channel: str, marker: str, since: float
                          ) -> str | None:
        if self.unreadable:
            raise HistoryUnavailable("the fake's history is unreadable")
        return next((f"m-post-{n}" for n, (s, c, r) in enumerate(self.posts, 1)
                     if (s, c, r.marker) == (scope, channel, marker)), None)

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        if user in self.refuse_dms:
            return False
        self.dms.append((scope, user, reply))
        return True

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        self.grants.append((scope, user, reward))
        return f"granted {reward or 'a shout-out'} to <@{user}>"

    def mention(self, user: str) -> str:
        return f"<@{user}>"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        return f"https://chat.example/{scope.community}/{channel}/{message_id}"

    async def describe_status(self, scope: Scope) -> list[str]:
        return []

    def dms_to(self, user: str) -> list[Reply]:
        return [reply for _, to, reply in self.dms if to == user]
