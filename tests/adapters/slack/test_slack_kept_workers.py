"""Several workers on one PostgreSQL database share the kept Slack requests: each is worked on once."""

from __future__ import annotations

import asyncio
from collections import Counter

from adapters.slack.kept import KeptRequests
from core.pending import PendingEvents, Request
from core.storage.database import Database


async def test_two_workers_never_work_on_one_kept_request_twice(postgres_url: str) -> None:
    worked: Counter[str] = Counter()

    async def work(request: Request) -> bool:
        worked[request.key] += 1
        await asyncio.sleep(0.02)  # long enough for the other worker to reach the same row
        return True

    databases = [Database(postgres_url), Database(postgres_url)]
    keys = [f"event:Ev{n}" for n in range(60)]
    PendingEvents(databases[0]).keep("slack", [Request(key=k, body="{}", headers={}) for k in keys])
    workers = [KeptRequests(pending=PendingEvents(db), platform="slack", work=work, poll_seconds=0.05)
               for db in databases]
    stop = asyncio.Event()
    running = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        async with asyncio.timeout(30):
            while sum(worked.values()) < len(keys) or PendingEvents(databases[0]).count("slack"):
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*running)
        for worker in workers:
            worker.close()
        for db in databases:
            db.dispose()
    assert set(worked) == set(keys)
    assert [key for key, times in worked.items() if times > 1] == []
