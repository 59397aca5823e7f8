"""The scheduler runs jobs only while it leads, and catches up once when it starts or takes over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.scheduler import DeskScheduler
from core.scheduling.jobs import Job, LoopJob
from tests.waiting import eventually


@dataclass
class ScriptedLeadership:
    """Answers `check()` from a script; the last answer repeats."""

    answers: list[bool]
    released: bool = False

    def check(self) -> bool:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def release(self) -> None:
        self.released = True


@dataclass
class Runs:
    names: list[str] = field(default_factory=list)

    def job(self, name: str) -> Job:
        def run(runner: Any) -> datetime | None:
            self.names.append(name)
            return None

        return Job(name, timedelta(hours=1), run)


def scheduler(
    leadership: ScriptedLeadership, runs: Runs, on_work: Callable[[], None] = lambda: None,
) -> DeskScheduler:
    jobs = [runs.job("sweep"), runs.job("digest")]
    runner: Any = object()  # the fake jobs never use it
    return DeskScheduler(runner=runner, leadership=leadership, jobs=jobs, on_work=on_work)


async def test_a_leader_catches_up_at_start_before_anything_else() -> None:
    runs, poked = Runs(), []
    leadership = ScriptedLeadership([True])
    jobs = scheduler(leadership, runs, on_work=lambda: poked.append(True))
    await jobs.start()
    try:
        assert runs.names == ["sweep", "digest"]
        assert len(poked) == 2
        await jobs.check_leadership()  # still leading: nothing to catch up
        assert runs.names == ["sweep", "digest"]
    finally:
        await jobs.stop()
    assert leadership.released


async def test_a_follower_runs_nothing_until_it_takes_over_then_catches_up_once() -> None:
    runs = Runs()
    jobs = scheduler(ScriptedLeadership([False, False, True]), runs)
    await jobs.start()
    try:
        assert (jobs.leading, runs.names) == (False, [])
        await jobs.check_leadership()
        assert runs.names == []
        await jobs.check_leadership()
        assert (jobs.leading, runs.names) == (True, ["sweep", "digest"])
    finally:
        await jobs.stop()


async def test_a_leader_that_loses_the_lock_stops_running_jobs() -> None:
    runs = Runs()
    jobs = scheduler(ScriptedLeadership([True, False]), runs)
    await jobs.start()
    try:
        await jobs.check_leadership()
        assert jobs.leading is False
        await jobs._run(runs.job("sweep"))  # what the interval would call
        assert runs.names == ["sweep", "digest"]
    finally:
        await jobs.stop()


async def test_an_adapters_job_registered_later_runs_on_the_loop_at_once_and_its_failure_is_contained() -> None:
    runs, seen = Runs(), []
    jobs = scheduler(ScriptedLeadership([True]), runs)
    await jobs.start()

    async def sync_roles(runner: Any) -> None:
        seen.append("sync")
        if len(seen) == 1:
            raise RuntimeError("the platform answered 500")

    try:
        jobs.register([LoopJob("chat-agents", timedelta(minutes=5), sync_roles)])
        await eventually(lambda: seen, what="the registered job's first run")
        await jobs.check_leadership()
        await jobs._run(jobs.jobs[-1])  # the next interval runs it again after the failure
        assert seen == ["sync", "sync"]
        assert [job.name for job in jobs.jobs] == ["sweep", "digest", "chat-agents"]
    finally:
        await jobs.stop()
