"""`innercircle check` against the fake Slack: each ✓ and each ✗, through slack_sdk's real
Web API client."""

from __future__ import annotations

from pathlib import Path

from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from slack_helpers import ADMIN, BOB, GENERAL, HELP

from bot.commands.check import run_checks
from bot.setup_check import Check
from bot.setup_check.slack_check import REQUIRED_SCOPES


async def check(tmp_path: Path, fake: FakeSlack, community: str = "",
                env: dict[str, str] | None = None) -> list[Check]:
    config = tmp_path / "config.toml"
    config.write_text(f'[community]\n{community}\n[slack]\napi_url = "{fake.api_url}"\n',
                      encoding="utf-8")
    tokens = {"INNERCIRCLE_SLACK_BOT_TOKEN": BOT_TOKEN, "INNERCIRCLE_SLACK_APP_TOKEN": APP_TOKEN}
    return await run_checks(config, str(tmp_path / "bot.sqlite"), env={**tokens, **(env or {})})


def lines(checks: list[Check]) -> str:
    return "\n".join(c.line() for c in checks)


async def test_everything_right(fake: FakeSlack, tmp_path: Path) -> None:
    fake.scopes = ",".join(REQUIRED_SCOPES)
    checks = await check(tmp_path, fake, f'watched_channels = ["{GENERAL}", "{HELP}"]\n'
                         f'report_channel = "{GENERAL}"\nmoderators = ["{ADMIN}"]')
    text = lines(checks)
    assert all(c.ok for c in checks), text
    assert "✓ Slack: the bot token is valid (workspace Fake, bot innercircle)" in text
    assert "✓ Slack: the app-level token opens a Socket Mode connection" in text
    assert "✓ Slack: the app has every scope it needs" in text
    assert "✓ Slack: the bot is in all 2 watched channels" in text
    assert f"✓ Slack: can post the weekly report in {GENERAL}" in text
    assert "✓ Slack: moderator Ada Admin is staff" in text
    assert "does not exist yet; the bot creates it" in text


async def test_a_rejected_bot_token(fake: FakeSlack, tmp_path: Path) -> None:
    fake.token = "xoxb-another"
    checks = await check(tmp_path, fake)
    [bad] = [c for c in checks if not c.ok]
    assert bad.what == "Slack: the bot token was rejected (invalid_auth)"
    assert bad.fix is not None and "OAuth & Permissions" in bad.fix


async def test_a_wrong_app_token(fake: FakeSlack, tmp_path: Path) -> None:
    checks = await check(tmp_path, fake, env={"INNERCIRCLE_SLACK_APP_TOKEN": "xapp-wrong"})
    bad = [c.what for c in checks if not c.ok]
    assert bad == ["Slack: the app-level token was rejected (invalid_auth)"]


async def test_channels_without_the_bot_and_names(fake: FakeSlack, tmp_path: Path) -> None:
    fake.channel_names = {GENERAL: "general", HELP: "help"}
    checks = await check(tmp_path, fake, 'watched_channels = ["CRANDOM", "#help"]\n'
                         'report_channel = "CNEWS"')
    text = lines(checks)
    bad = [c.what for c in checks if not c.ok]
    assert bad[0].startswith("config: ")
    assert bad[1:] == ["Slack: '#help' in the config is a channel name",
                       "Slack: the bot is not in watched channel CRANDOM",
                       "Slack: the bot is not in report channel CNEWS"]
    assert f'use the id "{HELP}" (#help) instead of \'#help\'' in text
    assert "/invite @Innercircle" in text


async def test_a_moderator_who_is_not_staff(fake: FakeSlack, tmp_path: Path) -> None:
    checks = await check(tmp_path, fake, f'moderators = ["{BOB}", "UNOBODY"]')
    bad = [c.what for c in checks if not c.ok]
    assert bad == ["Slack: moderator Bob is not staff, so gets no digest",
                   "Slack: moderator 'UNOBODY' is not in the workspace"]
    fine = await check(tmp_path, fake, f'moderators = ["{BOB}"]\nstaff_users = ["{BOB}"]')
    assert all(c.ok for c in fine), lines(fine)


async def test_missing_scopes(fake: FakeSlack, tmp_path: Path) -> None:
    fake.scopes = "channels:history,chat:write,commands"
    checks = await check(tmp_path, fake)
    bad = [c for c in checks if not c.ok]
    assert [c.what for c in bad] == [
        "Slack: the app lacks the scopes channels:read, groups:history, groups:read, "
        "reactions:read, users:read, im:write, files:write"]
    assert bad[0].fix is not None and "reinstall" in bad[0].fix


def test_the_manifest_asks_for_every_scope_check_wants() -> None:
    manifest = Path(__file__).resolve().parents[3] / "slack" / "manifest.yaml"
    import yaml

    scopes = yaml.safe_load(manifest.read_text(encoding="utf-8"))["oauth_config"]["scopes"]
    assert set(REQUIRED_SCOPES) == set(scopes["bot"])
