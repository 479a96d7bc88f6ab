"""The pure parts: Discord objects (built by discord.py from realistic payloads) -> neutral
events, a neutral Reply -> embed/attachments/buttons, and the generated command tree."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from discord import app_commands
from fake_discord import FakeDiscord, User, snowflake

from bot.app import build_runtime
from bot.channels import ChannelRule
from bot.config import CommunitySettings
from bot.events import MessageEdit, ReactionRemove
from bot.features import Button, Command, Field, MessageAction, Option, Reply
from bot.platforms import discord_events as conv
from bot.platforms.discord_client import intents
from bot.platforms.discord_commands import build_tree, describe, option_value
from bot.platforms.discord_history import snowflake_after
from bot.platforms.discord_render import DESCRIPTION_MAX, render
from bot.staff import StaffRule


class World:
    """A guild as discord.py's state holds it, without any connection."""

    def __init__(self) -> None:
        self.fake = FakeDiscord()
        self.general = self.fake.add_channel("general")
        self.forum = self.fake.add_channel("help", kind=15)
        self.alice = self.fake.add_user("alice")
        self.mod = self.fake.add_user("mod", roles=[self.fake.role_moderator])
        self.client = discord.Client(intents=intents())
        self.state: Any = self.client._connection
        self.state.user = discord.ClientUser(state=self.state, data=self.fake.bot.payload())
        self.post = snowflake()
        self.fake.add_thread(self.forum, "Crash on start", self.alice, thread_id=self.post)
        self.guild = discord.Guild(data=self.fake.guild_payload(), state=self.state)
        self.state._add_guild(self.guild)

    def message(self, channel: int, author: User, text: str, **kw: Any) -> discord.Message:
        data = self.fake.message(channel, author, text, **kw)
        where = self.guild.get_channel_or_thread(channel)
        return discord.Message(state=self.state, channel=where, data=data)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    return World()


def test_a_reply_becomes_a_message_with_reply_to_and_roles(world: World) -> None:
    question = world.message(world.general, world.alice, "How do I start?")
    answer = world.message(world.general, world.mod, "Run `make start`.",
                           reply_to=question.id, mentions=[world.alice])
    event = conv.message_event(answer)
    assert event is not None
    assert event.community == str(world.fake.guild_id) and event.platform == "discord"
    assert (event.id, event.channel, event.thread) == (str(answer.id), str(world.general),
                                                       None)
    assert event.reply_to == str(question.id)
    assert event.mentions == (str(world.alice.id),)
    assert "Moderator" in event.author_roles and not event.author_is_staff
    assert event.author_name == "Mod"
    assert event.ts == answer.created_at
    assert event.raw is None, "the native payload stays out of the event"


def test_a_forum_post_starter_is_a_forum_thread_start(world: World) -> None:
    starter = world.message(world.post, world.alice, "It crashes.", message_id=world.post)
    reply = world.message(world.post, world.mod, "Delete the cache.")
    first = conv.message_event(starter)
    second = conv.message_event(reply)
    assert first is not None and second is not None
    assert (first.channel, first.thread, first.channel_kind) == (
        str(world.forum), str(world.post), "forum")
    assert first.text == "Crash on start\nIt crashes.", "the post's title is part of it"
    assert (second.channel, second.thread, second.channel_kind) == (
        str(world.forum), str(world.post), "forum")
    assert conv.place_of(reply.channel).cursor_key == f"{world.forum}/{world.post}"


def test_bots_webhooks_and_system_messages_are_skipped(world: World) -> None:
    assert conv.message_event(world.message(world.general, world.fake.bot, "hi?")) is None
    data = world.fake.message(world.general, world.alice, "from a webhook")
    data["webhook_id"] = str(snowflake())
    hooked = discord.Message(state=world.state, channel=world.guild.get_channel(world.general),  # type: ignore[arg-type]
                             data=data)  # type: ignore[arg-type]
    assert conv.message_event(hooked) is None
    data = world.fake.message(world.general, world.alice, "")
    data["type"] = 7  # "alice joined"
    joined = discord.Message(state=world.state, channel=world.guild.get_channel(world.general),  # type: ignore[arg-type]
                             data=data)  # type: ignore[arg-type]
    assert conv.message_event(joined) is None


def test_manage_server_makes_staff(world: World) -> None:
    member = world.guild.get_member(world.fake.bot.id)
    assert member is not None
    assert not conv.has_staff_permission(member)
    def rule(*roles: str) -> StaffRule:
        return StaffRule(CommunitySettings(staff_roles=list(roles)))

    assert conv.is_staff_member(member, rule("innercircle")), "a staff role, by name"
    assert conv.is_staff_member(member, rule(str(world.fake.role_bot))), "or by id"
    assert not conv.is_staff_member(member, rule("moderator"))


def test_reactions_edits_and_deletes(world: World) -> None:
    now = datetime.now(UTC)
    place = conv.Place(str(world.general))
    message = world.fake.message(world.general, world.alice, "Thanks!")
    data = world.fake.react(message, world.mod, "\u2705")
    added = discord.RawReactionActionEvent(data, discord.PartialEmoji(name="\u2705"),  # type: ignore[arg-type]
                                           "REACTION_ADD")
    event = conv.reaction_event(added, place, now)
    assert event is not None and not isinstance(event, ReactionRemove)
    assert (event.message, event.user, event.emoji) == (message["id"], str(world.mod.id), "✅")
    removed = discord.RawReactionActionEvent(data, discord.PartialEmoji(name="👍🏽"),  # type: ignore[arg-type]
                                             "REACTION_REMOVE")
    event = conv.reaction_event(removed, place, now)
    assert isinstance(event, ReactionRemove) and event.emoji == "👍"

    update = discord.RawMessageUpdateEvent(
        {**message, "content": "Thanks, solved!"},  # type: ignore[arg-type]
        discord.Message(state=world.state, channel=world.guild.get_channel(world.general),  # type: ignore[arg-type]
                        data=message))  # type: ignore[arg-type]
    edit = conv.edit_event(update, place, now)
    assert isinstance(edit, MessageEdit) and edit.text == "Thanks, solved!"
    unfurl = {k: v for k, v in message.items() if k != "content"}
    no_text = discord.RawMessageUpdateEvent(
        unfurl,  # type: ignore[arg-type]
        discord.Message(state=world.state, channel=world.guild.get_channel(world.general),  # type: ignore[arg-type]
                        data=message))  # type: ignore[arg-type]
    assert conv.edit_event(no_text, place, now) is None

    deletes = conv.delete_events(world.fake.guild_id, {3, 1}, place, now)
    assert [d.id for d in deletes] == ["1", "3"]
    assert conv.delete_events(None, {1}, place, now) == []


def test_catch_up_helpers() -> None:
    since = datetime(2025, 1, 1, tzinfo=UTC)
    assert snowflake_after((0.0, "12345"), since).id == 12345
    start = snowflake_after(None, since)
    assert discord.utils.snowflake_time(start.id) == since
    from_ts = snowflake_after(((since + timedelta(1)).timestamp(), None), since)
    assert discord.utils.snowflake_time(from_ts.id) == since + timedelta(1)
    settings = CommunitySettings(watched_channels=["1", "2"], excluded_channels=["2"])
    rule = ChannelRule(settings)
    assert rule.watches("1") and not rule.watches("2") and not rule.watches("3")
    assert ChannelRule(CommunitySettings()).watches("3")


def test_a_reply_renders_as_an_embed_with_attachments_and_buttons() -> None:
    reply = Reply(title="Community health", text="3 questions.",
                  fields=[Field("Questions asked", "3"), Field("Long", "x" * 2000, False)],
                  lines=["• one", "• two"], footer="last 7 days", chart=b"PNG",
                  file=("export.json", b"{}"), tone="warn",
                  buttons=[Button("nom:1", "Approve", "primary"), Button("nom:2", "Decline",
                                                                          "danger")])
    rendered = render(reply)
    embed = rendered.embed.to_dict()
    assert embed["title"] == "Community health"
    assert embed["description"] == "3 questions.\n\n• one\n• two"
    assert embed["fields"][0] == {"name": "Questions asked", "value": "3", "inline": True}
    assert len(embed["fields"][1]["value"]) == 1024 and embed["fields"][1]["value"][-1] == "…"
    assert embed["footer"]["text"] == "last 7 days"
    assert embed["color"] == 0xFEE75C
    assert embed["image"]["url"] == "attachment://chart.png"
    assert [f.filename for f in rendered.files] == ["chart.png", "export.json"]
    assert rendered.view is not None
    components = rendered.view.to_components()
    assert [(b["custom_id"], b["label"], b["style"]) for b in components[0]["components"]] == [
        ("nom:1", "Approve", 1), ("nom:2", "Decline", 4)]
    assert not rendered.view.is_dispatchable(), "presses are routed by custom_id, not views"


def test_many_lines_are_counted_not_cut() -> None:
    reply = Reply(title="t", lines=[f"line {i} " + "x" * 90 for i in range(200)])
    description = render(reply).embed.description or ""
    assert len(description) <= DESCRIPTION_MAX
    assert description.endswith("more.")
    assert render(Reply(title="t")).view is None


async def test_commands_are_built_from_what_the_cogs_declare() -> None:
    async def handler(ctx: Any, **kwargs: Any) -> Reply:
        return Reply(title="x")

    commands = [
        Command("helpers", "The most passionate members: breadth of help over volume, each "
                "score with its parts (period 7, 30 or 90 days).", handler,
                (Option("period", "choice", "Days.", choices=("7", "30", "90")),
                 Option("public", "bool", "Show everyone."))),
        Command("nominate", "Nominate a member.", handler,
                (Option("reason", "text", "Why.", required=True),
                 Option("member", "member", "Who.", required=True),
                 Option("weeks", "int", "How many weeks."),
                 Option("where", "channel", "Where."))),
    ]
    actions = [MessageAction("Mark as answer", "mark_answer", handler)]
    calls: list[tuple[str, dict[str, Any]]] = []

    async def run_command(interaction: Any, name: str, args: dict[str, Any]) -> None:
        calls.append((name, args))

    async def run_action(interaction: Any, callback_id: str, message: Any) -> None:
        calls.append((callback_id, {"message": message}))

    client = discord.Client(intents=intents())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    build_tree(tree, commands, actions, run_command, run_action)
    group = tree.get_command("circle")
    assert isinstance(group, app_commands.Group)
    payload = json.loads(json.dumps(group.to_dict(tree)))
    subs = {o["name"]: o for o in payload["options"]}
    helpers = subs["helpers"]
    assert len(helpers["description"]) <= 100
    assert helpers["options"][0]["choices"] == [{"name": v, "value": v} for v in ("7", "30",
                                                                                  "90")]
    assert helpers["options"][1]["type"] == 5
    nominate = [(o["name"], o["type"], o["required"]) for o in subs["nominate"]["options"]]
    assert nominate == [("reason", 3, True), ("member", 6, True), ("weeks", 4, False),
                        ("where", 7, False)]
    assert tree.get_command("Mark as answer", type=discord.AppCommandType.message) is not None

    command = group.get_command("nominate")
    assert isinstance(command, app_commands.Command)
    await command.callback(None, reason="kind", member=discord.Object(id=7))  # type: ignore[arg-type, call-arg]
    assert calls == [("nominate", {"reason": "kind", "member": "7"})]


async def test_shards_need_a_count(sqlite_store: Any) -> None:
    from bot.config import ConfigError, DiscordSettings, Settings
    from bot.platforms.discord_adapter import DiscordAdapter, InnercircleShardedClient

    runtime = build_runtime(Settings(), sqlite_store)
    with pytest.raises(ConfigError, match="shard_count"):
        DiscordAdapter(runtime, DiscordSettings(token="t", shard_ids=[0]))
    adapter = DiscordAdapter(runtime, DiscordSettings(token="t", shard_ids=[1], shard_count=2))
    assert isinstance(adapter.client, InnercircleShardedClient)
    assert adapter.client.shard_ids == [1]


def test_option_values_and_descriptions() -> None:
    assert option_value(discord.Object(id=5)) == "5"
    assert option_value(True) is True and option_value(3) == 3 and option_value("x") == "x"
    assert describe("Short.") == "Short."
    long = "A sentence that is long enough. " + "word " * 40
    assert describe(long) == "A sentence that is long enough."
    assert len(describe("word " * 60)) <= 100
