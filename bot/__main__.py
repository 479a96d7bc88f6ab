"""The command line: ``innercircle demo | check | run | report | communities | replay | import |
eval``."""

from __future__ import annotations

import enum
import gc
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from bot.cli_common import (
    CHOSEN_DB,
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
from bot.cli_dashboard import dashboard_app
from bot.cli_import import import_app
from bot.eval.cli import eval_app

app = typer.Typer(
    help="Innercircle: counts peers who answer each other's questions on Discord and Slack.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # docstrings are the help: their line breaks are not
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(eval_app, name="eval")
app.add_typer(import_app, name="import")
app.add_typer(dashboard_app, name="dashboard")
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
