"""What every dashboard page is built from: one community, one period, and how members,
channels and messages are named and linked in a staff view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import CommunitySettings
from bot.identity import is_anonymous
from bot.period import Period
from bot.platforms.discord_events import jump_url
from bot.platforms.slack_events import split_message_id
from bot.platforms.slack_render import message_link
from bot.render.figures import member_label
from bot.reports import has_left
from bot.scope import Scope
from bot.store import MemberFact, Store


def staff_label(user: str, name: str | None, left: bool) -> str:
    """A member's name as staff see it: "Ada", or "Ada (left)" once they left."""
    label = member_label(name, user)
    return f"{label} (left)" if left else label


def no_link(_user: str) -> str | None:
    return None


@dataclass(slots=True)
class View:
    """One page's request: ``member_href`` makes a member's page address (the command line
    has none); ``page``: which page of a long table to show (``None``: every row, as a CSV
    and the command line have them)."""

    store: Store
    scope: Scope
    period: Period
    settings: CommunitySettings
    now: float
    member_href: Callable[[str], str | None] = no_link
    page: int | None = None
    members: dict[str, MemberFact] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)

    async def load_names(self, users: set[str] | None = None) -> None:
        """Member and channel names for this page (``users``: only those)."""
        wanted = {u for u in users if not is_anonymous(u)} if users is not None else None
        if wanted is None or wanted:
            self.members.update(await self.store.member_facts(self.scope, wanted))
        self.channels = await self.store.channel_names(self.scope)

    def nameable(self, user: str) -> bool:
        """Staff view: opted-out members never appear; departed ones do."""
        return not is_anonymous(user)

    def member(self, user: str) -> str:
        """A member's name as staff see it ("Ada (left)")."""
        fact = self.members.get(user)
        return staff_label(user, fact.name if fact else None, has_left(fact))

    def channel(self, channel: str) -> str:
        name = self.channels.get(channel)
        return f"#{name}" if name else channel

    def message_url(self, channel: str, message_id: str, thread: str | None = None
                    ) -> str | None:
        """The message on its platform: a Discord jump URL, a Slack permalink."""
        if self.scope.platform == "discord":
            return jump_url(self.scope.community, thread or channel, message_id)
        if self.scope.platform == "slack":
            try:
                slack_channel, ts = split_message_id(message_id)
            except ValueError:
                return None
            return message_link(slack_channel, ts)
        return None
