"""The supervisor: transient connection failures are retried with backoff, permanent ones end the run."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.supervisor import AdapterGaveUp, Backoff, supervise
from core.connection import ConnectionFailed


class ScriptedAdapter:
    """An adapter whose runs fail as scripted, then end normally."""

    platform = "chat"

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.runs = 0

    async def run(self, stop: asyncio.Event) -> None:
        self.runs += 1
        if self.failures:
            raise self.failures.pop(0)


class RecordedWaits:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, stop: asyncio.Event, seconds: float) -> bool:
        self.delays.append(seconds)
        return stop.is_set()


async def test_a_permanent_failure_ends_at_once_with_its_reason() -> None:
    adapter = ScriptedAdapter(ConnectionFailed("the token was refused", permanent=True))
    waits = RecordedWaits()
    with pytest.raises(AdapterGaveUp, match="the chat connection failed: the token was refused"):
        await supervise(adapter, asyncio.Event(), backoff=Backoff(), sleep=waits)
    assert adapter.runs == 1 and waits.delays == []


async def test_transient_failures_are_retried_with_growing_waits_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    adapter = ScriptedAdapter(ConnectionFailed("reset"), ConnectionFailed("reset"), OSError("unreachable"))
    waits = RecordedWaits()
    with caplog.at_level(logging.WARNING, logger="bot.supervisor"):
        await supervise(adapter, asyncio.Event(), backoff=Backoff(first_seconds=1, longest_seconds=300), sleep=waits)
    assert adapter.runs == 4
    first, second, third = waits.delays
    assert 0.5 <= first <= 1 <= second <= 2 <= third <= 4
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3 and "retry 1 of 10" in lines[0] and "OSError: unreachable" in lines[2]


async def test_a_connection_that_keeps_failing_gives_up_after_its_budget() -> None:
    adapter = ScriptedAdapter(*[ConnectionFailed("refused by the proxy") for _ in range(10)])
    with pytest.raises(AdapterGaveUp, match=r"refused by the proxy \(still failing after 3 retries\)"):
        await supervise(adapter, asyncio.Event(), backoff=Backoff(attempts=3), sleep=RecordedWaits())
    assert adapter.runs == 4


async def test_a_long_healthy_run_starts_the_count_afresh() -> None:
    adapter = ScriptedAdapter(*[ConnectionFailed("dropped") for _ in range(5)])
    clock = iter(range(0, 10_000, 500))  # every run lasted 500 s
    await supervise(adapter, asyncio.Event(), backoff=Backoff(attempts=2, healthy_after_seconds=120),
                    sleep=RecordedWaits(), monotonic=lambda: next(clock))
    assert adapter.runs == 6


async def test_a_stop_during_the_wait_ends_the_supervision_quietly() -> None:
    stop = asyncio.Event()

    async def stop_while_waiting(event: asyncio.Event, seconds: float) -> bool:
        event.set()
        return True

    adapter = ScriptedAdapter(ConnectionFailed("reset"), ConnectionFailed("reset"))
    await supervise(adapter, stop, backoff=Backoff(), sleep=stop_while_waiting)
    assert adapter.runs == 1
