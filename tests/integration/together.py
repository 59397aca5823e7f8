"""Work started at the same moment, or while another worker's transaction is still open: the races that
several workers on one database meet."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, text

from core.storage.database import Database

T = TypeVar("T")
W = TypeVar("W")


def at_once(workers: Sequence[W], work: Callable[[int, W], None], *, timeout: float = 120) -> list[BaseException]:
    """Run `work(n, worker)` for every worker in a thread of its own, all released together by a barrier;
    what each raised (an assertion included), for the test to check is empty."""
    start = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def run(n: int, worker: W) -> None:
        start.wait()
        try:
            work(n, worker)
        except BaseException as error:  # noqa: BLE001 - reported to the test, with the others
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n, worker)) for n, worker in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return failures


def while_another_transaction_writes(url: str, write: Callable[[Connection], Any],
                                     work: Callable[[], T]) -> tuple[Any, list[T]]:
    """`write` in another connection's open transaction; `work` started in a thread until it waits for that
    transaction's lock, which then commits. What `write` returned, and what `work` did ([] if it never ended)."""
    other = Database(url)
    try:
        with other.engine.connect() as held:
            written = write(held)
            done: list[T] = []
            thread = threading.Thread(target=lambda: done.append(work()))
            thread.start()
            wait_until(lambda: _waiting_for_a_lock(other), what="the work waiting on the other transaction")
            held.commit()
        thread.join(60)
        return written, done
    finally:
        other.dispose()


def wait_until(check: Callable[[], bool], *, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _waiting_for_a_lock(db: Database) -> bool:
    with db.engine.connect() as probe:
        return bool(probe.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar())
