"""Files that came with messages about a ticket: kept with the ticket, listed on its cards, read on demand."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import Ctx
from core.messages import Attachment
from core.storage.models import AttachmentRow
from core.storage.writes import append

FILENAME_LIMIT = 255


@dataclass(frozen=True)
class StoredFile:
    """An attachment as cards and lists show it (its bytes stay in the database)."""

    id: int
    filename: str
    content_type: str
    size: int
    original: bool

    def describe(self) -> str:
        return f"#{self.id} {self.filename} ({readable_size(self.size)})"


def keep(ctx: Ctx, ticket_id: int, files: Sequence[Attachment]) -> int:
    """Store `files` with the ticket, in the unit's transaction; returns how many."""
    author = ctx.actor.id if ctx.actor else None
    for file in files:
        append(ctx.session, AttachmentRow, ticket_id=ticket_id, author_id=author,
               filename=(file.filename or "attachment")[:FILENAME_LIMIT], content_type=file.content_type[:100],
               size=len(file.data), sha256=hashlib.sha256(file.data).hexdigest(), original=file.original,
               created_at=ctx.now, data=file.data)
    return len(files)


def files_of(session: Session, ticket_id: int) -> list[StoredFile]:
    rows = session.execute(
        select(AttachmentRow.id, AttachmentRow.filename, AttachmentRow.content_type, AttachmentRow.size,
               AttachmentRow.original).where(AttachmentRow.ticket_id == ticket_id).order_by(AttachmentRow.id)
    ).all()
    return [StoredFile(id=r.id, filename=r.filename, content_type=r.content_type, size=r.size, original=r.original)
            for r in rows]


def file_bytes(session: Session, *, ticket_id: int, file_id: int) -> tuple[StoredFile, bytes] | None:
    row = session.get(AttachmentRow, file_id)
    if row is None or row.ticket_id != ticket_id:
        return None
    return (StoredFile(id=row.id, filename=row.filename, content_type=row.content_type, size=row.size,
                       original=row.original), row.data)


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
