"""What a log line is about: the event in hand and the ticket it concerns. Context variables, so each
thread and each asyncio task has its own; a log handler reads them when it writes a line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

EVENT_ID: ContextVar[str] = ContextVar("event_id", default="")
TICKET_KEY: ContextVar[str] = ContextVar("ticket_key", default="")


@contextmanager
def handling(event_id: str, *, ticket: str = "") -> Iterator[None]:
    """Every line logged inside names this event (and its ticket, once known); both are forgotten after,
    also on a thread that goes on to other work."""
    event_token = EVENT_ID.set(event_id)
    ticket_token = TICKET_KEY.set(ticket)
    try:
        yield
    finally:
        TICKET_KEY.reset(ticket_token)
        EVENT_ID.reset(event_token)


def about_ticket(key: str) -> None:
    """The lines logged from now on in the event in hand concern this ticket."""
    TICKET_KEY.set(key)


def event_id() -> str:
    return EVENT_ID.get()


def ticket_key() -> str:
    return TICKET_KEY.get()
