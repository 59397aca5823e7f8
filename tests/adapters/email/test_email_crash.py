"""A spoc process killed while it reads the desk's mailbox (dovecot on loopback): killed before the mail's
unit of work commits, the mail stays unread and the next reader takes it once; killed after the commit but
before the mail is marked seen, the next reader finds it done and only marks it seen."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

from sqlalchemy import func, select

from adapters.email.imap import ImapReader
from core.storage.models import OutboxRow
from tests.adapters.email.conftest import MailWorld, email_settings, imap_settings, mail
from tests.integration.helpers import tickets
from tests.standins.mail_servers import Dovecot

# A reader in a process of its own that SIGKILLs itself at the moment named by its last argument:
# `before-commit` when the mail's unit of work is about to commit, `after-commit` once it has committed and
# before the mail is marked seen.
KILLED_READER = textwrap.dedent("""
    import os, signal, sys, threading
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from adapters.email.imap import ImapReader
    from adapters.email.intake import MailIntake
    from adapters.email.settings import EmailSettings, ImapSettings
    from core.clock import SystemClock
    from core.context import DeskDeps, Routes
    from core.knowledge import NoKnowledgeBase
    from core.service import Desk
    from core.settings import DeskSettings
    from core.storage.database import Database

    url, settings_json, moment = sys.argv[1], sys.argv[2], sys.argv[3]
    settings = EmailSettings.model_validate_json(settings_json)
    desk = Desk(db=Database(url), deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                                routes=Routes(), platforms=frozenset({"email"})),
                clock=SystemClock())
    desk.setup()
    intake = MailIntake(desk=desk, settings=settings)

    def die(*_):
        os.kill(os.getpid(), signal.SIGKILL)

    def take(raw):
        outcome = intake.take(raw)
        if moment == "after-commit":
            die()
        return outcome

    if moment == "before-commit":
        event.listen(Session, "before_commit", die)
    reader = ImapReader(settings.imap, take=take, refuse_oversize=intake.refuse_oversize,
                        max_bytes=settings.max_message_bytes, after=lambda: None, stop=threading.Event())
    imap = reader.connect()
    reader.take_unseen(imap)
    sys.exit("the reader was not killed")
""")


def kill_a_reader(world: MailWorld, dovecot: Dovecot, user: str, moment: str) -> None:
    settings = email_settings(world.smtp.port, imap=imap_settings(dovecot, user, idle=False))
    killed = subprocess.run([sys.executable, "-c", KILLED_READER, str(world.desk.db.engine.url),
                             settings.model_dump_json(), moment], capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr


def read_once(world: MailWorld, dovecot: Dovecot, user: str) -> list[str]:
    """A fresh reader (the restarted process) takes what is unread; the outcomes of its mails."""
    outcomes: list[str] = []

    def take(raw: bytes):  # type: ignore[no-untyped-def]
        outcome = world.adapter.intake.take(raw)
        outcomes.append(outcome.status)
        return outcome

    reader = ImapReader(imap_settings(dovecot, user, idle=False), take=take,
                        refuse_oversize=world.adapter.intake.refuse_oversize,  # type: ignore[arg-type]
                        max_bytes=10**8, after=lambda: None, stop=threading.Event())
    imap = reader.connect()
    try:
        reader.take_unseen(imap)
    finally:
        imap.logout()
    return outcomes


def notices(world: MailWorld) -> int:
    return world.desk.db.run(lambda s: s.scalar(select(func.count()).select_from(OutboxRow)) or 0)


async def test_a_reader_killed_before_the_commit_leaves_the_mail_unread_and_it_is_taken_once(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    dovecot.deliver(mailbox_user, mail())
    await asyncio.to_thread(kill_a_reader, world, dovecot, mailbox_user, "before-commit")
    assert ["\\Seen" in f for f in dovecot.flags(mailbox_user)] == [False]
    assert tickets(world.desk) == [] and notices(world) == 0

    assert await asyncio.to_thread(read_once, world, dovecot, mailbox_user) == ["taken"]
    assert len(tickets(world.desk)) == 1
    assert ["\\Seen" in f for f in dovecot.flags(mailbox_user)] == [True]
    assert await asyncio.to_thread(read_once, world, dovecot, mailbox_user) == []
    assert len(await world.deliver()) == 2  # opened and the suggestions, once


async def test_a_reader_killed_after_the_commit_leaves_the_mail_unread_and_its_second_reading_changes_nothing(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    dovecot.deliver(mailbox_user, mail())
    await asyncio.to_thread(kill_a_reader, world, dovecot, mailbox_user, "after-commit")
    assert ["\\Seen" in f for f in dovecot.flags(mailbox_user)] == [False]  # the server still calls it new
    assert len(tickets(world.desk)) == 1
    queued = notices(world)
    assert queued >= 1

    assert await asyncio.to_thread(read_once, world, dovecot, mailbox_user) == ["repeated"]
    assert len(tickets(world.desk)) == 1 and notices(world) == queued
    assert ["\\Seen" in f for f in dovecot.flags(mailbox_user)] == [True]
    assert len(await world.deliver()) == queued
