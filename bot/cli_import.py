"""``innercircle import slack|discord``: history from a platform export."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli_common import (
    ConfigOption,
    DbOption,
    JsonOption,
    chosen_db,
    console,
    errors,
    fail,
    run_async,
    settings_for,
)

import_app = typer.Typer(
    help="Import history from a platform export: a year of it in minutes.",
    no_args_is_help=True, rich_markup_mode="markdown")


def finish_import(make: Callable[[], Awaitable[Any]], json_out: bool) -> None:
    """Run an import; print its summary (or JSON); exit 1 if a record or file was bad."""
    from bot.commands.import_export import print_summary
    from bot.imports.source import ExportError

    try:
        result = run_async(make)
    except ExportError as error:
        raise fail(str(error)) from None
    if json_out:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print_summary(result, console, errors)
    if result.bad:
        raise typer.Exit(1)


@import_app.command("slack")
def import_slack(
    export: Annotated[Path, typer.Argument(help="The export's ZIP file, or its folder.")],
    community: Annotated[str | None, typer.Option(
        "--community", help="The workspace id (T…), when the export does not say it.")] = None,
    channels: Annotated[str | None, typer.Option(
        "--channels", help="Only these channels (names or ids, comma-separated).")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import a Slack workspace export (Workspace settings → Import/Export Data): public and
    private channels with their threads and reactions; direct messages are never imported.
    Messages get the ids the live bot gives them, so importing again, or the bot's
    catch-up, counts nothing twice. A bad file or record is named; the rest is imported and
    the exit code is 1."""
    from bot.commands.import_export import import_slack as run

    settings = settings_for(config)
    wanted = [c.strip().lstrip("#") for c in channels.split(",") if c.strip()] \
        if channels else None
    finish_import(lambda: run(export, settings, chosen_db(db, settings), errors,
                              community=community, channels=wanted, progress=not json_out),
                  json_out)


@import_app.command("discord")
def import_discord(
    exports: Annotated[list[Path], typer.Argument(
        help="DiscordChatExporter JSON files, or folders of them.")],
    config: ConfigOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import DiscordChatExporter JSON exports (`--format Json`, threads included): one file
    per channel or thread; forum posts count as questions. Staff are found by their role
    names (`staff_roles`): the export has no permissions. A bad file or record is named; the
    rest is imported and the exit code is 1."""
    from bot.commands.import_export import import_discord as run

    settings = settings_for(config)
    finish_import(lambda: run(exports, settings, chosen_db(db, settings), errors,
                              progress=not json_out), json_out)
