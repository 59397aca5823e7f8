"""Requests kept before the platform is told they arrived, and worked on from there.

An adapter whose platform sends each request once and drops it when it is acknowledged keeps the request
here first (`keep`), answers only once it is committed, then takes it (`take`), works on it and finishes
it (`Taken.finish`: the row goes) or puts it back for a later try (`Taken.put_back`). A process that dies
anywhere in between leaves the row, and the next one to look works on it; the event inbox makes a second
run of work that had already committed change nothing.

On PostgreSQL a taken request is a row locked (FOR UPDATE SKIP LOCKED) in a transaction of its own for as
long as it is worked on: another worker skips it, and a worker that dies releases it at once. SQLite has one
writing process; there the taking process's own memory says what it holds."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.orm import Session

from core.clock import Clock, SystemClock
from core.storage.boundary_models import PendingEventRow
from core.storage.database import Database
from core.storage.writes import append_all_unless_taken

log = logging.getLogger(__name__)
MAX_FAILURES = 10
LONGEST_RETRY = timedelta(minutes=5)
# A request is kept while the platform waits for its answer: a lock is not waited out longer than this.
KEEP_LOCK_TIMEOUT = "2s"


@dataclass(frozen=True)
class Request:
    """What the platform sent: its own id for the request, the body as it came, the headers that matter."""

    key: str
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class PendingEvent:
    id: int
    request: Request
    failures: int


def retry_delay(failures: int) -> timedelta:
    return min(LONGEST_RETRY, timedelta(seconds=2**failures))


class PendingEvents:
    def __init__(self, db: Database, *, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()  # real time even when the desk's clock is simulated
        self.locks_rows = db.dialect == "postgresql"

    def keep(self, platform: str, requests: Sequence[Request]) -> list[int | None]:
        """Commit `requests` in one transaction: each one's id, or None for one already kept and still
        pending (a redelivery). Raises at once when the database cannot take them: the platform will send
        them again."""

        def work(session: Session) -> list[int | None]:
            if self.locks_rows:
                session.execute(text(f"SET LOCAL lock_timeout = '{KEEP_LOCK_TIMEOUT}'"))
            now = self.clock.now()
            written = append_all_unless_taken(session, PendingEventRow, [
                {"platform": platform, "key": request.key, "body": request.body, "headers": request.headers,
                 "received_at": now, "next_attempt_at": now, "failures": 0} for request in requests],
                unique=("platform", "key"))
            return [written.get((platform, request.key)) for request in requests]

        return self.db.run(work, patience=0)

    def count(self, platform: str) -> int:
        with self.db.deferred_sessions() as session, session.begin():
            return session.scalar(select(func.count()).where(PendingEventRow.platform == platform)) or 0

    def take_next(self, platform: str, *, besides: Collection[int] = ()) -> Taken | None:
        """Take the oldest of `platform`'s requests due for work that no worker holds; None when there is
        none. Workers never ask for one request by its id: each takes whichever is free, so several workers
        sharing the requests never reach for the same one and come back empty (`besides`: the requests this
        process holds, which SQLite, without row locks, cannot skip by itself)."""
        query = (select(*PendingEventRow.__table__.columns)
                 .where(PendingEventRow.platform == platform, PendingEventRow.next_attempt_at <= self.clock.now(),
                        PendingEventRow.failures < MAX_FAILURES)
                 .order_by(PendingEventRow.id).limit(1))
        if besides:
            query = query.where(PendingEventRow.id.not_in(sorted(besides)))
        if not self.locks_rows:
            with self.db.deferred_sessions() as session, session.begin():
                row = session.execute(query).first()
                return None if row is None else Taken(self, _event(row), connection=None)
        connection = self.db.engine.connect()
        try:
            connection.begin()
            found = connection.execute(query.with_for_update(skip_locked=True)).first()
        except BaseException:
            connection.close()
            raise
        if found is None:
            connection.close()
            return None
        return Taken(self, _event(found), connection=connection)


class Taken:
    """A kept request in one worker's hands until it is finished or put back."""

    def __init__(self, store: PendingEvents, event: PendingEvent, *, connection: Connection | None) -> None:
        self.store = store
        self.event = event
        self._connection = connection

    def finish(self) -> None:
        """The work is done (committed): the request is forgotten."""
        self._write(delete(PendingEventRow).where(PendingEventRow.id == self.event.id))

    def put_back(self) -> None:
        """The work failed: tried again later, with a growing pause; after MAX_FAILURES it stays kept but
        is no longer tried."""
        failures = self.event.failures + 1
        if failures >= MAX_FAILURES:
            log.error("request %s failed %d times; it stays in pending_events and is not tried again",
                      self.event.request.key, failures)
        self._write(update(PendingEventRow).where(PendingEventRow.id == self.event.id).values(
            failures=failures, next_attempt_at=self.store.clock.now() + retry_delay(failures)))

    def release(self) -> None:
        """Let go without a verdict (the process is stopping): the next worker to look takes it."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _write(self, statement: Any) -> None:
        if self._connection is None:
            self.store.db.run(lambda session: session.execute(statement))
            return
        try:
            self._connection.execute(statement)
            self._connection.commit()
        finally:
            self.release()


def _event(row: Any) -> PendingEvent:
    return PendingEvent(id=row.id, failures=row.failures,
                        request=Request(key=row.key, body=row.body, headers=dict(row.headers or {})))
