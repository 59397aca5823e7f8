"""A database spoc cannot open, told in one line: which database (password masked), why, and the fix."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.faults import DatabaseFault
from core.storage.database import is_sqlite, make_engine, shown_url

__all__ = ["DatabaseFault", "explain", "migrate_or_fault", "reach_or_fault", "sqlite_fault"]


def migrate_or_fault(url: str) -> None:
    """Create or migrate the schema; any failure becomes a DatabaseFault with its one line. A schema that
    is already the newest is left alone without loading Alembic."""
    from bot.schema_version import schema_is_current

    fault = sqlite_fault(url)
    if fault:
        raise DatabaseFault(fault)
    if schema_is_current(url):
        return
    from bot.migrations import upgrade

    try:
        upgrade(url)
    except (SQLAlchemyError, OSError) as error:
        raise DatabaseFault(explain(url, error)) from error


@contextmanager
def prepared_or_fault(url: str) -> Iterator[None]:
    """`bot.migrations.prepared` (the schema migrated, the lock held for first-start work), any failure
    a DatabaseFault with its one line."""
    from bot.migrations import prepared

    fault = sqlite_fault(url)
    if fault:
        raise DatabaseFault(fault)
    try:
        with prepared(url):
            yield
    except (SQLAlchemyError, OSError) as error:
        raise DatabaseFault(explain(url, error)) from error


def reach_or_fault(url: str) -> None:
    """Connect once, for commands that read without migrating."""
    fault = sqlite_fault(url, must_exist=True)
    if fault:
        raise DatabaseFault(fault)
    engine = make_engine(url, write_lock_at_begin=False)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as error:
        raise DatabaseFault(explain(url, error)) from error
    finally:
        engine.dispose()


def _line(url: str, cause: str, fix: str) -> str:
    return f"Cannot open the database {shown_url(url)}: {cause}. {fix}."


def sqlite_path(url: str) -> Path | None:
    if not is_sqlite(url):
        return None
    try:
        database = make_url(url).database
    except ArgumentError:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def sqlite_fault(url: str, *, must_exist: bool = False) -> str:
    """What is wrong with a SQLite file's place, found before SQLite says "unable to open database file"."""
    path = sqlite_path(url)
    if path is None:
        return ""
    directory = path.parent
    if not directory.exists():
        return _line(url, f"the directory {directory} does not exist",
                     f"Create it (mkdir -p {directory}) or point database.url elsewhere")
    if not directory.is_dir():
        return _line(url, f"{directory} is a file, not a directory", "Point database.url at a path in a directory")
    if path.is_dir():
        return _line(url, f"{path} is a directory", "Name a file in it, e.g. sqlite:///" + str(path / "spoc.db"))
    if must_exist and not path.exists():
        return _line(url, f"{path} does not exist yet", "Run `spoc db upgrade` (or `spoc run`) to create it")
    if path.exists() and not os.access(path, os.W_OK):
        return _line(url, f"{path} is read-only for this user",
                     "Give the user running spoc write access to it, or point database.url elsewhere")
    if not os.access(directory, os.W_OK):
        return _line(url, f"this user cannot write in {directory} (SQLite keeps its -wal and -shm files beside "
                          "the database)", "Give the user running spoc write access to that directory")
    return ""


_HOST_PORT = re.compile(r'server at "([^"]+)"(?: \([^)]*\))?, port (\d+)')


def explain(url: str, error: BaseException) -> str:
    """One line for any error opening or migrating the database at `url`."""
    message = str(getattr(error, "orig", None) or error)
    low = message.lower()
    if is_sqlite(url):
        found = sqlite_fault(url)
        if found:
            return found
        if "readonly" in low or "read-only" in low:
            return _line(url, "the file is read-only (attempt to write a readonly database)",
                         "Give the user running spoc write access to it, or point database.url elsewhere")
        if "unable to open database file" in low:
            return _line(url, "SQLite cannot open the file", "Check that the path exists and is writable")
        if "file is not a database" in low:
            return _line(url, "the file is not a SQLite database", "Point database.url at spoc's database file")
        return _line(url, _first_line(message), "Check database.url (or SPOC_DATABASE_URL)")
    try:
        parsed = make_url(url)
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        name, user = parsed.database or "", parsed.username or ""
    except ArgumentError:
        where, name, user = "the server", "", ""
    found = _HOST_PORT.search(message)
    if found:
        where = f"{found.group(1)}:{found.group(2)}"
    if "connection refused" in low:
        return _line(url, f"nothing accepts connections at {where} (connection refused)",
                     "Start PostgreSQL there, or correct the host and port in database.url (or SPOC_DATABASE_URL)")
    if "does not exist" in low and "database" in low:
        return _line(url, f"the server at {where} has no database {name!r}",
                     f"Create it (createdb -h {where.rpartition(':')[0]} {name}) or correct the name in the URL")
    if "password authentication failed" in low or "no password supplied" in low:
        return _line(url, f"the server at {where} refused the password of {user!r}",
                     "Correct the user and password in the URL")
    if "role" in low and "does not exist" in low:
        return _line(url, f"the server at {where} has no user {user!r}", "Correct the user in the URL, or create it")
    if "resolve host" in low or "name or service not known" in low or "nodename nor servname" in low:
        return _line(url, f"the host {where.rpartition(':')[0]!r} is unknown", "Correct the host in the URL")
    if "timeout" in low or "timed out" in low:
        return _line(url, f"{where} did not answer in time", "Check the host, the port and any firewall between")
    if "permission denied" in low:
        return _line(url, f"the user {user!r} may not create or change tables there ({_first_line(message)})",
                     "Grant it CREATE on the database's schema, or run `spoc db upgrade` as its owner")
    return _line(url, _first_line(message), "Check database.url (or SPOC_DATABASE_URL)")


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return (lines[0] if lines else "unknown error").rstrip(".")
