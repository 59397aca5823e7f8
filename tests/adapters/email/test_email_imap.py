"""Reading the desk's mailbox on a real IMAP server (dovecot on loopback): IDLE and polling, seen only after
the unit of work commits, a 20 MB attachment, redeliveries and mail over the size limit."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select

from adapters.email.app import EmailAdapter
from adapters.email.imap import ImapReader, MailboxRefused
from core.storage.models import TicketFileRow
from tests.adapters.email.conftest import MailWorld, email_settings, imap_settings, mail
from tests.integration.helpers import tickets
from tests.standins.mail_servers import Dovecot
from tests.waiting import eventually


@asynccontextmanager
async def running(world: MailWorld, dovecot: Dovecot, user: str, **changes: Any) -> AsyncIterator[EmailAdapter]:
    imap_changes = changes.pop("imap", {})
    settings = email_settings(world.smtp.port, imap=imap_settings(dovecot, user, **imap_changes), **changes)
    adapter = EmailAdapter(desk=world.desk, settings=settings, poke=world.dispatcher.poke)
    world.dispatcher.messengers["email"] = adapter.messenger
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    try:
        yield adapter
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def seen(flags: list[str]) -> list[bool]:
    return ["\\Seen" in f for f in flags]


async def test_a_mail_delivered_while_idling_becomes_a_ticket_and_is_then_marked_seen(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    async with running(world, dovecot, mailbox_user):
        await asyncio.sleep(0.5)  # the reader is idling now
        dovecot.deliver(mailbox_user, mail())
        await eventually(lambda: tickets(world.desk), what="a ticket from the mailbox")
        await eventually(lambda: seen(dovecot.flags(mailbox_user)) == [True], what="the mail marked seen")
    sent = await world.deliver()
    assert [m.rcpt_tos for m in sent] == [["dana@example.com"], ["dana@example.com"]]


async def test_without_idle_the_mailbox_is_polled(world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    dovecot.deliver(mailbox_user, mail(subject="first", body="monitor flickers"))
    async with running(world, dovecot, mailbox_user, imap={"idle": False}):
        await eventually(lambda: len(tickets(world.desk)) == 1, what="the waiting mail")
        dovecot.deliver(mailbox_user, mail(subject="second", body="keyboard missing keys"))
        await eventually(lambda: len(tickets(world.desk)) == 2, what="a mail found by the next poll")
    assert seen(dovecot.flags(mailbox_user)) == [True, True]


async def test_a_mail_stays_unread_until_its_work_commits(world: MailWorld, dovecot: Dovecot,
                                                          mailbox_user: str) -> None:
    dovecot.deliver(mailbox_user, mail())
    attempts: list[int] = []

    def flaky(raw: bytes) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the database went away")
        return world.adapter.intake.take(raw)

    stop = threading.Event()
    settings = imap_settings(dovecot, mailbox_user, idle=False)
    reader = ImapReader(settings, take=flaky, refuse_oversize=lambda head, size: None,  # type: ignore[arg-type,return-value]
                        max_bytes=10**8, after=lambda: None, stop=stop)
    imap = await asyncio.to_thread(reader.connect)
    try:
        assert await asyncio.to_thread(reader.take_unseen, imap) == 0
        assert seen(dovecot.flags(mailbox_user)) == [False]
        assert tickets(world.desk) == []
        assert await asyncio.to_thread(reader.take_unseen, imap) == 0  # waiting for its retry
        reader.failures.due.clear()  # the retry is due
        assert await asyncio.to_thread(reader.take_unseen, imap) == 1
    finally:
        await asyncio.to_thread(imap.logout)
    assert seen(dovecot.flags(mailbox_user)) == [True]
    assert len(tickets(world.desk)) == 1


async def test_a_20_mb_attachment_arrives_whole(world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    data = b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024)
    dovecot.deliver(mailbox_user, mail(subject="scanned contract", body="see attached",
                                       files=[("contract.pdf", "application/pdf", data)]))
    async with running(world, dovecot, mailbox_user, imap={"idle": False}):
        await eventually(lambda: tickets(world.desk), timeout=60, what="the ticket with the big file")
    stored = world.desk.db.run(lambda s: [(a.filename, a.size, a.digest) for a in s.scalars(select(TicketFileRow))])
    assert stored == [("contract.pdf", len(data), hashlib.sha256(data).hexdigest())]
    assert seen(dovecot.flags(mailbox_user)) == [True]


async def test_a_20_mb_attachment_over_the_cap_is_refused_and_the_sender_told(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    data = b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024)
    dovecot.deliver(mailbox_user, mail(subject="scanned contract", body="see attached",
                                       files=[("contract.pdf", "application/pdf", data)]))
    from adapters.email.settings import AttachmentSettings

    async with running(world, dovecot, mailbox_user, imap={"idle": False},
                       attachments=AttachmentSettings(max_mb=10)):
        await eventually(lambda: tickets(world.desk), timeout=60, what="the ticket without the big file")
    assert world.desk.db.run(lambda s: s.scalars(select(TicketFileRow)).all()) == []
    assert "contract.pdf (20.0 MB, over the 10.0 MB limit)" in tickets(world.desk)[0]["description"]
    sent = await world.deliver()
    assert any("these files were not kept" in m.plain() for m in sent)


async def test_the_same_mail_delivered_twice_opens_one_ticket(world: MailWorld, dovecot: Dovecot,
                                                              mailbox_user: str) -> None:
    raw = mail()
    dovecot.deliver(mailbox_user, raw)
    dovecot.deliver(mailbox_user, raw)
    async with running(world, dovecot, mailbox_user, imap={"idle": False}):
        await eventually(lambda: seen(dovecot.flags(mailbox_user)) == [True, True], what="both copies seen")
    assert len(tickets(world.desk)) == 1
    assert len(await world.deliver()) == 2


async def test_a_mail_over_the_size_limit_is_not_downloaded_and_its_sender_is_told(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    dovecot.deliver(mailbox_user, mail(subject="logs", files=[("logs.txt", "text/plain", b"x" * 3 * 1024 * 1024)]))
    async with running(world, dovecot, mailbox_user, imap={"idle": False}, max_message_mb=1):
        await eventually(lambda: seen(dovecot.flags(mailbox_user)) == [True], what="the big mail seen")
    assert tickets(world.desk) == []
    (refusal,) = await world.deliver()
    assert "not taken" in refusal.plain()


async def test_a_wrong_password_ends_the_adapter_with_one_line(world: MailWorld, dovecot: Dovecot,
                                                                mailbox_user: str) -> None:
    settings = email_settings(world.smtp.port, imap=imap_settings(dovecot, mailbox_user, password="wrong"))
    adapter = EmailAdapter(desk=world.desk, settings=settings, poke=lambda: None)
    with pytest.raises(MailboxRefused) as refused:
        await asyncio.wait_for(adapter.run(asyncio.Event()), 30)
    assert refused.value.permanent  # spoc run stops with this line instead of retrying for ever
    assert "refused the login" in str(refused.value) and "check email.imap.username" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert tickets(world.desk) == []


async def test_doctor_checks_the_mailbox_the_smtp_server_and_the_listener_port(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    from adapters.email.checkup import checkup
    from adapters.email.settings import ListenerSettings
    from tests.standins.mail_servers import free_port

    good = email_settings(world.smtp.port, imap=imap_settings(dovecot, mailbox_user),
                          listener=ListenerSettings(enabled=True, port=free_port()))
    checks = await checkup(good)
    assert [c.ok for c in checks] == [True, True, True], [c.line() for c in checks]
    assert "waits with IDLE" in checks[0].detail
    bad = email_settings(1, imap=imap_settings(dovecot, mailbox_user, password="wrong"))
    imap, smtp = await checkup(bad)
    assert not imap.ok and "check email.imap.username" in imap.detail
    assert not smtp.ok and "check email.smtp" in smtp.detail


async def test_the_mailbox_is_read_over_tls_or_starttls_trusting_the_configured_ca(
        world: MailWorld, dovecot: Dovecot, mailbox_user: str) -> None:
    from adapters.email.checkup import checkup

    if dovecot.cert is None:
        pytest.skip("openssl is not installed; the IMAP TLS test needs it to make a certificate")
    dovecot.deliver(mailbox_user, mail(subject="first", body="monitor flickers"))
    async with running(world, dovecot, mailbox_user, imap={"security": "tls", "port": dovecot.tls_port,
                                                           "ca_file": str(dovecot.cert), "idle": False}):
        await eventually(lambda: len(tickets(world.desk)) == 1, what="the mail read over TLS")
    dovecot.deliver(mailbox_user, mail(subject="second", body="keyboard missing keys"))
    async with running(world, dovecot, mailbox_user, imap={"security": "starttls", "ca_file": str(dovecot.cert)}):
        await eventually(lambda: len(tickets(world.desk)) == 2, what="the mail read after STARTTLS")
    untrusted = email_settings(world.smtp.port, imap=imap_settings(dovecot, mailbox_user, security="tls",
                                                                   port=dovecot.tls_port))
    (check, _) = await checkup(untrusted)
    assert not check.ok and "its certificate is not trusted" in check.detail and "email.imap.ca_file" in check.detail
