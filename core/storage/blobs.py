"""Content-addressed bytes: a file is stored once by its SHA-256 digest, however many notifications carry
it, and read back by digest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.storage.models import BlobRow


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_blobs(session: Session, blobs: Iterable[tuple[str, bytes]], *, now: datetime) -> None:
    """Store each (media type, bytes) unless its digest is stored already; either way it counts as stored
    now (so a file stored again is not forgotten while a new notification still needs it)."""
    rows = {digest_of(data): dict(digest=digest_of(data), media_type=media_type, size=len(data), data=data,
                                  stored_at=now) for media_type, data in blobs}
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(BlobRow).values(list(rows.values()))
    session.execute(statement.on_conflict_do_update(index_elements=[BlobRow.digest],
                                                    set_={"stored_at": statement.excluded.stored_at}))


def read_blobs(session: Session, digests: Iterable[str]) -> dict[str, bytes]:
    wanted = set(digests)
    if not wanted:
        return {}
    rows = session.execute(select(BlobRow.digest, BlobRow.data).where(BlobRow.digest.in_(wanted)))
    return {digest: data for digest, data in rows}


def forget_blobs(session: Session, *, stored_before: datetime, keep: set[str]) -> int:
    """Delete what was last stored before `stored_before`, except the digests in `keep`; how many went."""
    old = set(session.scalars(select(BlobRow.digest).where(BlobRow.stored_at < stored_before))) - keep
    if old:
        session.execute(delete(BlobRow).where(BlobRow.digest.in_(old)))
    return len(old)
