"""Is the database reachable, and is its schema one this Innercircle knows?"""

from __future__ import annotations

from pathlib import Path

from bot.config import to_sqlalchemy_url
from bot.setup_check import Check, failed, passed
from bot.store.database import make_engine
from bot.store.migrate import known_revisions, schema_revisions


def describe(url: str) -> str:
    """The database for people: a SQLite file, or host/db of a server (no password)."""
    if url.startswith("sqlite"):
        return f"SQLite file {url.split(':///', 1)[-1]}"
    return f"{url.split('://', 1)[0].split('+')[0]} database {url.rsplit('@', 1)[-1]}"


async def check_database(url: str) -> list[Check]:
    url = to_sqlalchemy_url(url)
    name = describe(url)
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[-1])
        if not path.exists():
            return [passed(f"database: {name} does not exist yet; the bot creates it at the "
                           "first start")]
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            current, head = await conn.run_sync(schema_revisions)
    except Exception as error:  # any driver's "cannot connect": say it, with what to do
        reason = str(error).splitlines()[0][:200]
        return [failed(f"database: cannot reach the {name}: {reason}",
                       "check the address, user and password in --db, INNERCIRCLE_DB or "
                       "[database] url, and that the server is running")]
    finally:
        await engine.dispose()
    if current == head:
        return [passed(f"database: {name} is reachable and migrated (schema {head})")]
    if current is None:
        return [passed(f"database: {name} is reachable and empty; the bot creates the "
                       f"schema ({head}) at the first start")]
    if current not in known_revisions():
        return [failed(f"database: {name} has schema {current}, newer than this Innercircle "
                       f"knows ({head})", "update this installation (git pull, then make "
                       "install) before running it on this database")]
    return [passed(f"database: {name} is reachable; the bot migrates it from schema "
                   f"{current} to {head} at start")]
