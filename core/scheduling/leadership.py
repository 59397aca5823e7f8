"""Which process runs the scheduled jobs.

PostgreSQL: the process that holds a session-level advisory lock, taken with `pg_try_advisory_lock` on a
connection of its own. The lock lives exactly as long as that connection: when the leader dies (or its
connection does), the server releases it and a follower that retries every 15-30 s takes over. The lock
key includes the schema, so two desks sharing one database do not block each other.

SQLite: one process per database file (the embedded, single-process deployment), so it always leads.
Either way the jobs themselves stay exactly-once through the unique constraint on `sla_events`: a
leader that lost its lock without noticing can repeat a look, never a notification.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from core.storage.database import is_sqlite

log = logging.getLogger(__name__)
LOCK_NAME = "spoc-scheduler"
_TRY = text("SELECT pg_try_advisory_lock(hashtext(:name || ':' || current_schema()))")


class Leadership(Protocol):
    def check(self) -> bool:
        """Become or stay the leader if possible; True while this process leads. Blocking."""
        ...

    def release(self) -> None: ...


class SingleProcess:
    """SQLite: the only process there is."""

    def check(self) -> bool:
        return True

    def release(self) -> None:
        return None


class AdvisoryLock:
    def __init__(self, url: str, *, name: str = LOCK_NAME) -> None:
        self.url = url
        self.name = name
        self._engine: Engine | None = None
        self._connection: Connection | None = None

    @property
    def leading(self) -> bool:
        return self._connection is not None

    def check(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                return True
            except DBAPIError:
                log.warning("the scheduler lock's connection is gone; this process no longer leads")
                self._drop()
        return self._try()

    def _try(self) -> bool:
        if self._engine is None:
            # No pool: closing a connection must end its session, and with it the lock.
            url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)
            self._engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 10})
        try:
            connection = self._engine.connect()
        except DBAPIError as error:
            log.warning("cannot reach the database to take the scheduler lock: %s", error.orig)
            return False
        try:
            won = bool(connection.execute(_TRY, {"name": self.name}).scalar())
            connection.commit()  # the lock belongs to the session, not to this transaction
        except DBAPIError as error:
            log.warning("taking the scheduler lock failed: %s", error.orig)
            connection.invalidate()
            return False
        if not won:
            connection.close()
            return False
        self._connection = connection
        log.info("this process now runs the scheduled jobs")
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except DBAPIError:
                pass
            self._connection = None

    def release(self) -> None:
        """Closing the connection releases the lock: the next follower takes over at its next try."""
        if self._connection is not None:
            try:
                self._connection.close()
            except DBAPIError:
                pass
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def leadership_for(url: str) -> Leadership:
    return SingleProcess() if is_sqlite(url) else AdvisoryLock(url)
