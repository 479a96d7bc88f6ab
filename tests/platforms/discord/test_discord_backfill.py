"""``/circle backfill days:N`` on Discord: channels, active and archived threads and forum
posts beyond catch-up, progress in the edited reply, a DM when done, resumed after a
restart."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_discord import APP_ID, FakeDiscord, snowflake
from sqlalchemy import func, select

from bot.scope import Scope
from bot.store import Store
from bot.store.schema import answers, messages


class Old:
    """Three to five weeks ago, beyond the 14 days of catch-up; and one message yesterday."""

    def __init__(self, fake: FakeDiscord) -> None:
        now = datetime.now(UTC)
        fake.add_user("owner")
        self.ann, self.bob = fake.add_user("ann"), fake.add_user("bob")
        self.mod = fake.add_user("mia", roles=[fake.role_moderator])
        self.general = fake.add_channel("general")
        self.forum = fake.add_channel("questions", kind=15)
        q1 = fake.message(self.general, self.ann, "How do I rotate the API key?",
                          when=now - timedelta(days=30))
        fake.message(self.general, self.bob, "Settings → Keys → Rotate",
                     when=now - timedelta(days=30, minutes=-4), reply_to=int(q1["id"]))
        q2 = fake.message(self.general, self.bob, "Is there a dark mode?",
                          when=now - timedelta(days=25))
        self.thread = fake.add_thread(self.general, "dark mode", self.bob,
                                      thread_id=int(q2["id"]))
        fake.message(self.thread, self.ann, "Settings → Appearance",
                     when=now - timedelta(days=25, minutes=-10))
        fake.threads[self.thread]["thread_metadata"]["archived"] = True
        post = snowflake(now - timedelta(days=20))
        fake.add_thread(self.forum, "SSO loops", self.ann, thread_id=post)
        fake.message(post, self.ann, "Okta login loops back to the start.", message_id=post,
                     when=now - timedelta(days=20))
        fake.message(post, self.mod, "Check the redirect URI.",
                     when=now - timedelta(days=20, minutes=-6))
        fake.message(self.general, self.ann, "good morning", when=now - timedelta(days=1))
        fake.message(self.general, self.bob, "Too old to read",
                     when=now - timedelta(days=90))


async def counts(store: Store) -> tuple[int, int]:
    async with store.engine.connect() as conn:
        stored = (await conn.execute(select(func.count()).select_from(messages))).scalar_one()
        credited = (await conn.execute(select(func.count()).select_from(answers))).scalar_one()
    return int(stored), int(credited)


async def dm_to(fake: FakeDiscord, user_id: int, after: int) -> dict[str, Any]:
    found = await fake.wait_request(
        "POST", r"/channels/\d+/messages", after=after, timeout=30,
        where=lambda r: fake.dm_channels.get(int(r.path.split("/")[2])) == user_id)
    return found.embeds[0]


async def test_backfill_reads_channels_threads_and_forum_posts(
        fake: FakeDiscord, start_bot: Any, sqlite_store: Store) -> None:
    old = Old(fake)
    bot = await start_bot()
    assert await counts(sqlite_store) == (1, 0)  # catch-up: the last 14 days
    start = len(fake.requests)
    ask = fake.command(old.mod, old.general, "backfill", days=45)
    await fake.dispatch("INTERACTION_CREATE", ask)
    first = await fake.wait_request("POST", rf"/webhooks/{APP_ID}/{ask['token']}", after=start)
    assert first.embeds[0]["title"] == "Backfill of 45 days started"
    done = await dm_to(fake, old.mod.id, start)
    assert done["title"] == "Backfill of 45 days done"
    assert await counts(sqlite_store) == (7, 3)  # the 90-day-old message stays out
    edits = fake.find("PATCH", rf"/webhooks/{APP_ID}/{ask['token']}/messages/@original")
    assert edits and edits[-1].embeds[0]["title"] == "Backfill of 45 days done"
    scope = Scope("discord", str(fake.guild_id))
    job = await sqlite_store.backfill_job(scope)
    assert job is not None and job.finished_at is not None and job.messages == 6
    await bot.stop()

    start = len(fake.requests)
    refused = fake.command(old.ann, old.general, "backfill", days=45)
    bot = await start_bot()
    await fake.dispatch("INTERACTION_CREATE", refused)
    answer = await fake.wait_request("POST", rf"/webhooks/{APP_ID}/{refused['token']}",
                                     after=start)
    assert "staff only" in str(answer.embeds[0])


async def test_a_restart_resumes_the_backfill(fake: FakeDiscord, start_bot: Any,
                                              sqlite_store: Store) -> None:
    old = Old(fake)
    scope = Scope("discord", str(fake.guild_id))
    now = time.time()
    await sqlite_store.start_backfill(scope, 45, now - 45 * 86400, str(old.mod.id), now - 60)
    await sqlite_store.backfill_place_done(scope, str(old.general), 3)
    start = len(fake.requests)
    await start_bot()
    done = await dm_to(fake, old.mod.id, start)
    assert done["title"] == "Backfill of 45 days done"
    reads = [r.path for r in fake.requests[start:] if r.method == "GET"
             and r.path.endswith("/messages")]
    thread_reads = [p for p in reads if str(old.thread) in p]
    assert thread_reads  # the thread and the forum post were read; #general was not again
    # the thread's reply and the forum post are read; #general (marked read before the
    # restart) is not, so the thread's question and its reply-answer stay out
    assert await counts(sqlite_store) == (4, 1)
