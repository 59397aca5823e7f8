"""Several workers on one PostgreSQL database share the kept Slack requests: each is worked on once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from adapters.slack.kept import KeptRequests
from core.pending import PendingEvents, Request
from core.storage.database import Database

KEYS = [f"event:Ev{n}" for n in range(60)]


class CountedTakes(PendingEvents):
    """The database's own requests store, counting the takes that came back with nothing."""

    empty = 0
    taken = 0

    def take_next(self, platform: str, *, besides=()):  # type: ignore[no-untyped-def]
        found = super().take_next(platform, besides=besides)
        if found is None:
            CountedTakes.empty += 1
        else:
            CountedTakes.taken += 1
        return found


async def work_through(postgres_url: str, *, store: Callable[[Database], PendingEvents], poll_seconds: float
                       ) -> tuple[Counter[str], list[KeptRequests]]:
    """Two workers work through KEYS, kept before they start; how often each request was worked on."""
    worked: Counter[str] = Counter()

    async def work(request: Request) -> bool:
        worked[request.key] += 1
        await asyncio.sleep(0.02)  # long enough for the other worker to reach the same row
        return True

    databases = [Database(postgres_url), Database(postgres_url)]
    PendingEvents(databases[0]).keep("slack", [Request(key=k, body="{}", headers={}) for k in KEYS])
    workers = [KeptRequests(pending=store(db), platform="slack", work=work, poll_seconds=poll_seconds)
               for db in databases]
    stop = asyncio.Event()
    running = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        async with asyncio.timeout(30):
            while sum(worked.values()) < len(KEYS) or PendingEvents(databases[0]).count("slack"):
                await asyncio.sleep(0.05)
            for worker in workers:
                await worker.settle()
    finally:
        stop.set()
        await asyncio.gather(*running)
        for worker in workers:
            worker.close()
        for db in databases:
            db.dispose()
    return worked, workers


async def test_two_workers_never_work_on_one_kept_request_twice(postgres_url: str) -> None:
    worked, _ = await work_through(postgres_url, store=PendingEvents, poll_seconds=0.05)
    assert set(worked) == set(KEYS)
    assert [key for key, times in worked.items() if times > 1] == []


async def test_workers_sharing_a_backlog_do_not_reach_for_requests_another_holds(postgres_url: str) -> None:
    worked, workers = await work_through(postgres_url, store=CountedTakes, poll_seconds=30)
    assert sorted(worked) == sorted(KEYS) and set(worked.values()) == {1}
    assert CountedTakes.taken == len(KEYS)
    # Each try takes whichever request is free: only the last try of each of a worker's takers, once the
    # backlog is gone, comes back empty.
    assert CountedTakes.empty <= sum(worker.workers for worker in workers)
