"""The core's tables. Every datetime column holds UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.lifecycle import Kind, Status, format_key
from core.storage.base import Base
from core.storage.types import UtcDateTime

# Platform identifiers are opaque strings of any platform: a place or an account may be an address
# (up to 320 characters) and a message reference an Internet Message-ID (up to 998).
PLACE = 320
MESSAGE_REF = 1000


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    # The role in force: the highest its sources give (see core/roles.py), kept here for every query.
    role: Mapped[str] = mapped_column(String(20), default="requester")
    team: Mapped[str] = mapped_column(String(100), default="")
    # The entry of desk.people this person is bound to (by ids or e-mail, never by a name), and its role.
    config_name: Mapped[str] = mapped_column(String(200), default="")
    config_role: Mapped[str] = mapped_column(String(20), default="")
    identities: Mapped[list[IdentityRow]] = relationship(back_populates="person")


class IdentityRow(Base):
    """A chat account: a user id in a workspace of a platform ("" is the desk's own workspace)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str] = mapped_column(String(PLACE))
    display_name: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The platform's agents' group or role held this account when it was last asked.
    agent: Mapped[bool] = mapped_column(Boolean, default=False)
    person: Mapped[PersonRow] = relationship(back_populates="identities")


class PersonAuditRow(Base):
    """What happened to a person: a role given or taken away (and by which source), accounts linked."""

    __tablename__ = "people_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(40))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_priority", "status", "priority"),
        Index("ix_tickets_requester_status", "requester_id", "status"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        # Recent incidents of a category: every new incident is compared with them.
        Index("ix_tickets_kind_category_created", "kind", "category", "created_at"),
        # The ticket a chat message opened: every edit or deletion of a message in an intake channel asks.
        Index("ix_tickets_origin", "origin_platform", "origin_channel", "origin_message"),
        # Reports read the tickets reported, first answered, resolved or closed in a period. The last three
        # are empty on a new ticket: those indexes hold only the tickets that have the instant.
        Index("ix_tickets_created", "created_at"),
        *(Index(f"ix_tickets_{column}", column, sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"))
          for column in ("first_response_at", "resolved_at", "closed_at")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=Status.NEW.value)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(100), default="")
    impact: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[int] = mapped_column(Integer)
    priority: Mapped[str] = mapped_column(String(2))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    team: Mapped[str] = mapped_column(String(100), default="")
    tier: Mapped[int] = mapped_column(Integer, default=1)
    origin_platform: Mapped[str] = mapped_column(String(20))
    origin_channel: Mapped[str] = mapped_column(String(PLACE))
    origin_message: Mapped[str] = mapped_column(String(MESSAGE_REF), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution: Mapped[str] = mapped_column(Text, default="")
    self_service: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    # SLA: when each clock runs out (None while paused or stopped), and when the sweep must look again.
    first_response_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sla_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    hold_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Why triage filed it so, by decision (kind, category, impact, urgency): shown on cards and in /desk show.
    triage_reasons: Mapped[dict[str, str] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    requester: Mapped[PersonRow] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[PersonRow | None] = relationship(foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def key(self) -> str:
        return format_key(self.kind, self.id)

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def ticket_kind(self) -> Kind:
        return Kind(self.kind)


class CommentRow(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    platform: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[PersonRow | None] = relationship()


class TicketFileRow(Base):
    """A file that came with a message about a ticket: the message's own attachments, or the whole original
    of a message whose text was shortened for the ticket. The bytes are a blob (stored once by digest)."""

    __tablename__ = "ticket_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(ForeignKey("blobs.digest"), index=True)
    original: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditRow(Base):
    __tablename__ = "audit"
    __table_args__ = (
        # Reports read the status changes of a period (the day in progress, the backlog as it stood then);
        # only status changes are indexed, so the other trail rows cost no index write.
        Index("ix_audit_status_at", "at", sqlite_where=text("action = 'status'"),
              postgresql_where=text("action = 'status'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(40), default="")
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[PersonRow | None] = relationship()


class ThreadRow(Base):
    """A chat thread that belongs to a ticket: the requester's thread, or the agents' thread under a card."""

    __tablename__ = "ticket_threads"
    __table_args__ = (UniqueConstraint("platform", "channel", "thread"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(PLACE))
    thread: Mapped[str] = mapped_column(String(MESSAGE_REF))
    audience: Mapped[str] = mapped_column(String(20))


class SuggestionRow(Base):
    __tablename__ = "ticket_suggestions"
    __table_args__ = (UniqueConstraint("ticket_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(20), default="")


class ProcessedEventRow(Base):
    """The inbox: platform events already handled, so a redelivery changes nothing."""

    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(MESSAGE_REF + 100), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # A channel's messages: what is still pending before a message (order) and the last one sent (pace).
        Index("ix_outbox_channel", "platform", "channel", "status", "sent_at"),
        # The queues of pending messages, one per place and `ahead`, in order: a worker leases the first few of
        # each through it, and a message finds the earlier ones it waits for.
        Index("ix_outbox_queue", "platform", "channel", "user_id", "ahead", "id",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(PLACE), default="")
    thread: Mapped[str] = mapped_column(String(MESSAGE_REF), default="")
    user_id: Mapped[str] = mapped_column(String(PLACE), default="")
    fallback_user_id: Mapped[str] = mapped_column(String(PLACE), default="")
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    card_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    ticket_key: Mapped[str] = mapped_column(String(40), default="")
    thread_audience: Mapped[str] = mapped_column(String(20), default="")
    # A reply in the thread of this living card (its card_key), once that card has been posted.
    in_thread_of: Mapped[str] = mapped_column(String(200), default="")
    # A lightweight acknowledgement to one person (`user_id`) about a message in `channel` (`thread`): it uses
    # none of the channel's pace and waits for none of its messages (an ephemeral message, a reaction).
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)
    # A summary drawn afresh when it goes out (a storm card): it goes before the other messages waiting for its
    # place, and waits only for earlier ones that go ahead too.
    ahead: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    message_id: Mapped[str] = mapped_column(String(MESSAGE_REF), default="")
    # When the earliest attempt that is not known to have failed or succeeded began: a process may have died
    # after the platform accepted the message and before `sent` was written, so the next attempt asks first.
    attempt_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class BlobRow(Base):
    """The bytes of a file a notification carries (a chart), stored once by their SHA-256 digest. Cards in
    the outbox name it; whichever process delivers a card reads it here. `stored_at` is the last time a
    notification stored it (it is kept a while after, see core/attachments.py)."""

    __tablename__ = "blobs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class CardMessageRow(Base):
    """Where a living card was posted, so later changes edit it in place."""

    __tablename__ = "card_messages"
    # Which living card a thread hangs under: every reply in a thread that is not a ticket's asks it.
    __table_args__ = (Index("ix_card_messages_place", "platform", "channel", "message_id"),)

    card_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(PLACE))
    message_id: Mapped[str] = mapped_column(String(MESSAGE_REF))


class SlaEventRow(Base):
    """A warning, breach, reminder or automatic close that happened to a ticket. The unique constraint
    makes each happen once: its row and its notifications are written in one transaction."""

    __tablename__ = "sla_events"
    __table_args__ = (UniqueConstraint("ticket_id", "clock", "kind", "mark"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    clock: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    # Tells apart repeats that are meant to happen again: each hold gets its own reminder.
    mark: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class DigestRow(Base):
    """The daily digest sent to an agent: one per person and local day."""

    __tablename__ = "sla_digests"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class LinkCodeRow(Base):
    """A one-time code that joins a person's chat accounts on two platforms. Only its hash is kept, and it
    is valid for minutes: whoever reads the table cannot use a pending code."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The account that asked for the code; the person behind it is looked up when the code is used.
    platform: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str] = mapped_column(String(PLACE), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
