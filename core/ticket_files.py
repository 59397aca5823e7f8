"""Files that came with messages about a ticket: their bytes stored once as blobs (core/storage/blobs.py),
listed on the ticket's cards, read on demand. A blob a ticket keeps is never forgotten."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import Ctx
from core.messages import InboundFile
from core.storage.blobs import digest_of, read_blobs, store_blobs
from core.storage.models import TicketFileRow
from core.storage.writes import append

FILENAME_LIMIT = 255


@dataclass(frozen=True)
class StoredFile:
    """A ticket's file as cards and lists show it (its bytes stay in the database)."""

    id: int
    filename: str
    media_type: str
    size: int
    digest: str
    original: bool

    def describe(self) -> str:
        return f"#{self.id} {self.filename} ({readable_size(self.size)})"


def keep(ctx: Ctx, ticket_id: int, files: Sequence[InboundFile]) -> int:
    """Store `files` with the ticket, in the unit's transaction; returns how many."""
    if not files:
        return 0
    store_blobs(ctx.session, [(f.media_type, f.data) for f in files], now=ctx.now)
    author = ctx.actor.id if ctx.actor else None
    for file in files:
        append(ctx.session, TicketFileRow, ticket_id=ticket_id, author_id=author,
               filename=(file.filename or "attachment")[:FILENAME_LIMIT], media_type=file.media_type[:100],
               size=len(file.data), digest=digest_of(file.data), original=file.original, created_at=ctx.now)
    return len(files)


def files_of(session: Session, ticket_id: int) -> list[StoredFile]:
    rows = session.scalars(select(TicketFileRow).where(TicketFileRow.ticket_id == ticket_id)
                           .order_by(TicketFileRow.id))
    return [_stored(row) for row in rows]


def file_bytes(session: Session, *, ticket_id: int, file_id: int) -> tuple[StoredFile, bytes] | None:
    row = session.get(TicketFileRow, file_id)
    if row is None or row.ticket_id != ticket_id:
        return None
    data = read_blobs(session, [row.digest]).get(row.digest)
    return None if data is None else (_stored(row), data)


def kept_digests(session: Session) -> set[str]:
    """Every blob a ticket keeps."""
    return set(session.scalars(select(TicketFileRow.digest).distinct()))


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _stored(row: TicketFileRow) -> StoredFile:
    return StoredFile(id=row.id, filename=row.filename, media_type=row.media_type, size=row.size,
                      digest=row.digest, original=row.original)
