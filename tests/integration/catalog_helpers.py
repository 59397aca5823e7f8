"""A desk with the starter catalog, a small people directory and console accounts for everyone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.catalog_loading import with_catalog
from core.cards import Reply
from core.config.catalog import CatalogSettings, Licence
from core.messages import Author, CommandRequest, Inbound
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.catalog_models import OrderApprovalRow, OrderRow
from core.storage.models import AuditRow, OutboxRow, TicketRow

PEOPLE = (
    Person(name="Sam", email="sam@example.com", role="agent", ids={"console": "sam"}),
    Person(name="Lee", email="lee@example.com", role="admin", ids={"console": "lee"}),
    Person(name="Mia", email="mia@example.com", ids={"console": "mia"}),
    Person(name="Dana", email="dana@example.com", ids={"console": "dana"}, manager="Mia"),
    Person(name="Alex", email="alex@example.com", ids={"console": "alex"}, manager="Mia"),
    Person(name="Priya", email="priya@example.com", ids={"console": "priya"}),
)


def catalog_settings(*, catalog: CatalogSettings | None = None, people: tuple[Person, ...] = PEOPLE) -> DeskSettings:
    base = DeskSettings(people=people, catalog=catalog or CatalogSettings(groups={"security": ("Priya",)}))
    desk, problems = with_catalog(base)
    assert problems == [], problems
    return desk


def with_seats(settings: DeskSettings, seats: int, *, when_full: str = "queue") -> DeskSettings:
    items = tuple(i.model_copy(update={"licence": Licence(name="software", seats=seats, when_full=when_full)})  # type: ignore[arg-type]
                  if i.licence else i for i in settings.catalog.items)
    return settings.model_copy(update={"catalog": settings.catalog.model_copy(update={"items": items})})


def who(name: str) -> Author:
    return Author(platform="console", user_id=name.lower(), display_name=name,
                  is_agent=name.lower() in ("sam", "lee"))


class Desk18:
    """Runs `/desk` lines and form answers as the people above."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.count = 0

    def run(self, name: str, line: str, answers: dict[str, object] | None = None) -> Reply:
        self.count += 1
        return self.desk.handle_command(CommandRequest(
            platform="console", event_id=f"e{self.count}", author=who(name), text=line, answers=answers or {},
            channel="it-help"))

    def say(self, name: str, line: str, answers: dict[str, object] | None = None) -> str:
        reply = self.run(name, line, answers)
        return reply.text or ((reply.card.title + "\n" + reply.card.text) if reply.card else "")

    def message(self, name: str, text: str) -> None:
        self.count += 1
        self.desk.handle_message(Inbound(platform="console", event_id=f"m{self.count}", channel="it-help",
                                         message_id=f"m{self.count}", author=who(name), text=text, is_intake=True))

    def cards(self) -> list[dict[str, Any]]:
        return self.desk.db.run(lambda s: [r.card for r in s.scalars(select(OutboxRow).order_by(OutboxRow.id))])

    def read(self, work: Callable[..., object]) -> object:
        return self.desk.db.run(work)

    def ticket(self, key_number: int) -> TicketRow:
        return self.desk.db.run(lambda s: s.get(TicketRow, key_number))  # type: ignore[return-value]

    def order(self, key_number: int) -> OrderRow:
        return self.desk.db.run(lambda s: s.get(OrderRow, key_number))  # type: ignore[return-value]

    def tickets(self, kind: str) -> list[TicketRow]:
        return self.desk.db.run(lambda s: list(s.scalars(select(TicketRow).where(TicketRow.kind == kind)
                                                          .order_by(TicketRow.id))))

    def approvals(self, key_number: int) -> list[tuple[int, str]]:
        return self.desk.db.run(lambda s: [(r.person_id, r.decision) for r in s.scalars(
            select(OrderApprovalRow).where(OrderApprovalRow.ticket_id == key_number).order_by(OrderApprovalRow.id))])

    def audit(self, key_number: int) -> list[tuple[str, str]]:
        return self.desk.db.run(lambda s: [(a.action, a.new) for a in s.scalars(
            select(AuditRow).where(AuditRow.ticket_id == key_number).order_by(AuditRow.id))])

    def sent_to(self, user_id: str) -> list[dict[str, object]]:
        return self.desk.db.run(lambda s: [r.card for r in s.scalars(
            select(OutboxRow).where(OutboxRow.user_id == user_id).order_by(OutboxRow.id))])

    def requester_lines(self, key_number: int) -> list[str]:
        """What the requester's thread of an order was told, in order."""
        return self.desk.db.run(lambda s: [(r.card.get("title") or "") + " " + (r.card.get("text") or "")
                                           for r in s.scalars(select(OutboxRow).where(
                                               OutboxRow.ticket_id == key_number, OutboxRow.channel == "it-help")
                                               .order_by(OutboxRow.id))])


SHARE = {"share": "\\\\files\\finance", "access": "read", "reason": "I audit the books"}
