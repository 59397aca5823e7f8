"""The dashboard's figures and charts, kept for everyone who asks for the same period and filters.

A report over a large desk takes seconds and its four charts more; leads reload and share the page. So each
(period as typed, filters) is computed once and served to every request while it is fresh: younger than half
of `max_age` it is served as it is; older, it is still served while one refresh runs in the background; at
`max_age` or more it is computed again before it is shown. Figures are therefore never older than `max_age`
seconds, and only the first request for a period (or one after a long quiet spell) waits for the database.
Several requests for a period being computed wait for the one computation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
Shown = TypeVar("Shown")
Key = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Kept(Generic[Shown]):
    value: Shown
    made: float  # the cache's clock when its computation started: the figures are as of then


class ReportCache(Generic[Shown]):
    def __init__(self, *, max_age: float, size: int = 32, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self.size = size
        self.clock = clock
        self._kept: OrderedDict[Key, Kept[Shown]] = OrderedDict()
        self._running: dict[Key, asyncio.Task[Kept[Shown]]] = {}

    async def get(self, key: Key, compute: Callable[[], Awaitable[Shown]]) -> Kept[Shown]:
        """The figures for `key`, computed by `compute` when there are none fresh enough. What `compute`
        raises (a period or filter that cannot be read) reaches the caller and nothing is kept."""
        kept = self._kept.get(key)
        age = self.clock() - kept.made if kept is not None else None
        if kept is not None and age is not None and age < self.max_age:
            self._kept.move_to_end(key)
            if age >= self.max_age / 2:
                self._start(key, compute)
            return kept
        return await asyncio.shield(self._start(key, compute))

    def _start(self, key: Key, compute: Callable[[], Awaitable[Shown]]) -> asyncio.Task[Kept[Shown]]:
        running = self._running.get(key)
        if running is None:
            running = asyncio.create_task(self._compute(key, compute))
            self._running[key] = running
            running.add_done_callback(self._finished)
        return running

    async def _compute(self, key: Key, compute: Callable[[], Awaitable[Shown]]) -> Kept[Shown]:
        started = self.clock()
        try:
            kept = Kept(await compute(), started)
        finally:
            self._running.pop(key, None)
        self._kept[key] = kept
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return kept

    def _finished(self, task: asyncio.Task[Kept[Shown]]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # Said here for a refresh nobody waited for (the figures kept are served until max_age); a waiting
            # request has it raised as well.
            log.warning("the dashboard's figures could not be computed: %s", task.exception())
