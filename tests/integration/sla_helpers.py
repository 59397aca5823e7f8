"""Builders shared by the SLA tests: desk settings with calendars and teams, and what the database holds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from core.clock import ManualClock
from core.config.sla import CalendarSettings, SlaSettings, Team
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.models import AuditRow, OutboxRow, SlaEventRow, TicketRow
from tests.conftest import DANA, DEFAULT_PEOPLE, Chat

P1_REPORT = "the whole office internet is down, urgent"  # network, impact 1, urgency 1
NORA = Person(name="Nora", email="nora@example.com", role="agent", ids={"console": "nora"})
TEAMS = (
    Team(name="service-desk", display="Service Desk", tier=1),
    Team(name="network", display="Network", tier=2, categories=("network",),
         channels={"console": "it-network"}, on_call="Nora"),
    Team(name="workplace", display="Workplace", tier=2, channels={"console": "it-workplace"}),
    Team(name="infrastructure", display="Infrastructure", tier=3, channels={"console": "it-infra"}),
)


def desk_settings(
    *, time_zone: str = "UTC", holidays: tuple[date, ...] = (), country: str = "",
    teams: tuple[Team, ...] = TEAMS, **sla: Any,
) -> DeskSettings:
    calendar = CalendarSettings(time_zone=time_zone, holidays=holidays, country=country)
    return DeskSettings(people=(*DEFAULT_PEOPLE, NORA), teams=teams,
                        sla=SlaSettings(calendars={"default": calendar}, **sla))


def move_to(clock: ManualClock, at: datetime) -> None:
    clock.advance(at - clock.now())


def report_p1(chat: Chat) -> str:
    return chat.say(DANA, P1_REPORT)


def ticket(desk: Desk, number: int = 1) -> TicketRow:
    return desk.db.run(lambda s: s.get(TicketRow, number))


def events(desk: Desk) -> list[tuple[int, str, str]]:
    return desk.db.run(lambda s: [(e.ticket_id, e.clock, e.kind) for e in
                                  s.scalars(select(SlaEventRow).order_by(SlaEventRow.id))])


def sent(desk: Desk, *, title_starts: str = "", text_has: str = "") -> list[OutboxRow]:
    """Notifications whose card title starts with `title_starts` and whose text contains `text_has`."""
    rows = desk.db.run(lambda s: list(s.scalars(select(OutboxRow).order_by(OutboxRow.id))))
    return [r for r in rows if (r.card.get("title") or "").startswith(title_starts)
            and text_has in (r.card.get("text") or "")]


def audit_actions(desk: Desk, number: int = 1) -> list[tuple[str, str, str]]:
    return desk.db.run(lambda s: [(a.action, a.old, a.new) for a in s.scalars(
        select(AuditRow).where(AuditRow.ticket_id == number).order_by(AuditRow.id))])
