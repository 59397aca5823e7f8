"""Two real spoc processes on one PostgreSQL schema: each warning is posted once, one process leads."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.service import Desk
from tests.conftest import REPO_ROOT, Chat
from tests.integration.sla_helpers import desk_settings, events, report_p1, sent

pytestmark = pytest.mark.postgres


def worker(mode: str, url: str, now: datetime, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.sla_worker", mode, url, now.isoformat(), *extra]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(check: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_two_processes_sweeping_at_the_same_moment_post_one_warning(
    make_desk: Callable[..., Desk], postgres_url: str, clock: ManualClock, tmp_path: Path,
) -> None:
    desk = make_desk(postgres_url, settings=desk_settings())
    report_p1(Chat(desk))
    warn_time = clock.now() + timedelta(minutes=12)
    go = tmp_path / "go"
    workers = [worker("sweep", postgres_url, warn_time, str(go)) for _ in range(2)]
    for process in workers:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    go.touch()
    for process in workers:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    assert events(desk) == [(1, "first_response", "warning")]
    assert len(sent(desk, title_starts="SLA warning: INC-1")) == 1


def test_only_the_leader_runs_the_jobs_and_a_follower_takes_over_when_it_dies(
    make_desk: Callable[..., Desk], postgres_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(postgres_url, settings=desk_settings())
    report_p1(Chat(desk))
    start = clock.now()
    leader = worker("lead", postgres_url, start + timedelta(minutes=12))  # its clock: past the warning
    follower: subprocess.Popen[str] | None = None
    try:
        assert leader.stdout is not None and leader.stdout.readline().strip() == "leading"
        assert events(desk) == [(1, "first_response", "warning")]
        follower = worker("lead", postgres_url, start + timedelta(minutes=20))  # its clock: past the breach
        assert follower.stdout is not None and follower.stdout.readline().strip() == "following"
        time.sleep(1.0)  # five of its retries: it must still only follow
        assert events(desk) == [(1, "first_response", "warning")]

        leader.send_signal(signal.SIGKILL)  # no goodbye: the server drops the lock with the connection
        leader.wait(timeout=10)
        assert follower.stdout.readline().strip() == "leading"
        assert wait_for(lambda: len(events(desk)) == 2, seconds=15)
        assert events(desk) == [(1, "first_response", "warning"), (1, "first_response", "breach")]
        assert len(sent(desk, title_starts="SLA warning: INC-1")) == 1
        assert len(sent(desk, title_starts="Escalated to Network: INC-1")) == 1
    finally:
        for process in (leader, follower):
            if process is not None:
                if process.poll() is None:
                    process.kill()
                process.communicate(timeout=10)  # also closes its pipes
