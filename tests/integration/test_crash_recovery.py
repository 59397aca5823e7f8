"""A process killed between the commit and the delivery: the notifications go out after restart."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import timedelta

from bot.dispatcher import Dispatcher
from core.clock import ManualClock, SystemClock
from core.outbox import RetryPolicy
from core.storage.database import Database
from tests.fakes import RecordingMessenger

CRASHING_WORKER = textwrap.dedent("""
    import os, signal, sys
    from core.clock import SystemClock
    from core.context import DeskDeps, Routes
    from core.delivery import Destination
    from core.knowledge import NoKnowledgeBase
    from core.messages import Author, Inbound
    from core.outbox import claim_due
    from core.service import Desk
    from core.settings import DeskSettings
    from core.storage.database import Database

    db = Database(sys.argv[1])
    desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                     routes=Routes(triage=(Destination("console", "it-triage"),)),
                                     platforms=frozenset({"console"})), clock=SystemClock())
    desk.handle_message(Inbound(platform="console", event_id="e1", channel="it-help", message_id="m1",
                                author=Author(platform="console", user_id="dana", display_name="Dana"),
                                text="my laptop won't turn on", is_intake=True))
    # The dispatcher has leased the notifications and is about to send them when the process dies.
    db.run(lambda s: claim_due(s, now=SystemClock().now(), platforms=frozenset({"console"})))
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_notifications_committed_before_a_kill_are_delivered_after_restart(database_url: str) -> None:
    killed = subprocess.run([sys.executable, "-c", CRASHING_WORKER, database_url], capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    db = Database(database_url)
    messenger = RecordingMessenger()
    after_lease = ManualClock(SystemClock().now() + timedelta(seconds=61))
    dispatcher = Dispatcher(db=db, messengers={"console": messenger}, clock=after_lease, policy=RetryPolicy())
    asyncio.run(dispatcher.deliver_due())
    db.dispose()
    texts = [d.card.title or d.card.text for d in messenger.delivered]
    assert any(t.startswith("INC-1 opened") for t in texts)
    assert any(t.startswith("INC-1 · my laptop won't turn on") for t in texts)
