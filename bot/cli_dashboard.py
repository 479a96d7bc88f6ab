"""``innercircle dashboard serve|link``: the staff web dashboard from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_common import ConfigOption, DbOption, chosen_db, fail, run_async, settings_for

dashboard_app = typer.Typer(help="The web dashboard for staff: serve it, or make a link.",
                            no_args_is_help=True)


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
