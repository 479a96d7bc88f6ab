"""A small script-writer for test conversations: neutral events with ticking timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.events import (
    Event,
    MarkAnswer,
    MemberJoin,
    MemberLeave,
    Message,
    MessageDelete,
    MessageEdit,
    NotQuestion,
    Reaction,
    ReactionRemove,
    Thanks,
    UnmarkAnswer,
)

START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday


class Chat:
    """Writes events for one community; each event is a minute after the previous one."""

    def __init__(self, community: str = "c1", platform: str = "other",
                 start: datetime = START) -> None:
        self.community = community
        self.platform = platform
        self.now = start
        self.events: list[Event] = []
        self.count = 0

    def _common(self, after: timedelta | None) -> dict[str, Any]:
        self.now += after if after is not None else timedelta(minutes=1)
        return {"community": self.community, "platform": self.platform, "ts": self.now}

    def msg(self, author: str, text: str, *, channel: str = "general",
            after: timedelta | None = None, **extra: Any) -> str:
        self.count += 1
        message_id = extra.pop("id", f"m{self.count}")
        extra.setdefault("author_name", author)
        self.events.append(Message(**self._common(after), id=message_id, channel=channel,
                                   author=author, text=text, **extra))
        return message_id

    def react(self, user: str, message: str, emoji: str = "✅", *, remove: bool = False,
              channel: str = "general") -> None:
        kind = ReactionRemove if remove else Reaction
        self.events.append(kind(**self._common(None), channel=channel, message=message,
                                user=user, emoji=emoji))

    def edit(self, message: str, text: str, channel: str = "general") -> None:
        self.events.append(MessageEdit(**self._common(None), id=message, channel=channel,
                                       text=text))

    def delete(self, message: str, channel: str = "general") -> None:
        self.events.append(MessageDelete(**self._common(None), id=message, channel=channel))

    def join(self, user: str, after: timedelta | None = None) -> None:
        self.events.append(MemberJoin(**self._common(after), user=user, user_name=user))

    def leave(self, user: str) -> None:
        self.events.append(MemberLeave(**self._common(None), user=user))

    def mark(self, user: str, answer: str, question: str | None = None) -> None:
        self.events.append(MarkAnswer(**self._common(None), user=user, answer=answer,
                                      question=question))

    def unmark(self, user: str, answer: str) -> None:
        self.events.append(UnmarkAnswer(**self._common(None), user=user, answer=answer))

    def not_question(self, user: str, message: str) -> None:
        self.events.append(NotQuestion(**self._common(None), user=user, message=message))

    def thanks(self, user: str, helper: str, after: timedelta | None = None) -> None:
        self.events.append(Thanks(**self._common(after), user=user, helper=helper))

    def take(self) -> list[Event]:
        """The events written since the last take."""
        taken, self.events = self.events, []
        return taken
