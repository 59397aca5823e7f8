"""Reading and writing the learned examples (`triage_examples`) in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.storage.triage_models import TriageExampleRow, TriageStateRow
from core.storage.writes import append

STATE_ID = 1
SOURCES = ("ticket", "imported")


@dataclass(frozen=True)
class Labels:
    kind: str
    category: str
    impact: int
    urgency: int


@dataclass(frozen=True)
class Example:
    id: int
    ticket_id: int | None
    text: str
    labels: Labels
    corrected: str
    source: str
    created_at: datetime


@dataclass(frozen=True)
class Probe:
    """A cheap fingerprint of the examples: when it changes, another process has taught something."""

    generation: int
    count: int
    last_id: int


_COLUMNS = (TriageExampleRow.id, TriageExampleRow.ticket_id, TriageExampleRow.text, TriageExampleRow.kind,
            TriageExampleRow.category, TriageExampleRow.impact, TriageExampleRow.urgency,
            TriageExampleRow.corrected, TriageExampleRow.source, TriageExampleRow.created_at)


def _example(row: tuple) -> Example:  # type: ignore[type-arg]
    id_, ticket_id, text, kind, category, impact, urgency, corrected, source, created_at = row
    return Example(id=id_, ticket_id=ticket_id, text=text, labels=Labels(kind, category, impact, urgency),
                   corrected=corrected, source=source, created_at=created_at)


def record(session: Session, *, text: str, labels: Labels, corrected: str, source: str, at: datetime,
           ticket_id: int | None = None) -> None:
    append(session, TriageExampleRow, ticket_id=ticket_id, text=text, kind=labels.kind, category=labels.category,
           impact=labels.impact, urgency=labels.urgency, corrected=corrected, source=source, created_at=at)


def corrected_so_far(session: Session, ticket_id: int) -> str | None:
    """What agents corrected on a ticket by its newest example; None when it has taught nothing yet."""
    return session.scalar(select(TriageExampleRow.corrected).where(TriageExampleRow.ticket_id == ticket_id)
                          .order_by(TriageExampleRow.id.desc()).limit(1))


def probe(session: Session) -> Probe:
    generation = session.scalar(select(TriageStateRow.generation).where(TriageStateRow.id == STATE_ID)) or 0
    count, last_id = session.execute(select(func.count(TriageExampleRow.id), func.max(TriageExampleRow.id))).one()
    return Probe(generation=generation, count=count, last_id=last_id or 0)


def current(session: Session) -> Iterator[Example]:
    """Every example that counts, oldest first: each ticket's newest, and every imported one."""
    newest = select(func.max(TriageExampleRow.id)).where(TriageExampleRow.ticket_id.is_not(None)) \
        .group_by(TriageExampleRow.ticket_id)
    query = select(*_COLUMNS).where(TriageExampleRow.ticket_id.is_(None) | TriageExampleRow.id.in_(newest)) \
        .order_by(TriageExampleRow.id)
    for row in session.execute(query):
        yield _example(tuple(row))


def after(session: Session, after_id: int) -> list[Example]:
    query = select(*_COLUMNS).where(TriageExampleRow.id > after_id).order_by(TriageExampleRow.id)
    return [_example(tuple(row)) for row in session.execute(query)]


def text_of(session: Session, example_id: int) -> str | None:
    return session.scalar(select(TriageExampleRow.text).where(TriageExampleRow.id == example_id))


def forget_everything(session: Session) -> int:
    """Delete every learned example and raise the generation; the number of examples deleted."""
    gone = session.execute(delete(TriageExampleRow)).rowcount or 0
    if session.execute(update(TriageStateRow).where(TriageStateRow.id == STATE_ID)
                       .values(generation=TriageStateRow.generation + 1)).rowcount == 0:
        append(session, TriageStateRow, id=STATE_ID, generation=1)
    return gone
