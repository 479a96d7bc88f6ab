"""``innercircle replay``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bot.config import Settings
from bot.engine import Engine
from bot.render.figures import plural
from bot.replay import ReplayResult, replay_file
from bot.store import Store


async def run_replay(path: Path, settings: Settings, url: str, console: Console,
                     *, show_progress: bool = True) -> ReplayResult:
    """Replay ``path`` into the database at ``url`` and print a summary."""
    store = await Store.open(url)
    try:
        engine = Engine(store, settings.community, batch_size=settings.engine.batch_size)
        with path.open("rb") as handle:
            total = sum(1 for _ in handle)
        with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(),
                      console=console, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("replay", total=total)
            result = await replay_file(engine, path,
                                       lambda n: progress.advance(task, n))
    finally:
        await store.close()
    if show_progress:
        s = result.stats
        console.print(f"Ingested {plural(s.messages, 'new message')} "
                      f"({plural(s.questions, 'question')}, {plural(s.answers, 'answer')}, "
                      f"{plural(s.acks, 'acknowledgement')}) from {plural(s.events, 'event')}; "
                      f"{s.duplicates:,} already known; {plural(len(result.bad), 'bad line')}.")
    return result
