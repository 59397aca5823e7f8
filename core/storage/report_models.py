"""The tables of reports: the requester's satisfaction with a closed ticket, and the weekly digests sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
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


class ReportTallyRow(Base):
    """One finished UTC day's counts and sums of one report figure for one combination of the tickets'
    attributes (a rollup): the report adds these up instead of reading every ticket again. `basis` names the
    calendars and teams the business seconds were worked out with, followed by `*` on the rows that add up
    every team, kind, service and platform; `key` is who resolved (their id), for the resolutions, and the
    article, for the articles suggested."""

    __tablename__ = "report_tallies"

    basis: Mapped[str] = mapped_column(String(64), primary_key=True)
    figure: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # 2026-03-02
    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    service: Mapped[str] = mapped_column(String(100), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    priority: Mapped[str] = mapped_column(String(2), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "" when none
    title: Mapped[str] = mapped_column(String(300), default="")  # the article's, for the articles suggested
    v0: Mapped[float] = mapped_column(Float, default=0.0)
    v1: Mapped[float] = mapped_column(Float, default=0.0)
    v2: Mapped[float] = mapped_column(Float, default=0.0)
    v3: Mapped[float] = mapped_column(Float, default=0.0)
    v4: Mapped[float] = mapped_column(Float, default=0.0)
    v5: Mapped[float] = mapped_column(Float, default=0.0)
    v6: Mapped[float] = mapped_column(Float, default=0.0)
    v7: Mapped[float] = mapped_column(Float, default=0.0)
    v8: Mapped[float] = mapped_column(Float, default=0.0)


class ReportRolledDayRow(Base):
    """A UTC day whose tallies are stored (a day with no tickets has none, so its having been rolled up is
    said here)."""

    __tablename__ = "report_rolled_days"

    basis: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)


class ReportTrailCheckRow(Base):
    """How far the trail (audit rows, SLA events) had been read for changes to rolled-up days, and when."""

    __tablename__ = "report_trail_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    audit_id: Mapped[int] = mapped_column(Integer)
    sla_event_id: Mapped[int] = mapped_column(Integer)
