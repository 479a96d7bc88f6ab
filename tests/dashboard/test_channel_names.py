"""Channel names on the events every source makes (the dashboard shows #help, not CHELP):
a Slack export names its channels in channels.json and groups.json."""

from __future__ import annotations

from pathlib import Path

from bot.events import Message
from tests.imports.test_slack_import import HELP, PRIVATE, read_all, workspace


def test_a_slack_export_names_its_channels(tmp_path: Path) -> None:
    events, _ = read_all(workspace().folder(tmp_path / "export"))
    names = {(e.channel, e.channel_name) for e in events if isinstance(e, Message)}
    assert names == {(HELP, "help"), (PRIVATE, "secret-team")}
