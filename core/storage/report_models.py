"""The tables of reports: the requester's satisfaction with a closed ticket, and the weekly digests sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime


class RatingRow(Base):
    """One answer per ticket to "How did we do?": rating again replaces it."""

    __tablename__ = "ticket_ratings"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class WeeklyReportRow(Base):
    """A weekly digest sent to the leads: the primary key makes each week's digest go out once."""

    __tablename__ = "report_digests"

    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO week, e.g. 2026-W10
    at: Mapped[datetime] = mapped_column(UtcDateTime())
