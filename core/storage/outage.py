"""The database out of reach: which errors say so, and one log line per outage (when it began and ended,
how long it lasted, why), however many units of work waited through it."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# Said by the drivers (psycopg, sqlite3) when the server or the file cannot be reached: nothing about the
# work itself, so the same work succeeds once the database answers again.
UNREACHABLE_MESSAGES = (
    "connection refused", "could not connect", "connection failed", "server closed the connection",
    "terminating connection", "connection is lost", "connection is closed", "connection timed out",
    "timeout expired", "no route to host", "connection reset", "broken pipe", "consuming input failed",
    "ssl syscall error", "network is unreachable", "name or service not known", "temporary failure in name",
    "the database system is starting up", "the database system is shutting down",
    "unable to open database file", "disk i/o error",
)


def is_unreachable(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    text = str(getattr(error, "orig", error)).lower()
    return any(message in text for message in UNREACHABLE_MESSAGES)


def _reason(error: BaseException) -> str:
    lines = [line.strip() for line in str(getattr(error, "orig", error)).splitlines() if line.strip()]
    return (lines[0] if lines else type(error).__name__)[:300]


class Outage:
    """Shared by every unit of work of one process: the first failure opens the outage, the first success
    after it closes it and logs the one line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.began: datetime | None = None
        self._began_monotonic = 0.0
        self.reason = ""

    @property
    def ongoing(self) -> bool:
        return self.began is not None

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if self.began is None:
                self.began, self._began_monotonic, self.reason = datetime.now(UTC), time.monotonic(), _reason(error)

    def recovered(self) -> None:
        with self._lock:
            if self.began is None:
                return
            lasted = time.monotonic() - self._began_monotonic
            log.warning("the database was unreachable from %s to %s (%.1f s): %s; the work held meanwhile went on",
                        _shown(self.began), _shown(datetime.now(UTC)), lasted, self.reason)
            self.began = None

    def still_down(self) -> None:
        """The process stops during an outage: its line, with no end."""
        with self._lock:
            if self.began is not None:
                log.warning("the database is unreachable since %s (%.1f s, still at exit): %s", _shown(self.began),
                            time.monotonic() - self._began_monotonic, self.reason)
                self.began = None


def _shown(at: datetime) -> str:
    return at.strftime("%H:%M:%S")
