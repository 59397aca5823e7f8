"""Keeps each chat adapter running: a connection that fails for a while is tried again with backoff; one
that fails for good (a refused token, a missing intent, a retry budget spent) ends the process, which
says why in one line and exits non-zero, so systemd, Docker or Kubernetes see a failure, not a deaf
process that looks healthy."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from core.connection import ConnectionFailed

log = logging.getLogger(__name__)


class Runs(Protocol):
    platform: str

    async def run(self, stop: asyncio.Event) -> None: ...


class CannotRun(Exception):
    """The process cannot go on; the message is the one line it ends with (exit code 1)."""


class AdapterGaveUp(CannotRun):
    """A chat connection failed for good."""

    def __init__(self, platform: str, reason: str) -> None:
        super().__init__(f"the {platform} connection failed: {reason}")
        self.platform = platform
        self.reason = reason


@dataclass(frozen=True)
class Backoff:
    attempts: int = 10
    first_seconds: float = 1.0
    longest_seconds: float = 300.0
    # A connection that held this long was healthy: its failure starts the count afresh.
    healthy_after_seconds: float = 120.0

    def delay(self, failure: int) -> float:
        base = min(self.longest_seconds, self.first_seconds * 2 ** (failure - 1))
        return base * (0.5 + random.random() / 2)


async def supervise(adapter: Runs, stop: asyncio.Event, *, backoff: Backoff,
                    monotonic: Callable[[], float] = time.monotonic,
                    sleep: Callable[[asyncio.Event, float], Awaitable[bool]] | None = None) -> None:
    """Run `adapter` until it returns (its input ended, or `stop`); raise AdapterGaveUp when it fails for
    good or fails `backoff.attempts` times in a row."""
    wait = sleep or _wait
    failures = 0
    unforeseen: BaseException | None
    while True:
        started = monotonic()
        try:
            await adapter.run(stop)
            return
        except ConnectionFailed as failure:
            if failure.permanent:
                raise AdapterGaveUp(adapter.platform, failure.reason) from None
            reason, unforeseen = failure.reason, None
        except Exception as error:  # an unforeseen fault: retried like a dropped connection, traceback logged
            reason, unforeseen = f"{type(error).__name__}: {error}", error
        if stop.is_set():
            return
        if monotonic() - started >= backoff.healthy_after_seconds:
            failures = 0
        failures += 1
        if failures > backoff.attempts:
            raise AdapterGaveUp(adapter.platform, f"{reason} (still failing after {backoff.attempts} retries)")
        delay = backoff.delay(failures)
        log.warning("the %s connection failed (%s); retry %d of %d in %.1f s", adapter.platform, reason, failures,
                    backoff.attempts, delay, exc_info=unforeseen)
        if await wait(stop, delay):
            return


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` unless stopped first; True when stopped."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
