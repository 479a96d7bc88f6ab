"""``/circle profile`` on Discord explains a member's credits: the member sees their own
credited answers privately (route, confidence, the question's excerpt), staff see anyone's,
other members and public replies see no excerpt. On a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fake_discord import FakeDiscord
from test_discord_e2e import MANAGE_GUILD, followup

from bot.store import Store


async def profile(fake: FakeDiscord, who: Any, channel: int, **options: Any) -> dict[str, Any]:
    start = len(fake.requests)
    ask = fake.command(who, channel, "profile", **options)
    await fake.dispatch("INTERACTION_CREATE", ask)
    sent = await followup(fake, ask, start)
    callback = fake.find("POST", rf"/interactions/{ask['id']}/.*")[0]
    [embed] = sent.embeds
    embed["private"] = bool(callback.body.get("data", {}).get("flags", 0) & 64)
    return embed


async def test_profile_explains_credits_to_the_member_and_staff_only(
        fake: FakeDiscord, start_bot: Any, store: Store) -> None:
    alice, bob, erin = fake.add_user("alice"), fake.add_user("bob"), fake.add_user("erin")
    mod = fake.add_user("mod", roles=[fake.role_moderator], permissions=MANAGE_GUILD)
    general = fake.add_channel("general")
    bot = await start_bot(store=store)
    at = datetime.now(UTC) - timedelta(hours=1)
    question = fake.message(general, alice, "How do I rotate the webhook signing secret?",
                            when=at)
    answer = fake.message(general, bob, "Settings → Webhooks → Rotate secret, then update "
                          "WEBHOOK_SECRET in your .env", when=at + timedelta(minutes=3),
                          reply_to=int(question["id"]))
    for message in (question, answer):
        await fake.dispatch("MESSAGE_CREATE", message)
    await fake.dispatch("MESSAGE_REACTION_ADD", fake.react(answer, alice, "✅"))
    await bot.settle(3)

    own = await profile(fake, bob, general)
    assert own["private"]
    text = own["description"] + "\n" + "\n".join(f["name"] for f in own.get("fields", []))
    assert "Credited answers (1)" in own["description"]
    assert "How do I rotate the webhook signing secret?" in own["description"]
    assert "a reply" in own["description"] and "confidence" in own["description"]
    assert "acknowledged" in own["description"]
    assert f"<@{alice.id}>" in own["description"]
    assert "People helped" in text

    staff = await profile(fake, mod, general, member=bob)
    assert "How do I rotate the webhook signing secret?" in staff["description"]

    other = await profile(fake, erin, general, member=bob)
    assert "webhook signing secret" not in other["description"]
    assert "only the member and staff" in other["description"]

    public = await profile(fake, bob, general, public=True)
    assert not public["private"]
    assert "webhook signing secret" not in public["description"]
