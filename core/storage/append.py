"""Append-only rows (history, the outbox, the event inbox, thread links) are written at once with a plain
INSERT. Nothing edits them in the unit of work that writes them, so they skip the ORM's bookkeeping, which
costs more than the row itself."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, insert
from sqlalchemy.orm import Session

from core.storage.base import Base


def append(session: Session, row_type: type[Base], **values: Any) -> None:
    """Insert one row of `row_type` in the session's transaction (columns left out take their defaults)."""
    session.execute(_insert_into(row_type), values)


@cache
def _insert_into(row_type: type[Base]) -> Insert:
    return insert(row_type.__table__)  # type: ignore[arg-type]
