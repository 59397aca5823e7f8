"""An edit of a ticket's original message is recorded; a change that leaves its text alone is not an edit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from core.messages import MessageChanged
from core.service import Desk
from core.storage.models import AuditRow, TicketRow
from tests.conftest import DANA, Chat
from tests.integration.helpers import outbox, tickets


def audit_actions(desk: Desk) -> list[str]:
    return desk.db.run(lambda s: list(s.scalars(select(AuditRow.action).order_by(AuditRow.id))))


def version(desk: Desk) -> int:
    return desk.db.run(lambda s: s.scalar(select(TicketRow.version)))


def change(message_id: str, text: str | None, *, event: str) -> MessageChanged:
    return MessageChanged(platform="console", event_id=event, channel="it-help", message_id=message_id, text=text)


def test_an_unfurl_that_keeps_the_text_changes_nothing(chat: Chat) -> None:
    root = chat.say(DANA, "vpn drops every hour, see https://status.example.com")
    before = audit_actions(chat.desk), len(outbox(chat.desk)), version(chat.desk)
    chat.desk.handle_change(change(root, "vpn drops every hour, see https://status.example.com", event="e1"))
    assert (audit_actions(chat.desk), len(outbox(chat.desk)), version(chat.desk)) == before
    assert tickets(chat.desk)[0]["description"] == "vpn drops every hour, see https://status.example.com"


def test_a_real_edit_is_recorded(chat: Chat) -> None:
    root = chat.say(DANA, "vpn drops every hour")
    before = version(chat.desk)
    chat.desk.handle_change(change(root, "vpn drops every ten minutes", event="e1"))
    assert audit_actions(chat.desk)[-1] == "original_edited"
    assert tickets(chat.desk)[0]["description"] == "vpn drops every ten minutes"
    assert version(chat.desk) == before + 1


def test_every_run_gets_a_number_no_other_run_had(make_desk: Callable[..., Desk], database_url: str) -> None:
    first, second = make_desk(database_url), make_desk(database_url)
    runs = [first.begin_run("console"), second.begin_run("console"), first.begin_run("console")]
    assert len(set(runs)) == 3 and runs == sorted(runs)
