"""`innercircle check` against the fake Discord: each ✓ and each ✗, through the real
discord.py login and gateway."""

from __future__ import annotations

from pathlib import Path

import discord
from fake_discord import TOKEN, FakeDiscord

from bot.commands.check import run_checks
from bot.setup_check import Check
from bot.store import Store


def write_config(tmp_path: Path, fake: FakeDiscord, community: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[community]\n{community}\n[discord]\napi_base = "{fake.api_base}"\n'
                      f'gateway_url = "{fake.gateway_url}"\n', encoding="utf-8")
    return config


async def check(tmp_path: Path, fake: FakeDiscord, community: str = "",
                db: str | None = None) -> list[Check]:
    config = write_config(tmp_path, fake, community)
    return await run_checks(config, db or str(tmp_path / "bot.sqlite"),
                            env={"INNERCIRCLE_DISCORD_TOKEN": TOKEN})


def lines(checks: list[Check]) -> str:
    return "\n".join(c.line() for c in checks)


def deny(fake: FakeDiscord, channel: int, **permissions: bool) -> None:
    fake.channels[channel]["permission_overwrites"].append(
        {"id": str(fake.role_bot), "type": 0, "allow": "0",
         "deny": str(discord.Permissions(**permissions).value)})


async def test_everything_right(fake: FakeDiscord, tmp_path: Path) -> None:
    general = fake.add_channel("general")
    fake.add_channel("help")
    mod = fake.add_user("mona", roles=[fake.role_moderator])
    store = await Store.open(str(tmp_path / "bot.sqlite"))
    await store.close()
    checks = await check(tmp_path, fake, f'report_channel = "{general}"\n'
                         f'moderators = ["{mod.id}"]')
    text = lines(checks)
    assert all(c.ok for c in checks), text
    assert "✓ Discord: the token is valid (logged in as innercircle" in text
    assert "✓ Discord: the Message Content intent is enabled" in text
    assert "✓ Discord: the Server Members intent is enabled" in text
    assert "reads all 2 watched channels" in text
    assert "can post the weekly report in #general" in text
    assert "moderator mona is staff" in text
    assert "is reachable and migrated (schema" in text


async def test_a_rejected_token(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.token_valid = False
    checks = await check(tmp_path, fake)
    [bad] = [c for c in checks if not c.ok]
    assert bad.what == "Discord: the token was rejected"
    assert bad.fix is not None and "Reset Token" in bad.fix


async def test_intents_switched_off(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.app_flags = 0
    checks = await check(tmp_path, fake)
    bad = [c.what for c in checks if not c.ok]
    assert bad == ["Discord: the Message Content intent is off",
                   "Discord: the Server Members intent is off"]
    assert "Privileged Gateway Intents" in lines(checks)


async def test_channels_it_cannot_read_or_post_in(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.add_user("olga")  # the server's owner (the bot, owning nothing, has no bypass)
    fake.add_channel("general")
    secret = fake.add_channel("secret")
    report = fake.add_channel("announcements")
    deny(fake, secret, view_channel=True)
    deny(fake, report, send_messages=True, attach_files=True)
    checks = await check(tmp_path, fake, f'report_channel = "{report}"')
    bad = [c for c in checks if not c.ok]
    assert [c.what for c in bad] == [
        "Discord “Fake Community”: cannot read #secret (missing View Channel, Read Message "
        "History)",
        # without Send Messages, Discord denies embeds and files as well
        "Discord “Fake Community”: cannot post the weekly report in #announcements (missing "
        "Send Messages, Embed Links, Attach Files)"]
    assert all(c.fix for c in bad)


async def test_channel_names_and_unknown_ids_get_the_id_to_use(fake: FakeDiscord,
                                                             tmp_path: Path) -> None:
    general = fake.add_channel("general")
    checks = await check(tmp_path, fake, 'watched_channels = ["#general", "123456789"]\n'
                         'report_channel = "general"')
    text = lines(checks)
    assert checks[0].what.startswith("config: ") and not checks[0].ok
    assert f'use the id "{general}" (#general) instead of \'#general\'' in text
    assert f'use the id "{general}" (#general) instead of \'general\'' in text
    assert "channel '123456789' in the config does not exist here" in text


async def test_a_moderator_who_is_not_staff(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.add_user("olga")  # the owner: staff by ownership
    fake.add_channel("general")
    carl = fake.add_user("carl")
    checks = await check(tmp_path, fake, f'moderators = ["{carl.id}", "42"]')
    bad = [c.what for c in checks if not c.ok]
    assert bad == ["Discord “Fake Community”: moderator carl is not staff, so gets no digest",
                   "Discord “Fake Community”: moderator '42' is not a member here"]


async def test_a_database_out_of_reach(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.add_channel("general")
    checks = await check(tmp_path, fake, db="postgresql://nobody@127.0.0.1:9/nothing")
    [bad] = [c for c in checks if not c.ok]
    assert bad.what.startswith("database: cannot reach the postgresql database "
                               "127.0.0.1:9/nothing")
    assert bad.fix is not None and "INNERCIRCLE_DB" in bad.fix
