"""The tables of outages, problems and changes. Problems and changes are tickets (kinds problem and change);
these tables hold what a plain ticket has not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime


class SubscriptionRow(Base):
    """A person who wants to be told directly about a service, on the platform they subscribed from."""

    __tablename__ = "service_subscriptions"
    __table_args__ = (UniqueConstraint("service", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(100), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    platform: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutageRow(Base):
    """A declared disruption of a service: OUT-<id>."""

    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(100), index=True)
    summary: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def key(self) -> str:
        return f"OUT-{self.id}"


class OutageUpdateRow(Base):
    """What was said about an outage, in order: the declaration, each update, the resolution."""

    __tablename__ = "outage_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutageTicketRow(Base):
    """An incident reported during an outage and linked to it: resolved when the outage is."""

    __tablename__ = "outage_tickets"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"), index=True)


class ProblemLinkRow(Base):
    """An incident caused by a problem (a PRB ticket); an incident has at most one problem."""

    __tablename__ = "problem_incidents"

    incident_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class RecurringClusterRow(Base):
    """Similar incidents that arrived close together. The unique anchor (the cluster's first incident)
    makes its "possible problem" card go out once, however many reports race to create it."""

    __tablename__ = "recurring_clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    anchor_ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


class RecurringMemberRow(Base):
    __tablename__ = "recurring_members"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("recurring_clusters.id"), index=True)


class ChangeRow(Base):
    """A planned change (a CHG ticket): its window, risk, plan and rollback, and where it stands.
    `round` counts submissions for approval: a rejected change can be submitted again."""

    __tablename__ = "changes"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    service: Mapped[str] = mapped_column(String(100), index=True)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    risk: Mapped[str] = mapped_column(String(10))
    plan: Mapped[str] = mapped_column(Text)
    rollback: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)


class ChangeApprovalRow(Base):
    """One approver's decision in one round of approval."""

    __tablename__ = "change_approvals"
    __table_args__ = (UniqueConstraint("ticket_id", "round", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChangeNoticeRow(Base):
    """An announcement of a change to its service's subscribers (`mark`: before:<minutes>, start or end).
    The unique constraint makes each go out once, as `sla_events` does for warnings."""

    __tablename__ = "change_notices"
    __table_args__ = (UniqueConstraint("ticket_id", "mark"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    mark: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
