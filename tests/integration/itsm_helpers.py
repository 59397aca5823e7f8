"""Builders shared by the tests of outages, problems and changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.dispatcher import Dispatcher
from core.clock import ManualClock
from core.config.services import RecurringSettings, Service
from core.outbox import RetryPolicy
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.models import OutboxRow, TicketRow
from tests.conftest import DEFAULT_PEOPLE, person
from tests.fakes import RecordingMessenger

PRIYA = Person(name="Priya", email="priya@example.com", role="agent", ids={"console": "priya"})
ANA = Person(name="Ana", email="ana@example.com", role="agent", ids={"console": "ana"})
SERVICES = (
    Service(name="email", display="e-mail", aliases=("outlook", "mail"), owner="infrastructure",
            channels={"console": ("it-help",), "slack": ("C-EMAIL",), "discord": ("555",)}),
    Service(name="wifi", display="Wi-Fi", aliases=("wi-fi", "wireless"), owner="network",
            channels={"console": ("it-help",), "slack": ("C-WIFI",)}),
)
LEE = person("Lee")
PRIYA_AUTHOR = person("Priya")
ANA_AUTHOR = person("Ana")
ALL_PLATFORMS = ("console", "slack", "discord")


def itsm_settings(**overrides: Any) -> DeskSettings:
    values: dict[str, Any] = {"people": (*DEFAULT_PEOPLE, PRIYA, ANA), "services": SERVICES,
                              "recurring_incidents": RecurringSettings(count=0)}
    return DeskSettings(**(values | overrides))


def itsm_desk(make_desk: Callable[..., Desk], url: str, *, platforms: tuple[str, ...] = ("console",),
              **overrides: Any) -> Desk:
    return make_desk(url, settings=itsm_settings(**overrides), platforms=platforms)


def rows(desk: Desk, *, title_starts: str = "", text_has: str = "") -> list[OutboxRow]:
    """Notifications whose card title starts with `title_starts` and whose text contains `text_has`."""
    found = desk.db.run(lambda s: list(s.scalars(select(OutboxRow).order_by(OutboxRow.id))))
    return [r for r in found if (r.card.get("title") or "").startswith(title_starts)
            and text_has in (r.card.get("text") or "")]


def places(found: list[OutboxRow]) -> set[tuple[str, str, str]]:
    return {(r.platform, r.channel, r.user_id) for r in found}


def ticket(desk: Desk, number: int) -> TicketRow:
    return desk.db.run(lambda s: s.get(TicketRow, number))


def deliver(desk: Desk, messenger: RecordingMessenger, clock: ManualClock) -> None:
    dispatcher = Dispatcher(db=desk.db, messengers={"console": messenger}, clock=clock,
                            policy=RetryPolicy(max_attempts=3))
    asyncio.run(dispatcher.drain(timeout=10))
