"""The tables of the service catalog: orders (each a REQ ticket), their approvals, the fulfilment tasks
(each a TSK ticket), licence seats, and the people directory (managers, absences and delegates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime


class OrderRow(Base):
    """An order of a catalog item: its REQ ticket, the answers to the item's form, and where it stands
    (`state`: awaiting_approval, waiting_for_seat, fulfilling, done, rejected, expired, cancelled).
    `step` is the approval step under way (0-based)."""

    __tablename__ = "orders"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    item: Mapped[str] = mapped_column(String(100), index=True)
    item_name: Mapped[str] = mapped_column(String(200))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(30), index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OrderApprovalRow(Base):
    """One approver asked in one step of an order, and what they decided (`decision` is "" while waiting;
    then approve, reject, withdrawn or expired). `for_id`: the approver they stand in for (a delegate)."""

    __tablename__ = "order_approvals"
    __table_args__ = (UniqueConstraint("ticket_id", "step", "person_id"),
                      Index("ix_order_approvals_waiting", "decision", "asked_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    for_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decision: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OrderTaskRow(Base):
    """A fulfilment task (a TSK ticket) of an order: one team's part, with its checklist of
    [text, done] pairs. `starts_at`: the task waits until then (a leaver's last day)."""

    __tablename__ = "order_tasks"

    task_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    team: Mapped[str] = mapped_column(String(100))
    checklist: Mapped[list[Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started: Mapped[bool] = mapped_column(Boolean, default=True)


class SeatRow(Base):
    """A licence seat held by an order (and so by its requester) until it is released."""

    __tablename__ = "licence_seats"
    __table_args__ = (Index("ix_licence_seats_held", "licence", "released_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence: Mapped[str] = mapped_column(String(100))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DirectoryRow(Base):
    """What the people directory says of a person: their manager, department, whether they are still with
    the company (`active`), and an absence with the delegate who approves for them meanwhile. `source`:
    config or import."""

    __tablename__ = "people_directory"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    department: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    away_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    source: Mapped[str] = mapped_column(String(40), default="")


class FormDraftRow(Base):
    """The answers to the first part of a form a platform asks in parts (its modals hold only a few
    questions), kept until the rest are answered: whichever process receives the last part reads them here.
    Only the account that answered may go on with them."""

    __tablename__ = "form_drafts"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(320))
    command: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
