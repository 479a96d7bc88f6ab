"""What every ``innercircle`` command shares: the consoles, the --config/--db/--json
options, one-line failures with exit codes, and the database a command chose."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from bot.config import ConfigError, Settings, database_url, load_settings
from bot.period import PeriodError

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")

_type_in_help = typer.core.TyperOption.display_type_rich


def _no_type_for_flags(option: typer.core.TyperOption, ctx: Any) -> str | None:
    """Flags (``--json``) show no ``<bool>`` in the help: they take no value."""
    return None if option.is_flag else _type_in_help(option, ctx)


typer.core.TyperOption.display_type_rich = _no_type_for_flags  # type: ignore[method-assign,assignment]


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
