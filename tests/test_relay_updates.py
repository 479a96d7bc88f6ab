"""A long task's reply is edited with its progress within the platform's limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.features import Reply, relay_updates


async def updates(count: int) -> AsyncIterator[Reply]:
    for n in range(1, count + 1):
        yield Reply(title=f"step {n}")


async def test_every_update_when_there_is_no_limit() -> None:
    shown: list[str] = []

    async def edit(reply: Reply) -> bool:
        shown.append(reply.title)
        return True

    await relay_updates(updates(5), edit, every_s=0)
    assert shown == ["step 1", "step 2", "step 3", "step 4", "step 5"]


async def test_throttled_and_limited_edits_keep_the_last_state() -> None:
    shown: list[str] = []

    async def edit(reply: Reply) -> bool:
        shown.append(reply.title)
        return True

    await relay_updates(updates(50), edit, every_s=3600, limit=4)
    assert shown == ["step 1", "step 50"]  # the first at once, then the final state
    shown.clear()
    await relay_updates(updates(50), edit, every_s=0, limit=4)
    assert shown == ["step 1", "step 2", "step 3", "step 50"]


async def test_a_reply_that_can_no_longer_be_edited_is_left_alone() -> None:
    tried: list[str] = []

    async def edit(reply: Reply) -> bool:
        tried.append(reply.title)
        return len(tried) < 2  # the second edit is refused (an expired token)

    await relay_updates(updates(10), edit, every_s=0)
    assert tried == ["step 1", "step 2"]
