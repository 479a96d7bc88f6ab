"""Killing a bot process at a chosen point of its weekly post, for the recovery tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


class Died(BaseException):
    """The process is killed here: nothing after it runs, no clean-up either (a
    ``BaseException``, so no ``except Exception`` gives the claim back)."""


def die_at_post(platform: Any, *, before: bool) -> None:
    """Make ``platform.post`` (the real adapter's) kill the process just before posting,
    or just after the post went out (before the claim is finished)."""
    real: Callable[..., Awaitable[str | None]] = platform.post

    async def post(*args: Any, **kwargs: Any) -> str | None:
        if before:
            raise Died("before posting")
        await real(*args, **kwargs)
        raise Died("after posting")

    platform.post = post
