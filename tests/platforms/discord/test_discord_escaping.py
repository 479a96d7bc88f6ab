"""Member text can never ping, link under a false label or format on Discord: through the
real discord.py client against the fake, every message carries ``allowed_mentions`` that
allow no @everyone, no role and only the members a reply means to notify, and member text
is shown with its markdown, masked links and mentions neutralised."""

from __future__ import annotations

from typing import Any

from fake_discord import FakeDiscord
from test_discord_e2e import Cast, cast, scope_of  # noqa: F401  (cast is a fixture)

from bot.features import Reply
from bot.member_text import member_text

HOSTILE = ("@everyone see [docs.example.com](https://evil.example/x) **now** <@{bob}> "
           "<@&{role}> @here")


async def test_posts_allow_no_mass_mention_and_neutralise_member_text(
        fake: FakeDiscord, cast: Cast, start_bot: Any) -> None:  # noqa: F811
    bot = await start_bot()
    hostile = HOSTILE.format(bob=cast.bob.id, role=fake.role_moderator)
    reply = Reply(title="Unanswered questions (1)",
                  lines=[f"• 2h waiting: “{member_text(hostile)}”",
                         f"Top helper: <@{cast.bob.id}>"])
    assert await bot.adapter.post(scope_of(fake), str(cast.general), reply) is not None
    sent = fake.find("POST", rf"/channels/{cast.general}/messages")[-1]
    assert sent.body["allowed_mentions"] == {"parse": [], "users": []}
    description = sent.embeds[0]["description"]
    assert "[docs.example.com](" not in description
    assert "docs.example.com (https://evil.example/x)" in description
    assert "\\*\\*now\\*\\*" in description
    assert "@everyone" not in description and "@here" not in description
    assert f"<@{cast.bob.id}>" not in description.split("Top helper")[0]
    assert f"Top helper: <@{cast.bob.id}>" in description  # the bot's own mention is kept


async def test_a_reply_meant_to_notify_allows_exactly_that_member(
        fake: FakeDiscord, cast: Cast, start_bot: Any) -> None:  # noqa: F811
    bot = await start_bot()
    shout = Reply(title="Shout-out", text=f"<@{cast.bob.id}> is an advocate!",
                  notify=(str(cast.bob.id),))
    assert await bot.adapter.post(scope_of(fake), str(cast.general), shout) is not None
    sent = fake.find("POST", rf"/channels/{cast.general}/messages")[-1]
    assert [str(u) for u in sent.body["allowed_mentions"]["users"]] == [str(cast.bob.id)]
    assert sent.body["allowed_mentions"]["parse"] == []
