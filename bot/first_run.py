"""What a community sees while the bot sets itself up: the welcome message when it arrives
(Discord: the server's system channel or its owner; Slack: the App Home tab) and the first
catch-up's progress (in ``/circle status``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.features import Reply

WHAT_IT_DOES = ("I count which questions get answered, and by whom, in the channels I can "
                "read: are members helping each other, and who carries the community?")
SET_UP_STEPS = (
    "1. Type `/circle help` to see every command: `/circle health`, `/circle helpers`, "
    "`/circle unanswered`, …",
    "2. Whoever runs the bot: `innercircle check` lists what is set up right and what to fix "
    "(channel permissions, the report channel, moderators).",
    "3. Staff: choose the weekly post's channel and the moderators with `/circle config`.",
)
PRIVACY = ("Privacy: I store ids, times and what I derived (question, answer, thanks), never "
           "message text except short question excerpts for 9 days; everyone controls their "
           "own data with `/circle privacy`.")


def welcome_reply() -> Reply:
    """The short set-up message the bot posts when it joins a community."""
    return Reply(title="Hello! Innercircle has joined", text=WHAT_IT_DOES,
                 lines=list(SET_UP_STEPS), footer=PRIVACY, public=True, tone="info")


@dataclass(slots=True)
class CatchupProgress:
    """How far the first reading of history has come: shown by ``/circle status``."""

    channels_total: int = 0
    channels_read: int = 0
    messages: int = 0
    done: bool = False

    def summary(self) -> str:
        if self.done:
            return (f"history read: {self.channels_read} of {self.channels_total} channels, "
                    f"{self.messages:,} messages")
        return (f"reading history: {self.channels_read} of {self.channels_total} channels "
                f"done, {self.messages:,} messages so far; figures fill in as it goes")


def home_reply(status: list[str]) -> Reply:
    """Slack's App Home tab: the bot's status, then the same set-up steps as the welcome."""
    return Reply(title="Innercircle", text=WHAT_IT_DOES,
                 lines=["*Status*", *status, "*Set-up*", *SET_UP_STEPS], footer=PRIVACY)
