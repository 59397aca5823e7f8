"""Requests per minute per API token: a token bucket per token, in this process (several processes each
allow the rate)."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimit:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, name: str) -> float:
        """0 when `name` may make a request now (and it is counted); else the seconds until it may."""
        now = self.clock()
        tokens, at = self._buckets.get(name, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.per_second)
        if tokens >= 1.0:
            self._buckets[name] = (tokens - 1.0, now)
            return 0.0
        self._buckets[name] = (tokens, now)
        return (1.0 - tokens) / self.per_second
