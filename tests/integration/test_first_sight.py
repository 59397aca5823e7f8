"""Two processes meeting the same new author at the same moment store one person and one account, and
neither loses its message (INSERT ... ON CONFLICT DO NOTHING, then the other's row is used)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, func, select, text

from core.messages import Author, Inbound
from core.service import Desk
from core.storage.models import IdentityRow, PersonRow, TicketRow
from tests.integration.together import at_once, while_another_transaction_writes

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

    def work(n: int, desk: Desk) -> None:
        assert desk.handle_message(message(n))

    assert at_once(desks, work) == []
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

    def store_the_author(held: Connection) -> int:  # another worker, midway through its first sight of the author
        person_id = held.execute(text("INSERT INTO people (display_name, email, role, team, config_name, "
                                      "config_role) VALUES ('Newcomer', 'new@example.com', 'requester', '', "
                                      "'', '') RETURNING id")).scalar_one()
        held.execute(text("INSERT INTO identities (platform, workspace, user_id, display_name, person_id, "
                          "agent) VALUES ('console', '', 'newcomer', 'Newcomer', :p, false)"), {"p": person_id})
        return person_id

    person_id, done = while_another_transaction_writes(database_url, store_the_author,
                                                       lambda: desk.handle_message(message(1)))
    assert done == [True]
    people, accounts, requesters = counts(desk)
    assert (people, accounts, requesters) == (1, 1, {person_id})
