"""A unit of work that meets an unreachable database waits for it (within the database's patience) and goes
on; the outage is logged once, with when it began and ended."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.storage.database import Database
from core.storage.outage import is_unreachable


def refused() -> OperationalError:
    return OperationalError("SELECT 1", {}, sqlite3.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'))


class FailingFor:
    """Work that finds the database unreachable for its first `times` tries."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.tries = 0

    def __call__(self, session: Session) -> int:
        self.tries += 1
        if self.tries <= self.times:
            raise refused()
        return int(session.execute(text("SELECT 42")).scalar_one())


def test_work_waits_out_an_outage_and_the_outage_is_one_log_line(sqlite_url: str,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    db = Database(sqlite_url, patience=30)
    work = FailingFor(3)
    with caplog.at_level(logging.WARNING):
        assert db.run(work) == 42
        assert db.run(FailingFor(0)) == 42
    assert work.tries == 4
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("the database was unreachable from ")
    assert "Connection refused" in lines[0]
    db.dispose()


def test_without_patience_the_first_failure_is_raised(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    work = FailingFor(1)
    with pytest.raises(OperationalError):
        db.run(work)
    assert work.tries == 1
    db.dispose()


def test_a_stopping_process_ends_the_wait(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    db = Database(sqlite_url, patience=float("inf"))
    failures: list[BaseException] = []

    def wait_for_ever() -> None:
        try:
            db.run(FailingFor(10_000))
        except OperationalError as error:
            failures.append(error)

    waiting = threading.Thread(target=wait_for_ever)
    waiting.start()
    time.sleep(0.5)
    with caplog.at_level(logging.WARNING):
        db.stop_waiting()
    waiting.join(10)
    assert not waiting.is_alive() and len(failures) == 1
    assert any("still at exit" in r.getMessage() for r in caplog.records)
    db.dispose()


def test_errors_of_the_work_itself_are_not_outages() -> None:
    assert is_unreachable(refused())
    assert not is_unreachable(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: tickets")))
    assert not is_unreachable(OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked")))
