"""The hot-path writes: a row stored at once behaves like one the ORM flushed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core.cards import Card
from core.context import Ctx
from core.delivery import Destination
from core.errors import DeskError
from core.service import Desk
from core.storage.database import Database
from core.storage.models import AuditRow, PersonRow, TicketRow
from core.storage.writes import append, store_now
from tests.conftest import START
from tests.integration.itsm_helpers import rows


def _ticket(requester_id: int) -> TicketRow:
    return TicketRow(kind="incident", title="vpn down", description="vpn down", category="network", impact=2,
                     urgency=2, priority="P3", requester_id=requester_id, origin_platform="console",
                     origin_channel="it-help", created_at=START, updated_at=START)


def test_a_row_stored_now_has_its_key_and_defaults_and_is_read_back_unchanged(database_url: str) -> None:
    db = Database(database_url)
    person = db.run(lambda s: store_now(s, PersonRow(display_name="Dana")))
    assert person.id is not None and person.role == "requester" and person.team == ""
    again = db.run(lambda s: s.get(PersonRow, person.id))
    assert (again.display_name, again.role, again.team, again.email) == ("Dana", "requester", "", None)
    db.dispose()


def test_a_stored_object_is_the_one_the_session_hands_back(database_url: str) -> None:
    db = Database(database_url)

    def work(session):  # type: ignore[no-untyped-def]
        person = store_now(session, PersonRow(display_name="Dana"))
        return person, session.get(PersonRow, person.id), session.scalar(select(PersonRow.id).where(
            PersonRow.display_name == "Dana"))

    person, found, by_query = db.run(work)
    assert found is person and by_query == person.id
    db.dispose()


def test_a_ticket_stored_now_still_refuses_a_stale_update(database_url: str) -> None:
    db = Database(database_url)
    person = db.run(lambda s: store_now(s, PersonRow(display_name="Dana")))
    ticket = db.run(lambda s: store_now(s, _ticket(person.id)))
    assert ticket.version == 1

    stale = db.run(lambda s: s.get(TicketRow, ticket.id))
    db.run(lambda s: setattr(s.get(TicketRow, ticket.id), "status", "in_progress"))

    def edit_stale(session):  # type: ignore[no-untyped-def]
        session.add(stale)
        stale.status = "cancelled"
        session.flush()

    with pytest.raises(StaleDataError):
        db.run(edit_stale)
    assert db.run(lambda s: s.get(TicketRow, ticket.id).status) == "in_progress"
    db.dispose()


def test_an_appended_row_takes_the_column_defaults(database_url: str) -> None:
    db = Database(database_url)
    person = db.run(lambda s: store_now(s, PersonRow(display_name="Dana")))
    ticket = db.run(lambda s: store_now(s, _ticket(person.id)))
    db.run(lambda s: append(s, AuditRow, ticket_id=ticket.id, at=START, actor_id=None, action="opened"))
    row = db.run(lambda s: s.scalars(select(AuditRow).where(AuditRow.ticket_id == ticket.id)).one())
    assert (row.action, row.field, row.old, row.new) == ("opened", "", "", "")
    db.dispose()


def test_notifications_of_one_unit_are_stored_in_the_order_they_were_sent(desk: Desk) -> None:
    def send_three(ctx: Ctx) -> None:
        for title in ("first", "second", "third"):
            ctx.outbox.send(Destination("console", "it-triage"), Card(title=title))
        ctx.outbox.send(Destination("slack", "C1"), Card(title="not a platform of this desk"))

    desk.run_as_system(send_three)
    assert [r.card["title"] for r in rows(desk)] == ["first", "second", "third"]


def test_a_unit_that_fails_after_sending_stores_none_of_its_notifications(desk: Desk) -> None:
    def send_then_fail(ctx: Ctx) -> None:
        ctx.outbox.send(Destination("console", "it-triage"), Card(title="never"))
        raise DeskError("refused")

    with pytest.raises(DeskError):
        desk.run_as_system(send_then_fail)
    assert rows(desk) == []
