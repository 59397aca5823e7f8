"""The e-mail adapter against real servers on loopback: spoc sends through an aiosmtpd server that captures
every mail, and reads a dovecot mailbox (or takes mail pushed to its own SMTP listener)."""

from __future__ import annotations

import asyncio
import itertools
import smtplib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

import pytest

from adapters.email.app import EmailAdapter
from adapters.email.settings import EmailSettings, ImapSettings, ListenerSettings, SmtpSettings
from bot.dispatcher import Dispatcher
from core.clock import SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import Suggestion
from core.outbox import RetryPolicy
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.database import Database
from tests.fakes import FakeKnowledgeBase
from tests.standins.mail_servers import Captured, Dovecot, SmtpCapture

DESK_ADDRESS = "it@example.com"
TRUSTED = "mx.example.com"
SAM_ADDRESS = "sam@example.com"
_ids = itertools.count(1)


def mail(*, sender: str = "dana@example.com", name: str = "Dana", subject: str = "vpn keeps dropping",
         body: str = "Since this morning's update the VPN drops every few minutes.", to: str = DESK_ADDRESS,
         message_id: str | None = None, in_reply_to: str = "", references: str = "", verified: bool = False,
         headers: dict[str, str] | None = None, html: str | None = None,
         files: list[tuple[str, str, bytes]] | None = None) -> bytes:
    """A mail as a person's client would write it; `verified` adds the trusted server's DMARC pass."""
    message = EmailMessage()
    message["From"] = formataddr((name, sender))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id or f'test-{next(_ids)}-{uuid.uuid4().hex[:8]}@client.example.org'}>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    if verified:
        domain = sender.rpartition("@")[2]
        message["Authentication-Results"] = (f"{TRUSTED}; dkim=pass header.d={domain}; spf=pass "
                                             f"smtp.mailfrom={sender}; dmarc=pass (p=reject) header.from={domain}")
    for key, value in (headers or {}).items():
        message[key] = value
    if html is not None and body == "":
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for filename, content_type, data in files or []:
        main, _, sub = content_type.partition("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))  # lines end as on the wire


def push(port: int, raw: bytes, *, to: str = DESK_ADDRESS) -> None:
    """Hand a mail to spoc's SMTP listener as the site's mail server would (250 comes once it is stored)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("dana@example.com", [to], raw)


def message_id_of(raw: bytes) -> str:
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode()
    raise AssertionError("no Message-ID")


@dataclass
class MailWorld:
    desk: Desk
    adapter: EmailAdapter
    dispatcher: Dispatcher
    smtp: SmtpCapture
    knowledge: FakeKnowledgeBase

    def take(self, raw: bytes) -> Any:
        return self.adapter.intake.take(raw)

    async def deliver(self) -> list[Captured]:
        await self.dispatcher.drain(timeout=20)
        return self.smtp.received

    async def sent_after(self, action: Callable[[], Any]) -> list[Captured]:
        """The mails spoc sends because of `action` (run in a thread: it may use the database)."""
        before = len(self.smtp.received)
        await asyncio.to_thread(action)
        return (await self.deliver())[before:]


def email_settings(smtp_port: int, **changes: Any) -> EmailSettings:
    base = EmailSettings(address=DESK_ADDRESS, trusted_authserv_ids=(TRUSTED,),
                         smtp=SmtpSettings(host="127.0.0.1", port=smtp_port, security="none"),
                         listener=ListenerSettings(enabled=False))
    return replace_settings(base, **changes)


def replace_settings(settings: EmailSettings, **changes: Any) -> EmailSettings:
    return settings.model_copy(update=changes)


def desk_settings() -> DeskSettings:
    return DeskSettings(people=(
        Person(name="Sam", email=SAM_ADDRESS, role="agent", ids={"slack": "USAM"}),
    ))


def build_desk(url: str, knowledge: FakeKnowledgeBase, *, platforms: tuple[str, ...] = ("email",),
               triage: tuple[Destination, ...] = (), settings: DeskSettings | None = None) -> Desk:
    desk = Desk(db=Database(url), deps=DeskDeps(settings=settings or desk_settings(), knowledge=knowledge,
                                                routes=Routes(triage=triage), platforms=frozenset(platforms)),
                clock=SystemClock())
    desk.setup()
    return desk


@pytest.fixture
def knowledge() -> FakeKnowledgeBase:
    found = FakeKnowledgeBase()
    found.suggestions["vpn"] = [Suggestion(slug="vpn-keeps-dropping", title="VPN keeps dropping", score=0.9,
                                           summary="Update the VPN client to 5.2")]
    return found


@pytest.fixture
def smtp() -> Iterator[SmtpCapture]:
    with SmtpCapture() as server:
        yield server


@pytest.fixture
async def world(sqlite_url: str, smtp: SmtpCapture, knowledge: FakeKnowledgeBase) -> AsyncIterator[MailWorld]:
    desk = build_desk(sqlite_url, knowledge)
    adapter = EmailAdapter(desk=desk, settings=email_settings(smtp.port), poke=lambda: None)
    dispatcher = Dispatcher(db=desk.db, messengers={"email": adapter.messenger}, clock=SystemClock(),
                            policy=RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=0.5))
    yield MailWorld(desk=desk, adapter=adapter, dispatcher=dispatcher, smtp=smtp, knowledge=knowledge)
    desk.db.dispose()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox_user() -> str:
    return f"desk{uuid.uuid4().hex[:10]}"


def imap_settings(dovecot: Dovecot, user: str, **changes: Any) -> ImapSettings:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": dovecot.port, "security": "none", "username": user,
                              "password": Dovecot.PASSWORD, "poll_seconds": 0.2, "idle_seconds": 30}
    return ImapSettings(**(values | changes))


__all__ = ["DESK_ADDRESS", "SAM_ADDRESS", "MailWorld", "build_desk", "email_settings", "imap_settings", "mail",
           "message_id_of", "push", "replace"]
