"""The triage model's learned state: the examples agents taught it, kept in the shared database so that
every worker learns the same within seconds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime


class TriageExampleRow(Base):
    """A report with the kind, category, impact and urgency it really has: a ticket an agent corrected, or
    closed without correcting, or a line of an imported file. Rows are only ever added; a ticket's newest
    row is the one that counts, so a second correction replaces what the first taught."""

    __tablename__ = "triage_examples"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(100))
    impact: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[int] = mapped_column(Integer)
    # What agents corrected on the ticket ("kind,category"); empty when they confirmed it by closing it.
    corrected: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(20))  # ticket or imported
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TriageStateRow(Base):
    """One row whose generation `spoc triage reset` raises: every process then forgets what it learned."""

    __tablename__ = "triage_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
