"""End to end: the real discord.py client against the fake Discord, the real engine and store.

Events go in through the fake's gateway; what the bot writes is read back from the store and
from the REST calls it made (interaction callbacks, follow-ups, DMs).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_discord import APP_ID, FakeDiscord, Request, snowflake

from bot import reports
from bot.features import Button, Command, CommandContext, Reply
from bot.period import period_from
from bot.runtime import Runtime
from bot.scope import Scope

MANAGE_GUILD = 1 << 5


def scope_of(fake: FakeDiscord) -> Scope:
    return Scope("discord", str(fake.guild_id))


class Cast:
    """The members of the fake community."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.alice = fake.add_user("alice")
        self.bob = fake.add_user("bob")
        self.carol = fake.add_user("carol")
        self.dave = fake.add_user("dave")
        self.erin = fake.add_user("erin")
        self.mod = fake.add_user("mod", roles=[fake.role_moderator])
        self.owner = fake.add_user("owner", permissions=MANAGE_GUILD | 1024 | 2048)
        self.general = fake.add_channel("general")
        self.forum = fake.add_channel("help-forum", kind=15)


@pytest.fixture
def cast(fake: FakeDiscord) -> Cast:
    return Cast(fake)


async def helpers_of(runtime: Runtime, scope: Scope) -> dict[str, Any]:
    settings = await runtime.community_settings(scope)
    ranked = await reports.helpers(runtime.store, scope, period_from(None, None, days=7),
                                   settings)
    return {e.advocate.user: e.advocate for e in ranked}


async def followup(fake: FakeDiscord, interaction: dict[str, Any], start: int) -> Request:
    """The follow-up the bot sent for ``interaction`` (after deferring it)."""
    callback = await fake.wait_request(
        "POST", rf"/interactions/{interaction['id']}/[^/]+/callback", after=start)
    assert callback.body["type"] == 5, "the bot defers first (3-second limit)"
    return await fake.wait_request("POST", rf"/webhooks/{APP_ID}/{interaction['token']}",
                                   after=start)


async def test_conversation_forum_and_reactions_become_facts(fake: FakeDiscord, cast: Cast,
                                                             start_bot: Any) -> None:
    bot = await start_bot()
    scope = scope_of(fake)
    c = cast
    m1 = fake.message(c.general, c.alice, "How do I configure the webhook timeout?")
    m2 = fake.message(c.general, c.bob, "Set timeout = 30 in config.toml and restart the "
                      "service.", reply_to=int(m1["id"]), mentions=[c.alice])
    post = snowflake()
    fake.add_thread(c.forum, "Build fails on Windows", c.carol, thread_id=post)
    starter = fake.message(post, c.carol, "I get error C1083 when building.",
                           message_id=post)
    m5 = fake.message(post, c.dave, "Install the Visual C++ build tools, then build again.")
    m7 = fake.message(c.general, c.mod, "Reminder: please keep the channel on topic.")
    m8 = fake.message(c.general, c.erin, "Does anyone know how to export the data?")
    bot_says = fake.message(c.general, fake.bot, "Is this a question? I am a bot.")
    await fake.dispatch("MESSAGE_CREATE", m1)
    await fake.dispatch("MESSAGE_CREATE", m2)
    await fake.dispatch("MESSAGE_REACTION_ADD", fake.react(m2, c.alice, "✅"))
    await fake.dispatch("THREAD_CREATE", {**fake.threads[post], "newly_created": True})
    await fake.dispatch("MESSAGE_CREATE", starter)
    await fake.dispatch("MESSAGE_CREATE", m5)
    await fake.dispatch("MESSAGE_REACTION_ADD", fake.react(m5, c.carol, "🙏"))
    await fake.dispatch("MESSAGE_CREATE", m7)
    await fake.dispatch("MESSAGE_CREATE", m8)
    await fake.dispatch("MESSAGE_CREATE", bot_says)
    await bot.settle(9)  # THREAD_CREATE is not an event for the engine

    store = bot.runtime.store
    infos = await store.message_infos(scope, [m1["id"], m2["id"], str(post), m5["id"],
                                              m7["id"], m8["id"], bot_says["id"]])
    assert infos[m1["id"]].is_question and infos[m8["id"]].is_question
    forum_post = infos[str(post)]
    assert forum_post.is_question
    assert (forum_post.channel, forum_post.thread) == (str(c.forum), str(post))
    assert infos[m5["id"]].thread == str(post)
    assert infos[m7["id"]].author_is_staff, "the Moderator role is a configured staff role"
    assert not infos[m7["id"]].is_question
    assert bot_says["id"] not in infos, "bots are ignored"

    [answer] = await store.answers_by_message(scope, [m2["id"]])
    assert (answer.question_id, answer.answerer, answer.via) == (m1["id"], str(c.bob.id),
                                                                  "reply")
    [forum_answer] = await store.answers_by_message(scope, [m5["id"]])
    assert (forum_answer.question_id, forum_answer.answerer) == (str(post), str(c.dave.id))

    settings = await bot.runtime.community_settings(scope)
    health = await reports.health(store, scope, period_from(None, None, days=7), settings)
    assert (health.questions, health.unanswered) == (3, 1)
    helpers = await helpers_of(bot.runtime, scope)
    assert set(helpers) == {str(c.bob.id), str(c.dave.id)}
    assert helpers[str(c.bob.id)].thanked == 1 and helpers[str(c.dave.id)].thanked == 1

    # /circle helpers (private) and /circle health public:true, as Discord sends them.
    start = len(fake.requests)
    ask = fake.command(c.erin, c.general, "helpers")
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    callback = fake.find("POST", rf"/interactions/{ask['id']}/.*")[0]
    assert callback.body["data"]["flags"] & 64, "private unless public"
    [embed] = sent.embeds
    assert embed["title"] == "Top helpers, last 30 days"
    assert f"<@{c.bob.id}>" in embed["description"]
    assert f"<@{c.dave.id}>" in embed["description"]
    assert "helped 1 person" in embed["description"] and "thanked 1" in embed["description"]

    start = len(fake.requests)
    ask = fake.command(c.erin, c.general, "health", public=True)
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    callback = fake.find("POST", rf"/interactions/{ask['id']}/.*")[0]
    assert not (callback.body.get("data", {}).get("flags", 0) & 64)
    [embed] = sent.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Questions asked"].startswith("3")
    assert fields["Asked and unanswered"].startswith("1")
    assert embed["image"]["url"] == "attachment://chart.png"
    assert sent.files == ["chart.png"]

    # An edit that makes the open question a statement, then a delete.
    await fake.dispatch("MESSAGE_UPDATE", {**m8, "content": "I exported the data myself.",
                                           "edited_timestamp": datetime.now(UTC).isoformat()})
    await fake.dispatch("MESSAGE_DELETE", {"id": m2["id"], "channel_id": m2["channel_id"],
                                           "guild_id": str(fake.guild_id)})
    await bot.settle(2)
    infos = await store.message_infos(scope, [m2["id"], m8["id"]])
    assert not infos[m8["id"]].is_question
    assert infos[m2["id"]].deleted


async def test_mark_as_answer_credits_the_helper(fake: FakeDiscord, cast: Cast,
                                                 start_bot: Any) -> None:
    bot = await start_bot()
    scope = scope_of(fake)
    c = cast
    question = fake.message(c.general, c.alice, "Is there a way to rotate the API key?")
    chatter = fake.message(c.general, c.carol, "Lunch was great today.")
    answer = fake.message(c.general, c.bob, "The dashboard has a rotate button under Keys.")
    for message in (question, chatter, answer):
        await fake.dispatch("MESSAGE_CREATE", message)
    await bot.settle(3)
    before = await helpers_of(bot.runtime, scope)
    assert str(c.bob.id) not in before or before[str(c.bob.id)].thanked == 0

    start = len(fake.requests)
    menu = fake.context_menu(c.alice, "Mark as answer", answer)
    await fake.dispatch("INTERACTION_CREATE", menu)
    sent = await followup(fake, menu, start)
    assert sent.embeds[0]["title"] == "Marked as the answer"
    assert sent.body["flags"] & 64

    rows = await bot.runtime.store.answers_by_message(scope, [answer["id"]])
    assert [(r.question_id, r.via, r.active) for r in rows] == [(question["id"], "mark", True)]
    after = await helpers_of(bot.runtime, scope)
    assert after[str(c.bob.id)].thanked == 1, "the asker's mark counts as their thanks"


async def test_staff_only_actions_and_commands(fake: FakeDiscord, cast: Cast,
                                               start_bot: Any) -> None:
    async def secret(ctx: CommandContext) -> Reply:
        return Reply(title="Secret figures", text=f"for {ctx.invoker.user}")

    def setup(runtime: Runtime) -> None:
        runtime.commands["secret"] = Command("secret", "Staff test command.", secret,
                                             staff_only=True)

    bot = await start_bot(setup=setup)
    scope = scope_of(fake)
    c = cast
    question = fake.message(c.general, c.alice, "Why does the build fail on Fridays?")
    await fake.dispatch("MESSAGE_CREATE", question)
    await bot.settle(1)

    start = len(fake.requests)
    menu = fake.context_menu(c.erin, "Not a question", question)
    await fake.dispatch("INTERACTION_CREATE", menu)
    sent = await followup(fake, menu, start)
    assert sent.embeds[0]["title"] == "Sorry" and "staff only" in sent.embeds[0]["description"]
    infos = await bot.runtime.store.message_infos(scope, [question["id"]])
    assert infos[question["id"]].is_question

    start = len(fake.requests)
    menu = fake.context_menu(c.mod, "Not a question", question)
    await fake.dispatch("INTERACTION_CREATE", menu)
    sent = await followup(fake, menu, start)
    assert sent.embeds[0]["title"] == "Not a question", sent.embeds[0]
    infos = await bot.runtime.store.message_infos(scope, [question["id"]])
    assert not infos[question["id"]].is_question

    start = len(fake.requests)
    ask = fake.command(c.erin, c.general, "secret")
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    assert "staff only" in sent.embeds[0]["description"]

    start = len(fake.requests)
    ask = fake.command(c.owner, c.general, "secret")  # Manage Server makes staff
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    assert sent.embeds[0]["title"] == "Secret figures"


async def test_catch_up_after_restart_reads_missed_messages_once(
        fake: FakeDiscord, cast: Cast, start_bot: Any) -> None:
    c = cast
    scope = scope_of(fake)
    now = datetime.now(UTC)
    # History from before the bot ever ran: read as initial history.
    old_q = fake.message(c.general, c.alice, "How do I rotate logs?", when=now - timedelta(2))
    old_a = fake.message(c.general, c.bob, "Use logrotate with the copytruncate option.",
                         when=now - timedelta(2) + timedelta(minutes=5),
                         reply_to=int(old_q["id"]))
    fake.react(old_a, c.alice, "✅")
    too_old = fake.message(c.general, c.erin, "Anyone here from last month?",
                           when=now - timedelta(30))
    post = snowflake(now - timedelta(1))
    fake.add_thread(c.forum, "Crash on start", c.carol, thread_id=post)
    fake.message(post, c.carol, "The app crashes on start.", message_id=post,
                 when=now - timedelta(1))
    fake.message(post, c.dave, "Delete the cache folder and start it again.",
                 when=now - timedelta(1) + timedelta(minutes=3))

    bot = await start_bot()
    store = bot.runtime.store
    infos = await store.message_infos(scope, [old_q["id"], old_a["id"], str(post),
                                              too_old["id"]])
    assert set(infos) == {old_q["id"], old_a["id"], str(post)}
    helpers = await helpers_of(bot.runtime, scope)
    assert helpers[str(c.bob.id)].thanked == 1, "a ✅ found in history counts"
    assert str(c.dave.id) in helpers

    live = fake.message(c.general, c.erin, "Is there a dark mode?")
    await fake.dispatch("MESSAGE_CREATE", live)
    await bot.settle(1)
    await bot.stop()

    # While the bot is down: two messages in #general, one in the forum post.
    missed = [fake.message(c.general, c.bob, "Settings > Appearance > Dark.",
                           reply_to=int(live["id"])),
              fake.message(c.general, c.erin, "Found it, thanks!")]
    missed_thread = fake.message(post, c.carol, "That fixed it, thank you!")
    start = len(fake.requests)
    bot = await start_bot()
    reads = [r for r in fake.requests[start:] if r.method == "GET"
             and r.path == f"/channels/{c.general}/messages"]
    assert reads[0].query["after"] == live["id"], "resumes after the last message seen"
    served = Counter(fake.served)
    for message in [*missed, missed_thread]:
        assert served[int(message["id"])] == 1, "each missed message is read exactly once"
    infos = await store.message_infos(scope, [m["id"] for m in [*missed, missed_thread]])
    assert len(infos) == 3
    [dark_mode] = await store.answers_by_message(scope, [missed[0]["id"]])
    assert dark_mode.question_id == live["id"]
    settings = await bot.runtime.community_settings(scope)
    health = await reports.health(store, scope, period_from(None, None, days=7), settings)
    assert health.questions == 3  # rotate logs, crash on start, dark mode: none twice
    await bot.stop()

    start = len(fake.requests)
    await start_bot()
    assert not [r for r in fake.requests[start:] if r.path.endswith("/messages")
                and r.method == "GET"], "nothing new: no history read at all"


async def test_dm_refused_is_logged_and_buttons_route_after_restart(
        fake: FakeDiscord, cast: Cast, start_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pressed: list[tuple[Scope, str, str, bool]] = []

    async def decide(ctx: CommandContext, payload: str) -> Reply:
        pressed.append((ctx.scope, payload, ctx.invoker.user, ctx.invoker.is_staff))
        return Reply(title="Approved", text="The reward is on its way.", tone="good")

    def setup(runtime: Runtime) -> None:
        runtime.button_handlers["nomtest"] = decide

    c = cast
    scope = scope_of(fake)
    bot = await start_bot(setup=setup)
    adapter = bot.adapter
    fake.refuse_dm.add(c.erin.id)
    with caplog.at_level(logging.WARNING, logger="bot.platforms.discord_adapter"):
        refused = await adapter.send_dm(scope, str(c.erin.id), Reply(title="Weekly digest"))
    assert refused is False
    assert any("refused" in r.getMessage() and str(c.erin.id) in r.getMessage()
               for r in caplog.records)

    nomination = Reply(title="Nomination", text="bob helped 5 people.",
                       buttons=[Button("nomtest:42", "Approve", "primary"),
                                Button("nomtest:-42", "Decline", "danger")])
    assert await adapter.send_dm(scope, str(c.mod.id), nomination) is True
    dm = fake.find("POST", r"/channels/\d+/messages")[-1]
    buttons = dm.body["components"][0]["components"]
    assert [b["custom_id"] for b in buttons] == [f"{fake.guild_id}/nomtest:42",
                                                 f"{fake.guild_id}/nomtest:-42"]

    # The bot restarts; the moderator presses Approve on the DM sent before.
    await bot.stop()
    bot = await start_bot(setup=setup)
    message = fake._bot_message(int(dm.path.split("/")[2]), dm.body, dm=True)
    press = fake.interaction(c.mod, {"custom_id": buttons[0]["custom_id"],
                                     "component_type": 2}, kind=3, dm=True, message=message)
    start = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", press)
    edited = await fake.wait_request(
        "PATCH", rf"/webhooks/{APP_ID}/{press['token']}/messages/@original", after=start)
    assert edited.embeds[0]["title"] == "Approved"
    assert edited.body["components"] == []
    assert pressed == [(scope, "42", str(c.mod.id), True)]

    # The bot is still fine: a live message is still counted.
    question = fake.message(c.general, c.alice, "Where are the release notes?")
    await fake.dispatch("MESSAGE_CREATE", question)
    await bot.settle(1)
    assert question["id"] in await bot.runtime.store.message_infos(scope, [question["id"]])


async def test_posting_and_rewards_say_why_not(fake: FakeDiscord, cast: Cast,
                                               start_bot: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    c = cast
    scope = scope_of(fake)
    bot = await start_bot()
    adapter = bot.adapter
    posted = await adapter.post(scope, str(c.general), Reply(title="Weekly health",
                                                             chart=b"\x89PNG fake"))
    assert posted is not None
    sent = fake.find("POST", rf"/channels/{c.general}/messages")[-1]
    assert sent.embeds[0]["title"] == "Weekly health" and sent.files == ["chart.png"]
    with caplog.at_level(logging.WARNING, logger="bot.platforms.discord_adapter"):
        assert await adapter.post(scope, "123456789012345678", Reply(title="x")) is None
    assert any("no longer exists" in r.getMessage() for r in caplog.records)

    said = await adapter.grant_reward(scope, str(c.bob.id), "moderator")
    assert said == f"Gave “Moderator” to <@{c.bob.id}>."
    assert fake.find("PUT", rf"/guilds/{fake.guild_id}/members/{c.bob.id}/roles/"
                     rf"{fake.role_moderator}")
    assert "no role" in await adapter.grant_reward(scope, str(c.bob.id), "Champion")
    assert "above" in await adapter.grant_reward(scope, str(c.bob.id), "Innercircle")
    gone = "123456789012345678"
    assert "no longer a member" in await adapter.grant_reward(scope, gone, "Moderator")
    assert adapter.message_link(scope, "1", "2") == (
        f"https://discord.com/channels/{fake.guild_id}/1/2")
    lines = await adapter.describe_status(scope)
    assert "Every watched channel is readable." in lines
