"""deploy/: the compose file parses and has its services, and every `innercircle` command in
the compose file, the systemd unit and the container file is one the command line accepts
and one the README documents."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from typer.testing import CliRunner

from bot.__main__ import app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
runner = CliRunner()


def readme_commands() -> set[str]:
    """The subcommands the README's command table lists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `innercircle ([a-z]+)", readme, re.M))


def accepts(args: list[str]) -> bool:
    """The command line parses ``args`` (checked with ``-h``: nothing runs)."""
    result = runner.invoke(app, [*args, "-h"])
    return result.exit_code == 0


def test_compose_file_parses_with_its_services() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "bot"}
    assert services["db"]["image"].startswith("postgres:")
    bot = services["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["INNERCIRCLE_DB"].startswith("postgresql://")
    assert (ROOT / bot["build"]["context"].replace("..", ".") / bot["build"]["dockerfile"]
            ).exists() or (DEPLOY / ".." / bot["build"]["dockerfile"]).exists()
    assert bot["command"][0] == "run" and accepts(bot["command"])
    assert set(compose["volumes"]) == {"db-data", "bot-data"}


def deploy_commands() -> list[list[str]]:
    """Every innercircle invocation written in deploy/ (compose comments included)."""
    found = []
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    found += [shlex.split(c) for c in re.findall(r"run --rm bot ([^\n]+)", compose)]
    unit = (DEPLOY / "innercircle.service").read_text(encoding="utf-8")
    found += [shlex.split(c) for c in re.findall(r"^Exec\w+=\S+/innercircle ([^\n]+)", unit,
                                                  re.M)]
    container = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])", container, re.M)
    assert cmd is not None
    found.append(yaml.safe_load(cmd.group(1)))
    return found


def test_deploy_runs_the_readmes_commands() -> None:
    commands = deploy_commands()
    assert {c[0] for c in commands} >= {"run", "check"}
    documented = readme_commands()
    for args in commands:
        assert args[0] in documented, f"{args[0]} is not in the README's command table"
        assert accepts(args), f"innercircle {' '.join(args)} is not accepted"
