"""Waiting, in tests, for work an app does in the background: poll a check until it holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def eventually(check: Callable[[], Any], *, timeout: float = 10.0, what: str = "",
                     interval: float = 0.05) -> Any:
    """The first truthy result of `check` (run in a thread, since it may read the database)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await asyncio.to_thread(check)
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(interval)
