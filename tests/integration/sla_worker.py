"""Another spoc process for the two-process tests: `python -m tests.integration.sla_worker MODE URL NOW [GO]`

sweep: wait until the file GO exists, then run the SLA sweep once (two of these race each other).
lead:  run the real scheduler (advisory-lock leadership, retried every 0.2 s); print "leading" or
       "following" once started, "leading" again when it takes over; run until killed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.scheduler import DeskScheduler
from core.clock import ManualClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import NoKnowledgeBase
from core.scheduling.leadership import AdvisoryLock
from core.service import Desk
from core.sla.sweep import sweep_sla
from core.storage.database import Database
from tests.integration.sla_helpers import desk_settings


def build_desk(url: str, now: datetime) -> Desk:
    routes = Routes(triage=(Destination("console", "it-triage"),))
    deps = DeskDeps(settings=desk_settings(), knowledge=NoKnowledgeBase(), routes=routes,
                    platforms=frozenset({"console"}))
    desk = Desk(db=Database(url), deps=deps, clock=ManualClock(now))
    desk.setup()
    return desk


def sweep(desk: Desk, go: Path) -> None:
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    sweep_sla(desk)
    print("swept", flush=True)


async def lead(desk: Desk, url: str) -> None:
    scheduler = DeskScheduler(runner=desk, leadership=AdvisoryLock(url), leader_retry=timedelta(seconds=0.2))
    await scheduler.start()  # when it leads at once, its catch-up run is done before this returns
    print("leading" if scheduler.leading else "following", flush=True)
    told = scheduler.leading
    while True:
        await asyncio.sleep(0.05)
        if scheduler.leading and not told:
            print("leading", flush=True)
            told = True


def main() -> None:
    mode, url, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
    desk = build_desk(url, now)
    if mode == "sweep":
        sweep(desk, Path(sys.argv[4]))
    else:
        asyncio.run(lead(desk, url))


if __name__ == "__main__":
    main()
