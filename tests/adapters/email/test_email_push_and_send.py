"""Mail pushed to spoc's own SMTP listener, and mail spoc sends: STARTTLS and TLS with a login, the SMTP
server's answers turned into retries or dead letters, and outage notices to a mailing list."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.email.app import EmailAdapter
from adapters.email.listener import DeskHandler, start_listener
from adapters.email.messenger import EmailMessenger
from adapters.email.settings import ListenerSettings, SmtpSettings
from core.cards import Card
from core.config.services import Service
from core.delivery import Delivery, DeliveryFailed, Destination
from core.messages import Author, CommandRequest
from core.settings import DeskSettings, Person
from tests.adapters.email.conftest import DESK_ADDRESS, MailWorld, build_desk, email_settings, mail, push
from tests.fakes import FakeKnowledgeBase
from tests.integration.helpers import tickets
from tests.standins.mail_servers import SmtpCapture, self_signed, server_tls


@pytest.fixture
async def listening(world: MailWorld) -> AsyncIterator[EmailAdapter]:
    settings = world.adapter.settings.model_copy(update={
        "listener": ListenerSettings(enabled=True, port=0), "max_message_mb": 1})
    adapter = EmailAdapter(desk=world.desk, settings=settings, poke=lambda: None)
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    await asyncio.wait_for(adapter.listening.wait(), 10)
    yield adapter
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_mail_pushed_to_the_listener_is_accepted_once_its_ticket_is_stored(
        world: MailWorld, listening: EmailAdapter) -> None:
    await asyncio.to_thread(push, listening.listener_port, mail())
    assert len(tickets(world.desk)) == 1  # 250 came only after the commit
    assert len(await world.deliver()) == 2


async def test_the_listener_refuses_strangers_mailboxes_and_oversized_mail(
        world: MailWorld, listening: EmailAdapter) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await asyncio.to_thread(push, listening.listener_port, mail(), to="ceo@example.com")
    assert refused.value.recipients["ceo@example.com"][0] == 550
    big = mail(files=[("dump.txt", "text/plain", b"y" * (2 * 1024 * 1024))])
    with pytest.raises(smtplib.SMTPException) as too_big:
        await asyncio.to_thread(push, listening.listener_port, big)
    assert "552" in str(too_big.value)
    assert tickets(world.desk) == []


async def test_a_mail_the_desk_cannot_take_is_answered_4xx_so_the_server_keeps_it(world: MailWorld) -> None:
    failures = [RuntimeError("database is locked")]

    def take(raw: bytes) -> Any:
        if failures:
            raise failures.pop()
        return world.adapter.intake.take(raw)

    settings = world.adapter.settings.model_copy(update={"listener": ListenerSettings(enabled=True, port=0)})
    server = await start_listener(settings, take=take, after=lambda: None)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(smtplib.SMTPDataError) as later:
            await asyncio.to_thread(push, port, mail(message_id="retry-me@client.example.org"))
        assert later.value.smtp_code == 451
        assert tickets(world.desk) == []
        await asyncio.to_thread(push, port, mail(message_id="retry-me@client.example.org"))
        assert len(tickets(world.desk)) == 1
    finally:
        server.close()
        await server.wait_closed()


async def test_only_trusted_servers_may_hand_mail_over(world: MailWorld) -> None:
    settings = world.adapter.settings.model_copy(update={
        "listener": ListenerSettings(enabled=True, port=0, trusted_peers=("10.1.2.0/24",))})
    server = await start_listener(settings, take=world.adapter.intake.take, after=lambda: None)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            await asyncio.to_thread(push, port, mail())
        assert refused.value.smtp_code == 554
    finally:
        server.close()
        await server.wait_closed()
    assert DeskHandler(settings, take=world.adapter.intake.take, after=lambda: None).trusted


def delivery(card: Card, *, to: str = "dana@example.com", thread: str = "", key: str = "INC-7") -> Delivery:
    return Delivery(outbox_id=7, destination=Destination("email", channel=to, thread=thread), card=card,
                    ticket_key=key)


async def test_mail_goes_out_over_starttls_with_a_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with SmtpCapture(tls=server_tls(cert, key), login=("desk", "s3cret")) as smtp:
        settings = email_settings(smtp.port, smtp=SmtpSettings(
            host="127.0.0.1", port=smtp.port, security="starttls", username="desk", password="s3cret",
            ca_file=str(cert)))
        messenger = EmailMessenger(settings, ticket_title=lambda key: "vpn keeps dropping")
        done = await messenger.deliver(delivery(Card(title="INC-7 is resolved. Is it fixed?"), thread="root@x"))
        (sent,) = smtp.wait_for(1)
        assert sent["Message-ID"] == f"<{done.message_id}>"
        assert sent["Subject"] == "Re: vpn keeps dropping [INC-7]"
        wrong = settings.model_copy(update={"smtp": settings.smtp.model_copy(update={"password": "nope"})})
        with pytest.raises(DeliveryFailed) as refused:
            await EmailMessenger(wrong, ticket_title=lambda key: None).deliver(delivery(Card(title="x")))
        assert refused.value.permanent and "check email.smtp.username" in refused.value.reason
        untrusted = settings.model_copy(update={"smtp": settings.smtp.model_copy(update={"ca_file": ""})})
        with pytest.raises(DeliveryFailed) as unverified:
            await EmailMessenger(untrusted, ticket_title=lambda key: None).deliver(delivery(Card(title="x")))
        assert "CERTIFICATE_VERIFY_FAILED" in unverified.value.reason and not unverified.value.permanent


async def test_mail_goes_out_over_implicit_tls(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with SmtpCapture(tls=server_tls(cert, key), implicit_tls=True) as smtp:
        settings = email_settings(smtp.port, smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, security="tls",
                                                               ca_file=str(cert)))
        await EmailMessenger(settings, ticket_title=lambda key: None).deliver(delivery(Card(title="hello")))
        assert len(smtp.wait_for(1)) == 1


async def test_the_smtp_servers_answers_become_retries_or_dead_letters(smtp: SmtpCapture) -> None:
    messenger = EmailMessenger(email_settings(smtp.port), ticket_title=lambda key: None)
    smtp.answer_next("451 4.3.0 try later", "550 5.1.1 no such user")
    with pytest.raises(DeliveryFailed) as later:
        await messenger.deliver(delivery(Card(title="x")))
    assert not later.value.permanent and "451" in later.value.reason
    with pytest.raises(DeliveryFailed) as never:
        await messenger.deliver(delivery(Card(title="x")))
    assert never.value.permanent and "550" in never.value.reason
    with pytest.raises(DeliveryFailed) as nowhere:
        await messenger.deliver(delivery(Card(title="x"), to="not an address"))
    assert nowhere.value.permanent
    down = EmailMessenger(email_settings(1), ticket_title=lambda key: None)
    with pytest.raises(DeliveryFailed) as refused:
        await down.deliver(delivery(Card(title="x")))
    assert not refused.value.permanent


async def test_hostile_text_is_inert_in_the_html_part_and_headers(smtp: SmtpCapture) -> None:
    messenger = EmailMessenger(email_settings(smtp.port), ticket_title=lambda key: "evil\r\nBcc: all@example.com")
    card = Card(title="<script>alert(1)</script>", text='<img src=x onerror="steal()"> & more')
    await messenger.deliver(delivery(card))
    (sent,) = smtp.wait_for(1)
    assert "<script>" not in sent.html() and "&lt;script&gt;" in sent.html()
    assert "<img" not in sent.html()
    assert sent["Bcc"] == "" and sent.rcpt_tos == ["dana@example.com"]
    assert "\n" not in sent["Subject"]


async def test_outage_notices_go_to_a_mailing_list(sqlite_url: str, smtp: SmtpCapture) -> None:
    from bot.dispatcher import Dispatcher
    from core.clock import SystemClock
    from core.outbox import RetryPolicy

    settings = DeskSettings(
        people=(Person(name="Lee", role="admin", ids={"console": "lee"}),),
        services=(Service(name="email", display="e-mail", channels={"email": ("all-staff@example.com",)}),))
    desk = build_desk(sqlite_url, FakeKnowledgeBase(), platforms=("email", "console"), settings=settings)
    adapter = EmailAdapter(desk=desk, settings=email_settings(smtp.port), poke=lambda: None)
    dispatcher = Dispatcher(db=desk.db, messengers={"email": adapter.messenger}, clock=SystemClock(),
                            policy=RetryPolicy())
    lee = Author(platform="console", user_id="lee", display_name="Lee")

    async def run(event_id: str, text: str) -> list[Any]:
        before = len(smtp.received)
        reply = desk.handle_command(CommandRequest(platform="console", event_id=event_id, author=lee, text=text))
        assert reply.outcome == "done", reply.text
        await dispatcher.drain(timeout=10)
        return smtp.wait_for(before + 1)[before:]

    (declared,) = await run("o1", 'outage declare email "Outlook cannot connect"')
    assert declared.rcpt_tos == ["all-staff@example.com"] and declared.mail_from == DESK_ADDRESS
    assert "Outlook cannot connect" in declared.plain() and declared["Auto-Submitted"] == "auto-generated"
    updates = await run("o2", 'outage update OUT-1 "Microsoft is rolling back the faulty update"')
    assert all(m.rcpt_tos == ["all-staff@example.com"] for m in updates)
    assert any("rolling back the faulty update" in m.plain() for m in updates)
    assert all(m["In-Reply-To"] == declared["Message-ID"] for m in updates)  # one thread per outage
    ended = await run("o3", 'outage resolve OUT-1 "Mail flows again"')
    assert any("Mail flows again" in m.plain() for m in ended)
    assert all(m["In-Reply-To"] == declared["Message-ID"] for m in ended)
    desk.db.dispose()


async def test_a_listener_port_already_taken_stops_the_adapter_with_one_line(world: MailWorld) -> None:
    from core.connection import ConnectionFailed
    from tests.standins.mail_servers import free_port

    port = free_port()
    settings = world.adapter.settings.model_copy(update={"listener": ListenerSettings(enabled=True, port=port)})
    first = EmailAdapter(desk=world.desk, settings=settings, poke=lambda: None)
    stop = asyncio.Event()
    running = asyncio.create_task(first.run(stop))
    await asyncio.wait_for(first.listening.wait(), 10)
    assert first.connected()
    second = EmailAdapter(desk=world.desk, settings=settings, poke=lambda: None)
    with pytest.raises(ConnectionFailed) as taken:
        await asyncio.wait_for(second.run(asyncio.Event()), 10)
    assert taken.value.permanent and f"cannot listen for mail on 127.0.0.1:{port}" in taken.value.reason
    stop.set()
    await asyncio.wait_for(running, 10)


async def test_files_a_card_carries_go_with_its_mail(smtp: SmtpCapture) -> None:
    from dataclasses import replace as with_changes

    from core.delivery import File

    messenger = EmailMessenger(email_settings(smtp.port), ticket_title=lambda key: None)
    chart = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    await messenger.deliver(with_changes(delivery(Card(title="Report, last 30 days")),
                                         files=(File("report.png", "image/png", chart),)))
    (sent,) = smtp.wait_for(1)
    (attached,) = list(sent.message.iter_attachments())
    assert attached.get_filename() == "report.png" and attached.get_content() == chart


def outbox_rows(world: MailWorld) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from core.storage.models import OutboxRow

    return world.desk.db.run(lambda s: [(r.channel, r.status, r.last_error)
                                        for r in s.scalars(select(OutboxRow).order_by(OutboxRow.id))])


async def keep_delivering(world: MailWorld, count: int) -> list[Any]:
    """Run the outbox passes (retries come due after their backoff) until `count` mails arrived."""
    async def arrived() -> bool:
        await world.dispatcher.deliver_due()
        return len(world.smtp.received) >= count

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while not await arrived():
        assert loop.time() < deadline, f"only {len(world.smtp.received)} of {count} mails arrived"
        await asyncio.sleep(0.1)
    return world.smtp.received


async def test_a_4xx_from_the_smtp_server_is_sent_again_and_a_5xx_is_dead_lettered_until_retried(
        world: MailWorld) -> None:
    from core.outbox import retry

    world.smtp.answer_next("451 4.3.0 mailbox busy, try later")
    world.take(mail())
    sent = await keep_delivering(world, 2)
    assert [m.rcpt_tos for m in sent] == [["dana@example.com"]] * 2  # the refused notice came first, in order
    assert "opened" in sent[0].plain()
    assert [status for _, status, _ in outbox_rows(world)] == ["sent", "sent"]

    world.smtp.answer_next("550 5.1.1 <lee@example.com>: no such user")
    world.take(mail(sender="lee@example.com", name="Lee", subject="vpn again", body="the vpn drops"))
    await world.deliver()
    rows = outbox_rows(world)
    assert ("lee@example.com", "dead", "SMTP refused: 550 5.1.1 <lee@example.com>: no such user") in rows
    assert len(world.smtp.received) == 3  # the dead notice waits; the suggestions after it still went out
    assert "VPN keeps dropping" in world.smtp.received[-1].plain()

    assert world.desk.db.run(lambda s: retry(s, now=world.dispatcher.clock.now())) == 1  # spoc outbox retry
    await world.deliver()
    assert "INC-2 opened" in world.smtp.received[-1].plain()
    assert len(world.smtp.received) == 4 and all(status == "sent" for _, status, _ in outbox_rows(world))


async def test_notices_wait_in_the_outbox_while_the_smtp_server_is_down(
        sqlite_url: str, knowledge: FakeKnowledgeBase) -> None:
    from bot.dispatcher import Dispatcher
    from core.clock import SystemClock
    from core.outbox import RetryPolicy

    later = SmtpCapture()  # its port is chosen; nothing listens there yet
    desk = build_desk(sqlite_url, knowledge)
    adapter = EmailAdapter(desk=desk, settings=email_settings(later.port), poke=lambda: None)
    dispatcher = Dispatcher(db=desk.db, messengers={"email": adapter.messenger}, clock=SystemClock(),
                            policy=RetryPolicy(max_attempts=5, base_delay=0.1, max_delay=0.2))
    world = MailWorld(desk=desk, adapter=adapter, dispatcher=dispatcher, smtp=later, knowledge=knowledge)
    adapter.intake.take(mail())
    await dispatcher.deliver_due()
    ((_, status, error), *_) = outbox_rows(world)
    assert status == "pending" and "ConnectionRefusedError" in error
    with later:
        sent = await keep_delivering(world, 2)
    assert "opened" in sent[0].plain() and "VPN keeps dropping" in sent[1].plain()
    desk.db.dispose()


async def test_a_20_mb_attachment_pushed_to_the_listener_is_stored_whole(world: MailWorld) -> None:
    import hashlib
    import os

    from sqlalchemy import select

    from core.storage.blobs import read_blobs
    from core.storage.models import TicketFileRow

    data = b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024)
    settings = world.adapter.settings.model_copy(update={"listener": ListenerSettings(enabled=True, port=0)})
    adapter = EmailAdapter(desk=world.desk, settings=settings, poke=lambda: None)
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    await asyncio.wait_for(adapter.listening.wait(), 10)
    try:
        await asyncio.to_thread(push, adapter.listener_port, mail(
            subject="scanned contract", body="see attached", files=[("contract.pdf", "application/pdf", data)]))
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    (stored,) = world.desk.db.run(lambda s: s.scalars(select(TicketFileRow)).all())
    digest = hashlib.sha256(data).hexdigest()
    assert (stored.filename, stored.size, stored.digest) == ("contract.pdf", len(data), digest)
    assert world.desk.db.run(lambda s: read_blobs(s, [stored.digest]))[stored.digest] == data


async def test_a_notice_sent_again_after_a_lost_answer_keeps_its_message_id(world: MailWorld) -> None:
    world.smtp.keep_and_answer_next("421 4.4.2 connection timed out")  # it kept the mail; spoc cannot know
    world.take(mail())
    first, again, suggestions = await keep_delivering(world, 3)
    assert first["Message-ID"] == again["Message-ID"]  # one mail to the recipient's server and client
    assert first["Message-ID"] != suggestions["Message-ID"]
    assert "opened" in again.plain() and [s for _, s, _ in outbox_rows(world)] == ["sent", "sent"]
