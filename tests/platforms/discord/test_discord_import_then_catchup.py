"""Import and live are one history on Discord: a DiscordChatExporter export imported before
or after the bot's catch-up over the same history counts every message once, and stores
what catch-up alone stores (channels, active and archived threads, a forum post)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fake_discord import FakeDiscord, User, snowflake

from bot.config import CommunitySettings
from bot.engine import Engine
from bot.imports.discord_export import DiscordExport
from bot.imports.report import ImportReport
from bot.imports.run import ingest_export
from bot.scope import Scope
from bot.store import Store
from tests.imports.export_writers import dce_file
from tests.imports.history_facts import stored_history

STAFF = CommunitySettings(staff_roles=["moderator"])


class World:
    """Two days of a guild: a channel with replies and a ✅, a thread that gets archived, a
    forum post; ``cut`` is when the export was made."""

    def __init__(self, fake: FakeDiscord) -> None:
        now = datetime.now(UTC)
        self.fake = fake
        # The guild's owner is staff by permission, which an export cannot show (docs):
        # here the owner does not post.
        fake.add_user("owner")
        ann, bob, cat = fake.add_user("ann"), fake.add_user("bob"), fake.add_user("cat")
        mod = fake.add_user("mia", roles=[fake.role_moderator])
        self.general = fake.add_channel("general")
        self.forum = fake.add_channel("questions", kind=15)

        def at(hours: float) -> datetime:
            return now - timedelta(hours=hours)

        q1 = fake.message(self.general, ann, "How do I rotate the API key?", when=at(40))
        a1 = fake.message(self.general, bob, "Settings → Keys → Rotate", when=at(39.9),
                          reply_to=int(q1["id"]))
        fake.react(a1, ann, "✅")
        q2 = fake.message(self.general, cat, "Is there a dark mode in the app?", when=at(30))
        self.thread = fake.add_thread(self.general, "dark mode", cat,
                                      thread_id=int(q2["id"]))
        fake.message(self.thread, mod, "Yes: Settings → Appearance", when=at(29.5))
        post = snowflake(at(20))
        fake.add_thread(self.forum, "SSO with Okta loops", ann, thread_id=post)
        fake.message(post, ann, "Our Okta login loops back to the start.", message_id=post,
                     when=at(20))
        fake.message(post, bob, "Check the redirect URI in the app settings", when=at(19.8))
        self.cut = at(10)
        # after the export was made
        self.thread_root = q2["id"]
        self.late_reply = fake.message(self.thread, bob, "It follows the system theme too",
                                       when=at(8))["id"]
        q3 = fake.message(self.general, bob, "Why does the agent stop at night?", when=at(5))
        fake.message(self.general, cat, "It sleeps with the lid closed", when=at(4.9),
                     reply_to=int(q3["id"]))
        fake.message(post, ann, "Does the same apply to Azure AD?", when=at(3))
        fake.threads[self.thread]["thread_metadata"]["archived"] = True  # archived since

    def dce(self, message: dict[str, Any]) -> dict[str, Any]:
        """A stored Discord message as DiscordChatExporter writes it (in local time)."""
        user: User = self.fake.users[int(message["author"]["id"])]
        roles = [{"id": str(self.fake.role_moderator), "name": "Moderator", "color": None,
                  "position": 1} for r in user.roles if r == self.fake.role_moderator]
        when = datetime.fromisoformat(message["timestamp"]).astimezone(
            datetime.now().astimezone().tzinfo)
        out: dict[str, Any] = {
            "id": message["id"], "type": {0: "Default", 19: "Reply"}[message["type"]],
            "timestamp": when.isoformat(), "timestampEdited": None, "isPinned": False,
            "content": message["content"],
            "author": {"id": str(user.id), "name": user.name, "discriminator": "0000",
                       "nickname": user.name.title(), "isBot": user.bot, "roles": roles},
            "attachments": [], "embeds": [], "stickers": [], "mentions": [],
            "reactions": [{"emoji": {"id": "", "name": r["emoji"]["name"]},
                           "count": r["count"],
                           "users": [{"id": str(u), "name": self.fake.users[u].name,
                                      "isBot": False} for u in self.fake.reactions[
                               (int(message["id"]), r["emoji"]["name"])]]}
                          for r in message.get("reactions", [])]}
        reference = message.get("message_reference")
        if reference:
            out["reference"] = {"messageId": reference["message_id"],
                                "channelId": reference["channel_id"],
                                "guildId": reference["guild_id"]}
        return out

    def export(self, folder: Path, until: datetime | None = None) -> Path:
        """One file per channel and per thread, as ``exportguild --include-threads All``."""
        def upto(channel: int) -> list[dict[str, Any]]:
            return [self.dce(m) for m in self.fake.messages[channel]
                    if until is None or datetime.fromisoformat(m["timestamp"]) <= until]

        guild = str(self.fake.guild_id)
        dce_file(folder / "general.json", {"id": str(self.general), "type": "GuildTextChat",
                                           "categoryId": None, "category": None,
                                           "name": "general", "topic": None},
                 upto(self.general), guild=guild)
        for thread_id, thread in self.fake.threads.items():
            parent = self.fake.channels[int(thread["parent_id"])]
            dce_file(folder / f"thread-{thread_id}.json",
                     {"id": str(thread_id), "type": "GuildPublicThread",
                      "categoryId": parent["id"], "category": parent["name"],
                      "name": thread["name"], "topic": None}, upto(thread_id), guild=guild)
        return folder


async def import_into(store: Store, folder: Path) -> ImportReport:
    report = ImportReport()
    await ingest_export(Engine(store, STAFF, clock=time.time),
                        DiscordExport([folder], report), report)
    assert not report.bad
    return report


async def facts(store: Store, scope: Scope) -> dict[str, Any]:
    return await stored_history(store, scope, STAFF)


async def test_import_then_catch_up_and_the_reverse_equal_catch_up_alone(
        fake: FakeDiscord, start_bot: Any, sqlite_store: Store, tmp_path: Path) -> None:
    world = World(fake)
    scope = Scope("discord", str(fake.guild_id))
    alone_store = await Store.open(str(tmp_path / "alone.sqlite"))
    reverse_store = await Store.open(str(tmp_path / "reverse.sqlite"))
    try:
        bot = await start_bot(store=alone_store)
        await bot.stop()
        alone = await facts(alone_store, scope)

        # an export made ten hours ago, imported; then the bot's catch-up
        first = await import_into(sqlite_store, world.export(tmp_path / "old", world.cut))
        assert first.stats.messages == 6
        bot = await start_bot()
        await bot.stop()
        both = await facts(sqlite_store, scope)

        # the reverse: the bot's catch-up of the last day, then a full export
        bot = await start_bot(store=reverse_store, setup=lambda runtime: setattr(
            runtime.settings.discord, "catchup_days", 1))
        await bot.stop()
        later = await import_into(reverse_store, world.export(tmp_path / "new"))
        assert later.stats.duplicates > 0
        reverse = await facts(reverse_store, scope)
    finally:
        await alone_store.close()
        await reverse_store.close()

    assert len(alone["messages"]) == 10
    for key in alone:
        assert both[key] == alone[key], key
    assert alone["health"]["questions"] == 5 and alone["acks"]
    # The reverse order stores every message once too. One answer differs, and would
    # differ with any late history: the bot read a thread reply (8 hours old) whose
    # question (30 hours old) was beyond its one-day catch-up, so when the question came
    # in later the reply was already counted as a plain message.
    assert reverse["messages"] == alone["messages"]
    assert reverse["acks"] == alone["acks"]
    late = {(world.thread_root, world.late_reply, "thread")}
    assert set(reverse["answers"]) == set(alone["answers"]) - late
