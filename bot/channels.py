"""Which channels are watched, and what kind of channel each is (the same rule for the
engine, the catch-up and ``/circle status``)."""

from __future__ import annotations

from bot.config import CommunitySettings

ChannelKind = str  # "chat", "help" or "forum"


class ChannelRule:
    """A community's channel settings, ready to answer many times."""

    __slots__ = ("excluded", "forum", "help", "watched")

    def __init__(self, settings: CommunitySettings) -> None:
        self.watched = frozenset(settings.watched_channels)
        self.excluded = frozenset(settings.excluded_channels)
        self.help = frozenset(settings.help_channels)
        self.forum = frozenset(settings.forum_channels)

    def watches(self, channel: str) -> bool:
        """Excluded channels never; else the ``watched_channels`` list, or every channel."""
        if channel in self.excluded:
            return False
        return not self.watched or channel in self.watched

    def kind(self, channel: str, declared: ChannelKind) -> ChannelKind:
        """``forum`` or ``help`` when configured so, else what the platform declared."""
        if channel in self.forum:
            return "forum"
        if channel in self.help:
            return "help"
        return declared
