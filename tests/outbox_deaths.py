"""A process killed in the middle of delivering the outbox, as the database is left by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.dispatcher import Dispatcher
from core.clock import SystemClock
from core.delivery import Messenger
from core.outbox import RetryPolicy
from core.storage.database import Database
from core.storage.models import OutboxRow
from tests.fakes import DyingMessenger, ProcessDied


async def die_delivering(db: Database, messenger: Messenger, *, after_sending: bool) -> None:
    """Lease what is due and die delivering it (after the platform took each first message, or before it was
    sent); then let the dead process's leases run out, as they do a minute later."""
    dying = Dispatcher(db=db, messengers={messenger.platform: DyingMessenger(messenger, after_sending=after_sending)},
                       clock=SystemClock(), policy=RetryPolicy())
    with pytest.raises(ProcessDied):
        await dying.deliver_due()
    past = datetime.now(UTC) - timedelta(seconds=1)
    db.run(lambda s: s.execute(update(OutboxRow).where(OutboxRow.locked_until.is_not(None)).values(locked_until=past)))
