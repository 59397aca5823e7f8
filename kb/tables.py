"""The knowledge base's tables, declared on the one shared base. Every datetime is aware UTC."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime

FEEDBACK_KINDS = ("suggested", "solved", "not_helpful", "sent", "viewed")


class KbArticleRow(Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    service: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    also_asked_as: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner: Mapped[str] = mapped_column(String(200), default="")
    updated: Mapped[date | None] = mapped_column(Date, nullable=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Bumped on every write: what other processes compare to know their index is stale.
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class KbPhrasingRow(Base):
    __tablename__ = "kb_phrasings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class KbFeedbackRow(Base):
    __tablename__ = "kb_feedback"
    __table_args__ = (
        CheckConstraint("kind IN ('suggested', 'solved', 'not_helpful', 'sent', 'viewed')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


KB_TABLES = (KbArticleRow.__table__, KbPhrasingRow.__table__, KbFeedbackRow.__table__)
