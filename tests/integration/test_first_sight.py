"""Two processes meeting the same new author at the same moment store one person and one account, and
neither loses its message (INSERT ... ON CONFLICT DO NOTHING, then the other's row is used)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text

from core.messages import Author, Inbound
from core.service import Desk
from core.storage.database import Database
from core.storage.models import IdentityRow, PersonRow, TicketRow

PROBLEMS = ("my laptop will not boot", "the printer on floor 3 is jammed", "vpn drops every hour",
            "outlook crashes when I open the calendar")
NEWCOMER = Author(platform="console", user_id="newcomer", display_name="Newcomer", email="new@example.com")


def message(n: int, author: Author = NEWCOMER) -> Inbound:
    return Inbound(platform="console", event_id=f"race-{n}", channel="it-help", message_id=f"m{n}", author=author,
                   text=PROBLEMS[n % len(PROBLEMS)], is_intake=True)


def counts(desk: Desk) -> tuple[int, int, set[int]]:
    def load(session):  # type: ignore[no-untyped-def]
        people = session.scalar(select(func.count()).select_from(PersonRow).where(PersonRow.email == "new@example.com"))
        accounts = session.scalar(select(func.count()).select_from(IdentityRow)
                                  .where(IdentityRow.user_id == "newcomer"))
        requesters = set(session.scalars(select(TicketRow.requester_id)))
        return people, accounts, requesters

    return desk.db.run(load)


def test_workers_meeting_one_new_author_at_once_store_one_person(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    desks = [make_desk(database_url) for _ in range(4)]
    start = threading.Barrier(len(desks))
    failures: list[BaseException] = []

    def work(n: int, desk: Desk) -> None:
        start.wait()
        try:
            assert desk.handle_message(message(n))
        except BaseException as error:  # noqa: BLE001 - reported below, with the others
            failures.append(error)

    threads = [threading.Thread(target=work, args=(n, desk)) for n, desk in enumerate(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    people, accounts, requesters = counts(desks[0])
    assert (people, accounts, len(requesters)) == (1, 1, 1)
    assert desks[0].db.run(lambda s: s.scalar(select(func.count()).select_from(TicketRow))) == 4


@pytest.mark.postgres
def test_an_author_being_stored_by_another_transaction_is_waited_for_and_used(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at the start of a transaction: writers never overlap there")
    desk = make_desk(database_url)
    other = Database(database_url)
    try:
        with other.engine.connect() as held:  # another worker, midway through its first sight of the author
            person_id = held.execute(text("INSERT INTO people (display_name, email, role, team, config_name, "
                                          "config_role) VALUES ('Newcomer', 'new@example.com', 'requester', '', "
                                          "'', '') RETURNING id")).scalar_one()
            held.execute(text("INSERT INTO identities (platform, workspace, user_id, display_name, person_id, "
                              "agent) VALUES ('console', '', 'newcomer', 'Newcomer', :p, false)"), {"p": person_id})
            done: list[bool] = []
            thread = threading.Thread(target=lambda: done.append(desk.handle_message(message(1))))
            thread.start()
            wait_until(lambda: _waiting_for_a_lock(other), what="the desk waiting on the other transaction")
            held.commit()
        thread.join(60)
        assert done == [True]
        people, accounts, requesters = counts(desk)
        assert (people, accounts, requesters) == (1, 1, {person_id})
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
