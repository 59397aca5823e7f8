"""The scheduled work of the desk, as plain synchronous functions a scheduler (or a test) calls.

Every job reads the database as it is and does what is due by now, so running one late, twice, or once
after a restart is the same as running it on time: nothing missed, nothing repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.itsm.notices import announce_changes
from core.reports.weekly import send_weekly_report
from core.sla.housekeeping import auto_close, remind_holds, send_digests
from core.sla.sweep import SystemRunner, sweep_sla

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[SystemRunner], datetime | None]  # returns when it may next have work


@dataclass(frozen=True)
class LoopJob:
    """A job of an adapter that asks its chat platform first (a coroutine on the runtime's event loop)."""

    name: str
    every: timedelta
    run: Callable[[SystemRunner], Awaitable[None]]


JOBS: tuple[Job, ...] = (
    Job("sla-sweep", timedelta(minutes=1), sweep_sla),
    Job("hold-reminders", timedelta(minutes=5), remind_holds),
    Job("auto-close", timedelta(minutes=5), auto_close),
    Job("digest", timedelta(minutes=5), send_digests),
    Job("change-notices", timedelta(minutes=1), announce_changes),
    Job("weekly-report", timedelta(minutes=5), send_weekly_report),
)


def run_job(job: Job, runner: SystemRunner) -> datetime | None:
    try:
        return job.run(runner)
    except Exception:
        log.exception("scheduled job %s failed; it runs again in %s", job.name, job.every)
        return None


def run_all(runner: SystemRunner) -> datetime | None:
    """Run every job once; returns the soonest instant at which any of them may have more to do."""
    found = [run_job(job, runner) for job in JOBS]
    return min((at for at in found if at is not None), default=None)
