"""The job registry. A process declares its scheduled work where it defines it:

    @scheduled("sla-sweep", every=timedelta(minutes=1))
    def sweep_sla(runner: SystemRunner) -> datetime | None: ...

Every job reads the database as it is and does what is due by now, so running one late, twice, or once
after a restart is the same as running it on time: nothing missed, nothing repeated. A job returns the
soonest instant it may have more to do (or None).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.scheduling.runner import SystemRunner

log = logging.getLogger(__name__)
JobFunction = Callable[[SystemRunner], datetime | None]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFunction


@dataclass(frozen=True)
class LoopJob:
    """A job of an adapter that asks its chat platform first: a coroutine on the runtime's event loop. An
    adapter hands its loop jobs to the runtime (they need the adapter's client), so none is registered here."""

    name: str
    every: timedelta
    run: Callable[[SystemRunner], Awaitable[None]]


JOBS: dict[str, Job] = {}


def scheduled(name: str, *, every: timedelta) -> Callable[[JobFunction], JobFunction]:
    """Declare `run` as the job `name`, run every `every` by the leading process."""

    def register(run: JobFunction) -> JobFunction:
        known = JOBS.get(name)
        if known is not None and known.run is not run:
            raise ValueError(f"two jobs are called {name!r}")
        JOBS[name] = Job(name, every, run)
        return run

    return register


def registered_jobs() -> tuple[Job, ...]:
    return tuple(JOBS.values())


def run_job(job: Job, runner: SystemRunner) -> datetime | None:
    try:
        return job.run(runner)
    except Exception:
        log.exception("scheduled job %s failed; it runs again in %s", job.name, job.every)
        return None


def run_all(runner: SystemRunner, jobs: Iterable[Job] | None = None) -> datetime | None:
    """Run every job once; returns the soonest instant at which any of them may have more to do."""
    found = [run_job(job, runner) for job in (registered_jobs() if jobs is None else jobs)]
    return min((at for at in found if at is not None), default=None)
