"""Requests kept before they are acknowledged: kept once per key, taken by one worker at a time, finished
or put back for a later try."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.pending import MAX_FAILURES, PendingEvents, Request
from core.storage.database import Database


def request(key: str) -> Request:
    return Request(key=key, body=f'{{"event_id": "{key}"}}', headers={"Content-Type": "application/json"})


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def test_a_redelivery_of_a_kept_request_is_not_kept_twice(db: Database) -> None:
    pending = PendingEvents(db)
    first = pending.keep("slack", [request("event:Ev1"), request("event:Ev2")])
    again = pending.keep("slack", [request("event:Ev2"), request("event:Ev3")])
    assert None not in first and again[0] is None and again[1] is not None
    assert pending.count("slack") == 3


def test_each_take_gets_the_oldest_request_not_already_held(db: Database) -> None:
    pending = PendingEvents(db)
    kept = pending.keep("slack", [request("event:Ev1"), request("event:Ev2"), request("event:Ev3")])
    first = pending.take_next("slack")
    assert first is not None and first.event.id == kept[0]
    second = pending.take_next("slack", besides={first.event.id})  # a PostgreSQL row lock skips it anyway
    assert second is not None and second.event.id == kept[1]
    first.finish()
    second.release()
    again = pending.take_next("slack")
    assert again is not None and again.event.id == kept[1]
    again.finish()


def test_a_finished_request_is_gone_and_cannot_be_taken_again(db: Database) -> None:
    pending = PendingEvents(db)
    [kept] = pending.keep("slack", [request("event:Ev1")])
    assert kept is not None
    taken = pending.take_next("slack")
    assert taken is not None and taken.event.request == request("event:Ev1")
    taken.finish()
    assert pending.take_next("slack") is None and pending.count("slack") == 0


def test_a_request_put_back_waits_for_its_retry_and_stops_after_the_last_failure(db: Database) -> None:
    clock = ManualClock()
    pending = PendingEvents(db, clock=clock)
    [kept] = pending.keep("slack", [request("event:Ev1")])
    assert kept is not None
    for failures in range(1, MAX_FAILURES + 1):
        taken = pending.take_next("slack")
        assert taken is not None and taken.event.id == kept and taken.event.failures == failures - 1
        taken.put_back()
        assert pending.take_next("slack") is None
        clock.advance(timedelta(minutes=6))
    assert pending.take_next("slack") is None
    assert pending.count("slack") == 1  # kept for a person to look at, no longer tried
