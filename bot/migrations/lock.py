"""A lock over one database, across processes: PostgreSQL's session advisory lock, or for a SQLite file
an exclusive lock on a file beside it. Held while it migrates and seeds, released when the block ends
(or the process dies: the server ends the session, the kernel drops the file lock)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core.storage.database import is_sqlite

log = logging.getLogger(__name__)
_LOCK = text("SELECT pg_advisory_lock(hashtext(:name || ':' || current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtext(:name || ':' || current_schema()))")


@contextmanager
def database_lock(url: str, *, name: str) -> Iterator[None]:
    if is_sqlite(url):
        with _file_lock(url, name=name):
            yield
        return
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(_LOCK, {"name": name})
            connection.commit()  # the lock belongs to the session, not to this transaction
            try:
                yield
            finally:
                connection.execute(_UNLOCK, {"name": name})
                connection.commit()
    finally:
        engine.dispose()


@contextmanager
def _file_lock(url: str, *, name: str) -> Iterator[None]:
    database = make_url(url).database
    try:
        import fcntl
    except ImportError:  # no advisory file locks here: one process per SQLite file is the rule anyway
        fcntl = None  # type: ignore[assignment]
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    path = Path(f"{database}.{name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
