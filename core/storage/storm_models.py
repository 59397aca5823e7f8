"""The tables of storms: reports that arrived faster than a triage channel can show them, each listed on
the channel's storm card instead of a card of its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime

PLACE = 320  # as a channel id anywhere (core/storage/models.py)


class StormMemberRow(Base):
    """A ticket shown on a storm card of a triage channel. A storm is numbered per channel: the next number
    starts when the channel's last storm has been quiet for a while (core/storms.py)."""

    __tablename__ = "storm_members"
    __table_args__ = (Index("ix_storm_members_place", "platform", "channel", "storm", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(PLACE), primary_key=True)
    storm: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
