"""Background tasks that a platform adapter spawns and must end cleanly on stop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait until each has finished unwinding.

    A task cancelled but not awaited may still hold a database connection when the store
    closes; the driver then closes it from the garbage collector, which can hang the event
    loop's final clean-up. Waiting here releases every connection before the store goes.
    """
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
