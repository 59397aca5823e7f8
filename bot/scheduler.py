"""The scheduler: APScheduler on the runtime's asyncio loop, running the core's jobs in a worker thread.

The jobs are those the processes registered (core/scheduling/jobs.py). Only the leader
(see core/scheduling/leadership.py) runs jobs; followers try to take the lead every 15-30 s. Work missed
while spoc was down runs once at start (and at a take-over): the jobs are idempotent over the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.scheduling.jobs import Job, LoopJob, registered_jobs, run_job
from core.scheduling.leadership import Leadership
from core.scheduling.runner import SystemRunner

log = logging.getLogger(__name__)
LEADER_RETRY = timedelta(seconds=15)


class DeskScheduler:
    def __init__(
        self, *, runner: SystemRunner, leadership: Leadership, on_work: Callable[[], None] = lambda: None,
        jobs: Sequence[Job | LoopJob] | None = None, leader_retry: timedelta = LEADER_RETRY,
    ) -> None:
        self.runner = runner
        self.leadership = leadership
        self.on_work = on_work
        self.jobs: tuple[Job | LoopJob, ...] = registered_jobs() if jobs is None else tuple(jobs)
        self.leader_retry = leader_retry
        self.leading = False
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[object]] = set()

    async def start(self) -> None:
        """Take the lead if free and catch up before chat traffic starts; then run on the intervals."""
        await self.check_leadership()
        scheduler = AsyncIOScheduler(timezone=UTC)
        seconds = self.leader_retry.total_seconds()
        scheduler.add_job(self.check_leadership, "interval", seconds=seconds, jitter=seconds, id="leadership",
                          max_instances=1, coalesce=True)
        for job in self.jobs:
            self._add(scheduler, job)
        scheduler.start()
        self._scheduler = scheduler

    def register(self, jobs: Sequence[Job | LoopJob]) -> None:
        """More jobs, once the scheduler runs (an adapter's, built after it); each runs first at once."""
        for job in jobs:
            self.jobs += (job,)
            if self._scheduler is not None:
                self._add(self._scheduler, job, first=datetime.now(UTC))

    def _add(self, scheduler: AsyncIOScheduler, job: Job | LoopJob, *, first: datetime | None = None) -> None:
        every = job.every.total_seconds()
        extra = {"next_run_time": first} if first else {}
        scheduler.add_job(self._run, "interval", args=[job], seconds=every, id=job.name, max_instances=1,
                          coalesce=True, misfire_grace_time=int(every), **extra)

    async def stop(self, *, timeout: float = 5.0) -> None:
        """No new runs; the runs under way may finish (within `timeout`) before the lead is given up."""
        if self._scheduler is not None:
            self._scheduler.pause()
            if self._running:  # APScheduler's shutdown cancels the runs under way
                await asyncio.wait(set(self._running), timeout=timeout)
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        await asyncio.to_thread(self.leadership.release)
        self.leading = False

    async def check_leadership(self) -> None:
        """The interval job: take or keep the lead; on taking it, catch up on what nobody ran meanwhile."""
        was = self.leading
        try:
            self.leading = await asyncio.to_thread(self.leadership.check)
        except Exception:
            log.exception("checking the scheduler lock failed; not leading until the next try")
            self.leading = False
        if self.leading and not was:
            for job in self.jobs:  # whatever was missed while nobody led
                await self._run(job)

    async def _run(self, job: Job | LoopJob) -> None:
        if not self.leading:
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        if isinstance(job, LoopJob):
            try:
                await job.run(self.runner)
            except Exception:
                log.exception("scheduled job %s failed; it runs again in %s", job.name, job.every)
        else:
            await asyncio.to_thread(run_job, job, self.runner)
        self.on_work()
