"""The one way an instant enters the SLA code: timezone-aware, converted to UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime, *, name: str) -> datetime:
    """`value` as UTC; a naive datetime is refused because its zone would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)
