"""One database, one way to run a unit of work: `db.run(work)` commits or rolls back, and retries
when SQLite is briefly locked or PostgreSQL reports a serialization conflict."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.storage.outage import Outage, is_unreachable

log = logging.getLogger(__name__)
T = TypeVar("T")

UNREACHABLE_PAUSE_MAX = 5.0
RETRYABLE_MESSAGES = ("database is locked", "database table is locked", "could not serialize", "deadlock")


SUPPORTED_SCHEMES = ("sqlite", "postgresql")
CONNECT_TIMEOUT_SECONDS = 10


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normal_url(url: str) -> str:
    """`postgres://` (what many hosts hand out) is `postgresql://` to SQLAlchemy."""
    return "postgresql://" + url.removeprefix("postgres://") if url.startswith("postgres://") else url


def shown_url(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    if is_sqlite(url):
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1]


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun by us (BEGIN IMMEDIATE below), not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at the start, so two writers queue instead of deadlocking on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str, *, write_lock_at_begin: bool = True, busy_timeout_ms: int = 5000) -> Engine:
    url = normal_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin_immediate if write_lock_at_begin else _sqlite_begin_deferred)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


def takes_write_lock(engine: Engine) -> bool:
    """Whether this SQLite engine's transactions hold the write lock from their start."""
    return event.contains(engine, "begin", _sqlite_begin_immediate)


def is_retryable(error: BaseException) -> bool:
    if not isinstance(error, OperationalError | DBAPIError):
        return False
    text = str(getattr(error, "orig", error)).lower()
    return any(message in text for message in RETRYABLE_MESSAGES)


class Database:
    """`patience`: how long a unit of work waits for a database that cannot be reached (an outage), trying
    again with backoff, before it fails. 0 (commands that answer a person now) fails at once; a running desk
    waits for ever (`math.inf`), so a message or a delivery is held, not lost, while the database is away."""

    def __init__(self, url: str, *, attempts: int = 8, busy_timeout_ms: int = 5000, patience: float = 0.0) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # For readers and side books (the knowledge base) that must never wait on a ticket's write lock.
        self.deferred_engine = make_engine(url, write_lock_at_begin=False, busy_timeout_ms=busy_timeout_ms)
        self.deferred_sessions = sessionmaker(self.deferred_engine, expire_on_commit=False)
        self.attempts = attempts
        self.patience = patience
        self.outage = Outage()
        self._stopping = threading.Event()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def run(self, work: Callable[[Session], T], *, patience: float | None = None) -> T:
        """Run `work` in one transaction; retry the whole of it when the database is briefly busy, and while
        it cannot be reached, for up to `patience` seconds (default: the database's)."""
        deadline = time.monotonic() + (self.patience if patience is None else patience)
        busy = unreachable = 0
        while True:
            try:
                with self.sessions() as session, session.begin():
                    result = work(session)
            except (OperationalError, DBAPIError) as error:
                if is_unreachable(error):
                    self.outage.failed(error)
                    unreachable += 1
                    pause = min(UNREACHABLE_PAUSE_MAX, 0.1 * 2**unreachable) * (0.5 + random.random() / 2)
                    if time.monotonic() + pause > deadline or self._stopping.wait(pause):
                        raise
                    continue
                busy += 1
                if not is_retryable(error) or busy >= self.attempts:
                    raise
                pause = min(2.0, 0.05 * 2**busy) * (0.5 + random.random())
                log.warning("database busy (%s); retry %d in %.2fs", error.orig, busy, pause)
                time.sleep(pause)
                continue
            if self.outage.ongoing:
                self.outage.recovered()
            return result

    def stop_waiting(self) -> None:
        """The process is stopping: units of work waiting out an outage give up now."""
        self._stopping.set()
        self.outage.still_down()

    def dispose(self) -> None:
        self.engine.dispose()
        self.deferred_engine.dispose()
