"""The dashboard's figures are computed once for everyone asking for a period, and never served older than
`max_age`: fresh ones as they are, older ones while one refresh runs, stale ones only after recomputing."""

from __future__ import annotations

import asyncio

import pytest

from adapters.web.report_cache import ReportCache
from core.reports.period import PeriodError

PERIOD = (("since", "30d"),)


class Computations:
    """A computation of figures that counts its calls and can be held until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self) -> str:
        self.calls += 1
        await self.release.wait()
        return f"figures {self.calls}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def computed_once() -> tuple[Clock, ReportCache[str], Computations]:
    """A cache on a clock the test moves, holding the figures of PERIOD computed once."""
    clock = Clock()
    cache: ReportCache[str] = ReportCache(max_age=60, clock=clock)
    compute = Computations()
    await cache.get(PERIOD, compute)
    return clock, cache, compute


async def test_requests_for_a_period_being_computed_wait_for_the_one_computation() -> None:
    cache: ReportCache[str] = ReportCache(max_age=60)
    compute = Computations()
    compute.release.clear()
    waiting = [asyncio.create_task(cache.get(PERIOD, compute)) for _ in range(5)]
    await asyncio.sleep(0.01)
    compute.release.set()
    shown = await asyncio.gather(*waiting)
    assert compute.calls == 1
    assert {kept.value for kept in shown} == {"figures 1"}


async def test_fresh_figures_are_served_without_asking_the_database_again() -> None:
    clock, cache, compute = await computed_once()
    clock.now += 29
    assert (await cache.get(PERIOD, compute)).value == "figures 1"
    await asyncio.sleep(0.01)
    assert compute.calls == 1


async def test_figures_half_as_old_as_allowed_are_served_while_one_refresh_runs() -> None:
    clock, cache, compute = await computed_once()
    clock.now += 31
    compute.release.clear()
    assert (await cache.get(PERIOD, compute)).value == "figures 1"
    assert (await cache.get(PERIOD, compute)).value == "figures 1"
    compute.release.set()
    await asyncio.sleep(0.01)
    assert compute.calls == 2
    assert (await cache.get(PERIOD, compute)).value == "figures 2"


async def test_figures_as_old_as_allowed_are_computed_again_before_they_are_shown() -> None:
    clock, cache, compute = await computed_once()
    clock.now += 60
    assert (await cache.get(PERIOD, compute)).value == "figures 2"


async def test_each_period_and_filter_is_kept_apart() -> None:
    cache: ReportCache[str] = ReportCache(max_age=60)
    compute = Computations()
    await cache.get(PERIOD, compute)
    assert (await cache.get((("since", "30d"), ("team", "network")), compute)).value == "figures 2"
    assert (await cache.get(PERIOD, compute)).value == "figures 1"


async def test_a_period_that_cannot_be_read_is_refused_each_time_and_nothing_is_kept() -> None:
    cache: ReportCache[str] = ReportCache(max_age=60)
    calls = 0

    async def unreadable() -> str:
        nonlocal calls
        calls += 1
        raise PeriodError("Cannot read 'soon' as a time")

    for _ in range(2):
        with pytest.raises(PeriodError):
            await cache.get((("since", "soon"),), unreadable)
    assert calls == 2


async def test_the_least_recently_asked_period_is_forgotten_beyond_the_size() -> None:
    cache: ReportCache[str] = ReportCache(max_age=60, size=2)
    compute = Computations()
    for days in ("1d", "2d", "3d"):
        await cache.get((("since", days),), compute)
    assert (await cache.get((("since", "3d"),), compute)).value == "figures 3"
    assert (await cache.get((("since", "1d"),), compute)).value == "figures 4"
