"""Tables that keep work from being lost at the edges of a process: its runs, and how far it has read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime


class RunRow(Base):
    """One start of an adapter whose platform has no event ids of its own (a terminal): the run's number
    is part of every id it makes, so no id repeats across runs of one database."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PendingEventRow(Base):
    """A platform's request kept as it came, committed before the platform is told it arrived, and deleted
    once it has been worked on: a process that dies in between leaves it here for the next one."""

    __tablename__ = "pending_events"
    __table_args__ = (
        UniqueConstraint("platform", "key"),
        Index("ix_pending_events_ready", "platform", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    # The platform's own id for the request: a redelivery of one still pending is not kept twice.
    key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)
