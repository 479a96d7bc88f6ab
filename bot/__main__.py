"""The command line: ``innercircle demo | check | run | report | communities | replay | import |
eval``."""

from __future__ import annotations

import asyncio
import enum
import gc
import json
import os
import sys
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from bot.config import ConfigError, Settings, database_url, load_settings
from bot.eval.cli import eval_app
from bot.period import PeriodError

app = typer.Typer(
    help="Innercircle: counts peers who answer each other's questions on Discord and Slack.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # docstrings are the help: their line breaks are not
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(eval_app, name="eval")
console = Console()
errors = Console(stderr=True)

T = TypeVar("T")

_type_in_help = typer.core.TyperOption.display_type_rich


def _no_type_for_flags(option: typer.core.TyperOption, ctx: Any) -> str | None:
    """Flags (``--json``) show no ``<bool>`` in the help: they take no value."""
    return None if option.is_flag else _type_in_help(option, ctx)


typer.core.TyperOption.display_type_rich = _no_type_for_flags  # type: ignore[method-assign,assignment]


def installed_version() -> str:
    try:
        return version("innercircle")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        print(f"innercircle {installed_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=_print_version,
        is_eager=True)] = False,
) -> None:
    """Innercircle: counts peers who answer each other's questions on Discord and Slack."""


class ReportKind(enum.StrEnum):
    health = "health"
    helpers = "helpers"
    unanswered = "unanswered"
    credits = "credits"
    channels = "channels"
    newcomers = "newcomers"


class PeriodName(enum.StrEnum):
    days7 = "7d"
    days30 = "30d"
    days90 = "90d"
    last_week = "last-week"
    this_month = "this-month"

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE",
                 help="config.toml (default: ./config.toml if present)."),
]
DbOption = Annotated[
    str | None,
    typer.Option("--db", metavar="FILE|URL", help="A SQLite file path or a database URL "
                 "(else INNERCIRCLE_DB, else [database] url, else data/innercircle.sqlite)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings_for(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as error:
        raise fail(str(error)) from None
    except UnicodeDecodeError as error:
        raise fail(f"{config or 'config.toml'} is not UTF-8 text (byte {error.start + 1}): "
                   "save it as UTF-8") from None
    except OSError as error:
        raise fail(f"cannot read {config or 'config.toml'}: {error.strerror}") from None


CHOSEN_DB: dict[str, str] = {}  # the database this command opens, and what chose it


def chosen_db(db: str | None, settings: Settings) -> str:
    """``database_url``, remembering which setting chose it for error messages."""
    from bot.config import ENV_DB
    from bot.exit_codes import Fatal, check_scheme

    source = ("--db" if db else ENV_DB if os.environ.get(ENV_DB)
              else "[database] url" if settings.database.url else "the default path")
    url = database_url(db, settings)
    CHOSEN_DB.update(url=url, source=source)
    try:
        check_scheme(url, source)
    except Fatal as error:
        raise fail(str(error), error.code) from None
    return url


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a command's coroutine; an error it cannot go on after is one line and an exit
    code (see ``bot/exit_codes.py``), never a traceback."""
    from bot.exit_codes import Fatal, database_failure
    from bot.reports import ReportError

    try:
        return asyncio.run(make())  # type: ignore[arg-type]
    except (ReportError, PeriodError, ConfigError) as error:
        raise fail(str(error)) from None
    except Fatal as error:
        raise fail(str(error), error.code) from None
    except Exception as error:
        found = database_failure(error, CHOSEN_DB["url"], CHOSEN_DB["source"]) \
            if CHOSEN_DB else None
        if found is None:
            raise
        raise fail(str(found), found.code) from None


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(help="A JSONL v1 file of events.", exists=True,
                                         dir_okay=False)],
    config: ConfigOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Ingest events from a JSONL v1 file. Bad lines are reported with their number and
    reason; the good ones are ingested; the exit code is 1 if any line was bad."""
    from bot.commands.replay import run_replay

    settings = settings_for(config)
    result = run_async(lambda: run_replay(file, settings, chosen_db(db, settings),
                                          console, show_progress=not json_out))
    if json_out:
        stats = result.stats
        print(json.dumps({"events": stats.events, "messages": stats.messages,
                          "duplicates": stats.duplicates, "questions": stats.questions,
                          "answers": stats.answers, "acknowledgements": stats.acks,
                          "bad_lines": [{"line": b.number, "reason": b.reason}
                                        for b in result.bad]}))
    for bad in result.bad[:50]:
        errors.print(f"line {bad.number}: {bad.reason}", highlight=False, markup=False)
    if len(result.bad) > 50:
        errors.print(f"… and {len(result.bad) - 50} more bad lines")
    if result.bad:
        raise typer.Exit(1)
    if file.resolve() == Path(settings.engine.undelivered_file).resolve():
        file.unlink()  # every event is stored now: its texts need not be kept any longer
        errors.print(f"{file} is replayed in full and deleted.", highlight=False, markup=False)


import_app = typer.Typer(
    help="Import history from a platform export: a year of it in minutes.",
    no_args_is_help=True, rich_markup_mode="markdown")
app.add_typer(import_app, name="import")


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


@app.command()
def backfill(
    days: Annotated[int, typer.Option("--days", min=1, max=3650,
                                      help="How many days back to read.")],
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Read the last N days of history of every community the bot is in, through the
    platforms' APIs (Discord channels, threads and forum posts; Slack channels and threads),
    then exit. Rate limits are waited out; an interrupted backfill resumes at the bot's
    next start. Messages already stored count once."""
    from bot.commands.backfill import backfill_all

    settings = settings_for(config)
    failed = run_async(lambda: backfill_all(settings, chosen_db(db, settings), days,
                                            lambda line: errors.print(line, markup=False,
                                                                      highlight=False)))
    if failed:
        raise typer.Exit(1)


@app.command()
def report(
    kind: Annotated[ReportKind, typer.Argument(help="Which report.")],
    period: Annotated[PeriodName | None, typer.Option(
        "--period", help="7d, 30d, 90d (days up to now), last-week (the last complete "
        "Monday-to-Sunday week in the community's timezone) or this-month. Default: 7d; "
        "helpers: 30d.")] = None,
    community: Annotated[str | None, typer.Option(
        "--community", metavar="PLATFORM:ID", help="The community (platform:id or id); "
        "needed when the database holds several (see `innercircle communities`).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", metavar="DATE",
        help="Start, inclusive (ISO 8601; a bare date is midnight UTC).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE", help="End, exclusive (ISO 8601). Default: now.")] = None,
    member: Annotated[str | None, typer.Option(
        "--member", metavar="NAME|ID", help="credits: the member (id or stored name).")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the dashboard's table as CSV "
                                          "(for a spreadsheet).")] = False,
) -> None:
    """Print community health, the advocate leaderboard, the questions still open,
    per-channel figures, the newcomers, or one member's credited answers (`credits --member
    NAME|ID`: each with its question, route, confidence and whether the asker acknowledged
    it), for a period. JSON carries the community and the period (and, for health, the
    previous period's figures); `--csv` prints the dashboard's table for a spreadsheet."""
    from bot.commands.report import run_report

    settings = settings_for(config)
    if json_out and csv_out:
        raise fail("--json and --csv: choose one")
    output: Any = run_async(lambda: run_report(
        kind.value, settings, chosen_db(db, settings), community,
        period.value if period else None, since, until, console, json_out, member, csv_out))
    if csv_out:
        sys.stdout.write(output)
    elif json_out:
        print(json.dumps(output, ensure_ascii=False))


@app.command()
def communities(db: DbOption = None, config: ConfigOption = None,
                json_out: JsonOption = False) -> None:
    """List the communities a database holds: messages, questions, members, first and last
    message."""
    from bot.commands.report import run_communities

    settings = settings_for(config)
    output: Any = run_async(lambda: run_communities(chosen_db(db, settings), console,
                                                    json_out))
    if json_out:
        print(json.dumps(output, ensure_ascii=False))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the chart and the demo "
                                      "database.")] = Path("out/demo"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sample community.")] = 7,
    weeks: Annotated[int, typer.Option("--weeks", min=2, max=104,
                                       help="Weeks of history to generate.")] = 8,
    config: ConfigOption = None,
) -> None:
    """Generate a realistic sample community (seeded), replay it through the real pipeline
    and print what a community manager would read."""
    from bot.commands.demo import run_demo

    settings = settings_for(config)
    CHOSEN_DB.update(url=str(out / "demo.sqlite"), source="--out")
    run_async(lambda: run_demo(settings, out, seed, weeks, console))


@app.command()
def check(config: ConfigOption = None, db: DbOption = None) -> None:
    """Check the set-up before running the bot: the config, the database, and on each
    configured platform the token, the intents, the channels (found, readable, postable)
    and the moderators. Prints ✓ or ✗ with what to do; exits with 1 when anything is ✗."""
    from bot.commands.check import run_checks

    checks = run_async(lambda: run_checks(config, db))
    for item in checks:
        console.print(item.line(), highlight=False, markup=False, soft_wrap=True)
    wrong = sum(not c.ok for c in checks)
    if wrong:
        console.print(f"\n{wrong} of {len(checks)} checks failed.", highlight=False)
        raise typer.Exit(1)
    console.print(f"\nAll {len(checks)} checks passed: `innercircle run` is ready.",
                  highlight=False)


@app.command()
def run(config: ConfigOption = None, db: DbOption = None) -> None:
    """Run the bot on Discord and/or Slack, as configured (tokens from config.toml or the
    environment). Stops within 10 seconds on SIGTERM or SIGINT (exit code 0); a rejected
    token exits with 3, an unreachable platform with 4, an unusable database with 5."""
    from bot.commands.run import run_bot

    settings = settings_for(config)
    url = chosen_db(db, settings)
    run_async(lambda: run_bot(settings, url, watchdog=True))


dashboard_app = typer.Typer(help="The web dashboard for staff: serve it, or make a link.",
                            no_args_is_help=True)
app.add_typer(dashboard_app, name="dashboard")


@dashboard_app.command("serve")
def dashboard_serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on "
                                             "(default: [dashboard] host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", min=1, max=65535, help="Port "
                                             "(default: [dashboard] port, 8080).")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Serve the dashboard over the database until stopped (Ctrl-C). Open it with a link
    from `innercircle dashboard link` or `/circle dashboard`."""
    from bot.commands.dashboard import serve

    settings = settings_for(config)
    try:
        run_async(lambda: serve(settings, chosen_db(db, settings),
                                host or settings.dashboard.host, port or settings.dashboard.port))
    except OSError as error:
        raise fail(f"cannot serve the dashboard: {error.strerror or error}") from None


@dashboard_app.command("link")
def dashboard_link(
    community: Annotated[str | None, typer.Option(
        "--community", help="The community (platform:id or id); needed when the database "
        "holds several.")] = None,
    ttl: Annotated[str, typer.Option("--ttl", help="How long the link works before it is "
                                     "opened: 30m, 1h, 2d.")] = "1h",
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Print a signed link to a community's dashboard (the URL is the last line)."""
    from bot.commands.dashboard import make_link, parse_ttl

    settings = settings_for(config)
    try:
        seconds = parse_ttl(ttl)
    except ValueError as error:
        raise fail(str(error)) from None
    url = run_async(lambda: make_link(settings, chosen_db(db, settings), community, seconds))
    print(f"A link for staff, valid {ttl} until opened:")
    print(url)


def tune_gc() -> None:
    """Collect garbage less often. The engine keeps tens of thousands of small long-lived
    objects (recent messages, linking windows); with the default thresholds the collector
    walks them over and over and takes about a quarter of ingest time."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def main() -> None:
    """Entry point of the ``innercircle`` command."""
    tune_gc()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
