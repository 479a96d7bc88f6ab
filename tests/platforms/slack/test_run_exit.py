"""``innercircle run`` as a service manager sees it, against the fake Slack: a rejected token
exits non-zero with one line, SIGTERM stops within 10 seconds with exit code 0, and neither
prints a traceback."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from slack_helpers import SECRET


def config(tmp_path: Path, fake: FakeSlack, token: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[slack]
bot_token = "{token}"
app_token = "{APP_TOKEN}"
signing_secret = "{SECRET}"
mode = "socket"
api_url = "{fake.api_url}"
""", encoding="utf-8")
    return path


async def start(tmp_path: Path, fake: FakeSlack, token: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config(tmp_path, fake, token)),
        "--db", str(tmp_path / "bot.sqlite"), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


async def test_a_rejected_token_exits_3_with_one_line(fake: FakeSlack, tmp_path: Path) -> None:
    process = await start(tmp_path, fake, "xoxb-revoked")
    _, err = await asyncio.wait_for(process.communicate(), 60)
    stderr = err.decode()
    assert process.returncode == 3, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "refused the token" in errors[0], stderr
    assert "INNERCIRCLE_SLACK_BOT_TOKEN" in errors[0]
    assert "Traceback" not in stderr and "CancelledError" not in stderr


async def test_sigterm_stops_within_ten_seconds(fake: FakeSlack, tmp_path: Path) -> None:
    assert fake.token == BOT_TOKEN
    process = await start(tmp_path, fake, BOT_TOKEN)
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + 60
    while b"connected to workspace" not in seen and time.monotonic() < deadline:
        seen += await asyncio.wait_for(process.stderr.readline(), 60)
    assert b"connected to workspace" in seen, seen.decode()
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(process.communicate(), 30)
    took = time.monotonic() - stopped
    stderr = (seen + rest).decode()
    assert process.returncode == 0, stderr
    assert took <= 10, took
    assert "Traceback" not in stderr and "CancelledError" not in stderr, stderr[-3000:]
    assert "stopped: every accepted event is written" in stderr
