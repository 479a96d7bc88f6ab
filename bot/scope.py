"""Where a fact belongs: one community on one platform."""

from __future__ import annotations

from typing import NamedTuple


class Scope(NamedTuple):
    """A community on a platform (a Discord server, a Slack workspace, a replayed file)."""

    platform: str
    community: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.community}"
