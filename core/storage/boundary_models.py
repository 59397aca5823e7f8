"""Tables that keep work from being lost at the edges of a process: its runs, and how far it has read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.models import PLACE
from core.storage.types import UtcDateTime


class RunRow(Base):
    """One start of an adapter whose platform has no event ids of its own (a terminal): the run's number
    is part of every id it makes, so no id repeats across runs of one database."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReadMarkRow(Base):
    """How far the desk has read a place it can page through again (a channel, a thread): the newest
    position (a message's, in the platform's own order) among the messages it took there. After a gap
    in its connection an adapter reads what came after it."""

    __tablename__ = "read_marks"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    place: Mapped[str] = mapped_column(String(PLACE), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
