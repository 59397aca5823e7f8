"""Real concurrent workers on one database: exactly one claim wins; a locked SQLite file loses nothing."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from core.messages import Author, CommandRequest, Inbound
from core.service import Desk
from core.storage.database import Database
from tests.conftest import DANA, Chat
from tests.integration.helpers import tickets


def _claim_in_process(url: str, agent: str, key: str, start: float, answers: multiprocessing.Queue) -> None:
    from core.clock import SystemClock
    from core.context import DeskDeps, Routes
    from core.delivery import Destination
    from core.knowledge import NoKnowledgeBase
    from core.settings import DeskSettings, Person

    settings = DeskSettings(people=(Person(name="Sam", role="agent", ids={"console": "sam"}),
                                    Person(name="Lee", role="agent", ids={"console": "lee"})))
    db = Database(url)
    desk = Desk(db=db, deps=DeskDeps(settings=settings, knowledge=NoKnowledgeBase(),
                                     routes=Routes(triage=(Destination("console", "it-triage"),)),
                                     platforms=frozenset({"console"})), clock=SystemClock())
    author = Author(platform="console", user_id=agent, display_name=agent.capitalize())
    time.sleep(max(0.0, start - time.time()))
    reply = desk.handle_command(CommandRequest(platform="console", event_id=f"claim-{agent}-{key}", author=author,
                                               text=f"claim {key}"))
    answers.put((agent, reply.text))
    db.dispose()


def test_two_agents_claiming_one_ticket_at_once_exactly_one_wins(chat: Chat, database_url: str) -> None:
    for text in ("my laptop won't turn on", "vpn keeps dropping", "I need access to the finance share"):
        chat.say(DANA, text)
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    start = time.time() + 3.0
    workers = [context.Process(target=_claim_in_process, args=(database_url, agent, key, start, answers))
               for key in ("INC-1", "INC-2", "REQ-3") for agent in ("sam", "lee")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    results = [answers.get(timeout=5) for _ in workers]
    for key in ("INC-1", "INC-2", "REQ-3"):
        on_ticket = [text for _agent, text in results if key in text]
        assert len(on_ticket) == 2
        wins = [t for t in on_ticket if t == f"You have {key}."]
        refusals = [t for t in on_ticket if t.startswith(f"{key} is already claimed by ")]
        assert (len(wins), len(refusals)) == (1, 1), on_ticket
    owners = {t["key"]: t["assignee"] for t in tickets(chat.desk)}
    assert all(owner in ("Sam", "Lee") for owner in owners.values())


def test_a_briefly_locked_sqlite_file_is_retried_and_nothing_is_lost(
    tmp_path: Path, sqlite_url: str, make_desk, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    desk: Desk = make_desk(sqlite_url)
    desk.db.dispose()
    desk.db = Database(sqlite_url, busy_timeout_ms=50)
    holder = sqlite3.connect(tmp_path / "spoc.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.6, lambda: holder.execute("COMMIT"))
    release.start()
    with caplog.at_level(logging.WARNING, logger="core.storage.database"):
        desk.handle_message(Inbound(platform="console", event_id="e1", channel="it-help", message_id="m1",
                                    author=DANA, text="my laptop won't turn on", is_intake=True))
    release.join()
    holder.close()
    assert [t["key"] for t in tickets(desk)] == ["INC-1"]
    assert any("database busy" in r.message for r in caplog.records)
    desk.db.dispose()


def test_the_same_event_delivered_twice_at_once_creates_one_ticket(make_desk, database_url: str) -> None:  # type: ignore[no-untyped-def]
    desks = [make_desk(database_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    inbound = Inbound(platform="console", event_id="same-event", channel="it-help", message_id="m1",
                      author=DANA, text="my laptop won't turn on", is_intake=True)

    def deliver(desk: Desk) -> None:
        barrier.wait()
        desk.handle_message(inbound)

    threads = [threading.Thread(target=deliver, args=(d,)) for d in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(tickets(desks[0])) == 1
