"""Fatal errors as one line saying what to do, and the exit codes a service manager sees.

| code | meaning |
|---|---|
| 0 | stopped on request (SIGTERM, SIGINT) |
| 1 | `replay`/`import`: some lines or records were bad (the good ones are stored) |
| 2 | a wrong option, a broken or unreadable config file, a bad date |
| 3 | Discord or Slack refused the token |
| 4 | Discord or Slack could not be reached (network) or the connection failed |
| 5 | the database cannot be opened or used |
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

EXIT_CONFIG = 2
EXIT_TOKEN = 3
EXIT_PLATFORM = 4
EXIT_DATABASE = 5
SCHEMES = ("sqlite", "sqlite3", "postgres", "postgresql")


class Fatal(Exception):
    """An error the process cannot go on after: its message says what to do."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what caused it (SQLAlchemy's ``orig`` included)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else (
            current.__cause__ or current.__context__)


def check_scheme(url: str, source: str) -> None:
    """Refuse a database URL of a kind the bot cannot use, before trying to open it."""
    if "://" in url:
        scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
        if scheme not in SCHEMES:
            raise Fatal(f"the database URL {_safe(url)} (from {source}) is of an unsupported "
                        f"kind '{scheme}': use a SQLite file path or postgresql://…",
                        EXIT_DATABASE)


def database_failure(error: BaseException, url: str, source: str) -> Fatal | None:
    """``error`` as a one-line ``Fatal`` when it means the database is unusable."""
    where = f"the database {_safe(url)} (from {source})"
    for cause in causes(error):
        name = type(cause).__name__
        text = str(cause)
        if name == "InvalidCatalogNameError" or ("does not exist" in text and "database" in text):
            return Fatal(f"{where} does not exist: create it (createdb) or point {source} at "
                         "an existing one", EXIT_DATABASE)
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return Fatal(f"{where} refused the login ({text.splitlines()[0]}): fix the user "
                         f"or password in {source}", EXIT_DATABASE)
        if isinstance(cause, sqlite3.DatabaseError | sqlite3.OperationalError):
            if "not a database" in text or "malformed" in text:
                return Fatal(f"{where} is not a SQLite database: point {source} at the "
                             "bot's database file or a new path", EXIT_DATABASE)
            if "unable to open" in text or "readonly" in text or "read-only" in text:
                return Fatal(f"{where} cannot be created or written: check that its folder "
                             f"exists and is writable, or change {source}", EXIT_DATABASE)
            if "locked" in text:
                return Fatal(f"{where} is locked by another process for too long: try "
                             "again", EXIT_DATABASE)
        if isinstance(cause, PermissionError | NotADirectoryError | IsADirectoryError):
            return Fatal(f"{where} cannot be created or written ({cause.strerror}): check "
                         f"the path, or change {source}", EXIT_DATABASE)
        if isinstance(cause, ConnectionError | TimeoutError) or (
                isinstance(cause, OSError) and cause.errno is not None):
            reason = getattr(cause, "strerror", None) or text or name
            return Fatal(f"{where} cannot be reached ({reason}): start the database server, "
                         f"or fix the host and port in {source}", EXIT_DATABASE)
        if name in ("NoSuchModuleError", "ArgumentError") and cause is error:
            return Fatal(f"{where} is not a URL the bot can use: use a SQLite file path or "
                         "postgresql://…", EXIT_DATABASE)
    return None


def platform_failure(platform: str, error: BaseException) -> Fatal:
    """A platform connection that ended with ``error``, as a one-line ``Fatal``."""
    for cause in causes(error):
        name = type(cause).__name__
        if name in ("LoginFailure", "SlackAuthError") or "not accept the bot token" in str(cause):
            what = "INNERCIRCLE_DISCORD_TOKEN or [discord] token" if platform == "discord" \
                else "INNERCIRCLE_SLACK_BOT_TOKEN / INNERCIRCLE_SLACK_APP_TOKEN or [slack]"
            return Fatal(f"{platform} refused the token ({_first_line(cause)}): set a valid "
                         f"one in {what}", EXIT_TOKEN)
        if name == "PrivilegedIntentsRequired":
            return Fatal(f"{platform}: {_first_line(cause)}", EXIT_TOKEN)
        if isinstance(cause, OSError | TimeoutError) or name.startswith("ClientConnector"):
            return Fatal(f"{platform} cannot be reached ({_first_line(cause) or name}): check "
                         "the network (and a proxy or firewall); the bot exits so that its "
                         "service manager can restart it", EXIT_PLATFORM)
    return Fatal(f"the {platform} connection stopped: {_first_line(error) or type(error).__name__}",
                 EXIT_PLATFORM)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else ""


def _safe(url: str) -> str:
    """A database URL without its password."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"
