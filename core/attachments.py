"""How long the files notifications carry are kept: a week after a notification last stored them, and as
long as a notification still waiting to be delivered carries them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.context import Ctx
from core.outbox import PENDING
from core.scheduling.jobs import scheduled
from core.scheduling.runner import SystemRunner
from core.storage.blobs import forget_blobs
from core.storage.models import OutboxRow

KEEP = timedelta(days=7)


@scheduled("forget-attachments", every=timedelta(hours=1))
def forget_attachments(runner: SystemRunner) -> datetime | None:
    runner.run_as_system(forget_old)
    return None


def forget_old(ctx: Ctx) -> int:
    """Delete the files nothing waiting needs and nothing stored within `KEEP`; how many went."""
    waiting: set[str] = set()
    for card in ctx.session.scalars(select(OutboxRow.card).where(OutboxRow.status == PENDING)):
        waiting.update(digest for _name, _media_type, digest in card.get("attachments", []))
    return forget_blobs(ctx.session, stored_before=ctx.now - KEEP, keep=waiting)
