"""A stand-in platform when none is connected (``innercircle demo``): members are named by
their stored names, nothing is sent."""

from __future__ import annotations

from bot.features import Reply
from bot.member_text import member_text
from bot.scope import Scope


class NamesOnly:
    """Names members by their stored names (``@ann``); posts, DMs and grants do nothing."""

    name = "none"

    def __init__(self, names: dict[str, str | None] | None = None) -> None:
        self.names = names or {}

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        return None

    async def find_marked(self, scope: Scope, channel: str, marker: str, since: float
                          ) -> str | None:
        return None  # posts nothing, so nothing is ever found

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        return False

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        return "no platform connected"

    def mention(self, user: str) -> str:
        return f"@{member_text(self.names.get(user) or user)}"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        return None

    async def describe_status(self, scope: Scope) -> list[str]:
        return ["No platform is connected."]
