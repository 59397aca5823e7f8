"""What the status page shows: every service and its state, active outages with every update, recent
history, and planned changes; read in one reading transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config.services import Service, service_named
from core.storage.itsm_models import ChangeRow, OutageRow, OutageUpdateRow
from core.storage.models import TicketRow

HISTORY = timedelta(days=30)
HISTORY_LIMIT = 20
PLANNED_STATES = ("scheduled", "in_progress")


@dataclass(frozen=True)
class Update:
    id: int
    kind: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Outage:
    key: str
    service: str
    service_title: str
    summary: str
    impact: str
    active: bool
    declared_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    updates: list[Update] = field(default_factory=list)


@dataclass(frozen=True)
class Planned:
    key: str
    title: str
    service_title: str
    start_at: datetime
    end_at: datetime
    state: str


@dataclass(frozen=True)
class ServiceState:
    name: str
    title: str
    state: str  # operational, outage or maintenance
    outage: str = ""  # the active outage's key
    since: datetime | None = None


@dataclass(frozen=True)
class Status:
    services: list[ServiceState]
    active: list[Outage]
    history: list[Outage]
    planned: list[Planned]
    at: datetime

    @property
    def updated_at(self) -> datetime:
        times = [o.updated_at for o in self.active + self.history]
        return max(times, default=self.at)


def _title(services: tuple[Service, ...], name: str) -> str:
    found = service_named(services, name)
    return found.title if found else name


def _outages(session: Session, services: tuple[Service, ...], rows: list[OutageRow]) -> list[Outage]:
    ids = [row.id for row in rows]
    updates: dict[int, list[Update]] = {i: [] for i in ids}
    if ids:
        for u in session.scalars(select(OutageUpdateRow).where(OutageUpdateRow.outage_id.in_(ids))
                                 .order_by(OutageUpdateRow.id)):
            updates[u.outage_id].append(Update(id=u.id, kind=u.kind, text=u.text, at=u.at))
    return [Outage(key=row.key, service=row.service, service_title=_title(services, row.service), summary=row.summary,
                   impact=row.impact, active=row.status == "active", declared_at=row.declared_at,
                   updated_at=row.updated_at, resolved_at=row.resolved_at, updates=updates[row.id])
            for row in rows]


def read_status(session: Session, services: tuple[Service, ...], *, now: datetime) -> Status:
    active_rows = list(session.scalars(select(OutageRow).where(OutageRow.status == "active").order_by(OutageRow.id)))
    past_rows = list(session.scalars(select(OutageRow).where(OutageRow.status != "active",
                                                             OutageRow.resolved_at >= now - HISTORY)
                                     .order_by(OutageRow.resolved_at.desc()).limit(HISTORY_LIMIT)))
    planned = [Planned(key=ticket.key, title=ticket.title, service_title=_title(services, change.service),
                       start_at=change.start_at, end_at=change.end_at, state=change.state)
               for change, ticket in session.execute(
                   select(ChangeRow, TicketRow).join(TicketRow, TicketRow.id == ChangeRow.ticket_id)
                   .where(ChangeRow.state.in_(PLANNED_STATES), ChangeRow.end_at >= now)
                   .order_by(ChangeRow.start_at))]
    down = {row.service: row for row in active_rows}
    working_on = {p_service for p_service, state in session.execute(
        select(ChangeRow.service, ChangeRow.state).where(ChangeRow.state == "in_progress"))}
    states = [ServiceState(name=s.name, title=s.title,
                           state="outage" if s.name in down else "maintenance" if s.name in working_on
                           else "operational", outage=down[s.name].key if s.name in down else "",
                           since=down[s.name].declared_at if s.name in down else None) for s in services]
    return Status(services=states, active=_outages(session, services, active_rows),
                  history=_outages(session, services, past_rows), planned=planned, at=now)


def feed_entries(session: Session, services: tuple[Service, ...], *, now: datetime) -> list[tuple[Outage, Update]]:
    """Every update of the outages of the last 30 days, newest first: one feed entry each."""
    rows = list(session.scalars(select(OutageRow).where(OutageRow.updated_at >= now - HISTORY)
                                .order_by(OutageRow.id.desc()).limit(50)))
    entries = [(outage, update) for outage in _outages(session, services, rows) for update in outage.updates]
    return sorted(entries, key=lambda pair: pair[1].at, reverse=True)
