"""The reads that every message, reply, edit or notification makes go through an index: their cost must not
grow with the number of tickets and people."""

from __future__ import annotations

import pytest
from sqlalchemy import Select, create_engine, event

from core.intake import RECENT_OPEN_OF_REQUESTER
from core.itsm.banner_replies import LIVING_CARD_AT
from core.itsm.recurring import MEMBER_COUNT, NEWEST_MEMBERS, RECENT_UNEXPLAINED
from core.people import PERSON_WITH_ACCOUNT, USER_ID_ON
from core.tickets import OPENED_BY_MESSAGE, THREAD_AT
from tests.conftest import START

HOT_READS = {
    "recent incidents of a category (each new incident)": (
        RECENT_UNEXPLAINED, {"category": "email", "ticket": 1, "since": START}),
    "a requester's recent open tickets (each report)": (RECENT_OPEN_OF_REQUESTER, {"person": 1, "since": START}),
    "the author (each message and command)": (
        PERSON_WITH_ACCOUNT, {"platform": "slack", "workspace": "", "user_id": "U1"}),
    "a requester's chat account (each notification)": (USER_ID_ON, {"person": 1, "platform": "slack"}),
    "the ticket of a thread (each reply)": (THREAD_AT, {"platform": "slack", "channel": "C1", "thread": "1.2"}),
    "the newest incidents of a cluster (each one that joins)": (NEWEST_MEMBERS, {"cluster": 1}),
    "the size of a cluster (each one that joins)": (MEMBER_COUNT, {"cluster": 1}),
    "the card a thread hangs under (each reply outside a ticket's thread)": (
        LIVING_CARD_AT, {"platform": "slack", "channel": "C1", "message": "1.2"}),
    "the ticket a message opened (each edit)": (
        OPENED_BY_MESSAGE, {"platform": "slack", "channel": "C1", "message": "1.2"}),
}


@pytest.mark.parametrize("read", list(HOT_READS))
def test_a_read_made_for_every_chat_event_uses_an_index_on_sqlite(sqlite_url: str, read: str) -> None:
    statement, values = HOT_READS[read]
    plan = _plan(sqlite_url, statement, values)
    assert not any(step.startswith("SCAN") for step in plan), plan


@pytest.mark.parametrize("read", ["recent incidents of a category (each new incident)",
                                  "the newest incidents of a cluster (each one that joins)"])
def test_newest_first_reads_take_their_order_from_an_index_instead_of_sorting_every_match(
    sqlite_url: str, read: str,
) -> None:
    """A category's window or a cluster may hold thousands of incidents: only the newest are read."""
    statement, values = HOT_READS[read]
    plan = _plan(sqlite_url, statement, values)
    assert not any("TEMP B-TREE" in step or "SCAN" in step for step in plan), plan


def _plan(url: str, statement: Select, values: dict[str, object]) -> list[str]:
    """SQLite's plan for `statement` as SQLAlchemy would send it (bound, lists expanded)."""
    engine = create_engine(url)

    def explain(_conn, _cursor, sql, parameters, _context, _many):  # type: ignore[no-untyped-def]
        return f"EXPLAIN QUERY PLAN {sql}", parameters

    event.listen(engine, "before_cursor_execute", explain, retval=True)
    with engine.connect() as conn:
        rows = conn.execute(statement, values).all()
    engine.dispose()
    return [row[3] for row in rows]
