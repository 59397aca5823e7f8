"""Tables of access from outside chat: one-time sign-in links, integration tokens, and how far the feed of
events to outgoing hooks has read. Secrets are kept only as SHA-256 hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UtcDateTime

PLACE = 320


class SignInCodeRow(Base):
    """A one-time sign-in link sent to a chat account: whoever opens it within minutes acts as that account."""

    __tablename__ = "sign_in_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str] = mapped_column(String(PLACE), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IntegrationTokenRow(Base):
    """A token another system calls the API with: its name, its scopes (space-separated), its hash."""

    __tablename__ = "integration_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EventFeedRow(Base):
    """How far an outgoing feed of events has read each source table (the id of the last row it took)."""

    __tablename__ = "event_feeds"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
