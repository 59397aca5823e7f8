"""Tokens other systems call the API with. A token is shown once when made; only its hash is kept. Each
carries scopes that say what it may do, and acts as an account of its own (platform `api`, its name)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import DeskError
from core.storage.access_models import IntegrationTokenRow

PLATFORM = "api"
PREFIX = "spoc_"
SCOPES = {
    "tickets:read": "list and read tickets",
    "tickets:write": "open tickets and comment on them",
    "tickets:manage": "work tickets as an agent: claim, resolve, hold, ... (acts as an agent)",
    "outages:read": "read services and outages",
    "outages:write": "declare, update and resolve outages (acts as an agent)",
    "catalog:read": "list the catalog's items and the questions each asks",
    "orders:read": "read orders: their answers, approvals and tasks",
    "orders:write": "order from the catalog in the integration's name",
}
AGENT_SCOPES = frozenset({"tickets:manage", "outages:write"})
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")


@dataclass(frozen=True)
class Integration:
    name: str
    scopes: frozenset[str]
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def acts_as_agent(self) -> bool:
        return bool(self.scopes & AGENT_SCOPES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _integration(row: IntegrationTokenRow) -> Integration:
    return Integration(name=row.name, scopes=frozenset(row.scopes.split()), created_at=row.created_at,
                       last_used_at=row.last_used_at, revoked_at=row.revoked_at)


def check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(s.strip().lower() for s in scopes if s.strip())
    unknown = sorted(chosen - SCOPES.keys())
    if unknown:
        raise DeskError(f"Unknown scope {', '.join(unknown)}: use {', '.join(sorted(SCOPES))}.")
    if not chosen:
        raise DeskError(f"Give at least one --scope: {', '.join(sorted(SCOPES))}.")
    return chosen


def create_token(session: Session, *, name: str, scopes: Iterable[str], now: datetime) -> str:
    """A new token named `name`; the token itself is returned, once, and never stored."""
    name = name.strip().lower()
    if not NAME.fullmatch(name):
        raise DeskError(f"{name!r} is not a token name: use letters, digits, '.', '_' or '-' (up to 63), "
                        "like monitoring or hr-system.")
    chosen = check_scopes(scopes)
    existing = session.scalar(select(IntegrationTokenRow).where(IntegrationTokenRow.name == name))
    if existing is not None and existing.revoked_at is None:
        raise DeskError(f"A token named {name} exists: `spoc tokens revoke {name}` first, or choose another name.")
    if existing is not None:  # a revoked token's name is free again
        session.delete(existing)
        session.flush()
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(IntegrationTokenRow(name=name, token_hash=_hash(token), scopes=" ".join(sorted(chosen)),
                                    created_at=now))
    return token


def integration_for(session: Session, token: str) -> Integration | None:
    """The integration a presented token belongs to; None when unknown or revoked."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(IntegrationTokenRow).where(IntegrationTokenRow.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    return _integration(row)


def note_use(session: Session, name: str, *, now: datetime) -> None:
    session.execute(update(IntegrationTokenRow).where(IntegrationTokenRow.name == name).values(last_used_at=now))


def integrations(session: Session) -> list[Integration]:
    return [_integration(r) for r in session.scalars(select(IntegrationTokenRow).order_by(IntegrationTokenRow.name))]


def revoke_token(session: Session, name: str, *, now: datetime) -> None:
    row = session.scalar(select(IntegrationTokenRow).where(IntegrationTokenRow.name == name.strip().lower()))
    if row is None or row.revoked_at is not None:
        raise DeskError(f"No active token named {name}. `spoc tokens list` shows them.")
    row.revoked_at = now
