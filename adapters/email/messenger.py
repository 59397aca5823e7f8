"""Delivers outbox cards as mail through the site's SMTP server (STARTTLS or TLS, with a login when set).
Every mail has a Message-ID of its own that names its ticket, answers in a thread carry In-Reply-To and
References, and every mail is marked as sent by a machine so that auto-responders do not answer it."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate

from adapters.email.render import render_mail, summary_line
from adapters.email.settings import ADDRESS, PLATFORM, EmailSettings, SmtpSettings
from core.delivery import Delivered, Delivery, DeliveryFailed

SUBJECT_LIMIT = 200


def message_id_for(domain: str, *, ticket_key: str, outbox_id: int, queued_at: datetime | None) -> str:
    """`spoc.INC-42.17.k3j9...@example.com`: the ticket a reply is about can be read back from it. Every
    attempt at one notification gives the same id, so a mail sent twice (the server took it, but its answer
    was lost) is one mail to the recipient's server and client; the time it was queued keeps ids apart
    across databases that count their notifications from 1 again."""
    key = f"{ticket_key}." if ticket_key else ""
    seed = f"{domain}|{outbox_id}|{queued_at.isoformat() if queued_at else secrets.token_hex(8)}"
    return f"spoc.{key}{outbox_id}.{hashlib.sha256(seed.encode()).hexdigest()[:12]}@{domain}"


def tls_context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file or None)


class EmailMessenger:
    platform = PLATFORM

    def __init__(self, settings: EmailSettings, *, ticket_title: Callable[[str], str | None]) -> None:
        self.settings = settings
        self.ticket_title = ticket_title

    async def deliver(self, delivery: Delivery) -> Delivered:
        d = delivery.destination
        to = (d.user_id or d.channel or d.fallback_user_id).strip()
        if not ADDRESS.fullmatch(to):
            raise DeliveryFailed(f"no address to write to ({to or 'none'})", permanent=True)
        title = await asyncio.to_thread(self.ticket_title, delivery.ticket_key) if delivery.ticket_key else None
        message_id = message_id_for(self.settings.domain, ticket_key=delivery.ticket_key,
                                    outbox_id=delivery.outbox_id, queued_at=delivery.queued_at)
        message = self.compose(delivery, to=to, message_id=message_id, title=title)
        await asyncio.to_thread(send, self.settings.smtp, message, sender=self.settings.address, to=to)
        return Delivered(message_id=message_id, channel=d.channel)

    def compose(self, delivery: Delivery, *, to: str, message_id: str, title: str | None) -> EmailMessage:
        d, card = delivery.destination, delivery.card
        answering = delivery.replaces_message_id or d.thread
        subject = self.subject(delivery, title=title, answering=bool(answering))
        message = EmailMessage(policy=SMTP)
        message["From"] = formataddr((self.settings.display_name, self.settings.address))
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = f"<{message_id}>"
        if answering:
            references = list(dict.fromkeys(filter(None, [d.thread, delivery.replaces_message_id])))
            message["In-Reply-To"] = f"<{references[-1]}>"
            message["References"] = " ".join(f"<{ref}>" for ref in references)
        # RFC 3834: a machine wrote this. Auto-responders (out-of-office) stay silent, and Outlook's too.
        message["Auto-Submitted"] = "auto-replied" if answering else "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
        if delivery.ticket_key:
            message["X-Spoc-Ticket"] = delivery.ticket_key
        rendered = render_mail(card, reply_to=self.settings.address, subject=_reply_subject(subject))
        message.set_content(rendered.plain)
        message.add_alternative(rendered.html, subtype="html")
        if not delivery.replaces_message_id:
            for file in delivery.files:  # a report's chart, say
                main, _, sub = file.media_type.partition("/")
                message.add_attachment(file.data, maintype=main or "application", subtype=sub or "octet-stream",
                                       filename=file.name)
        return message

    def subject(self, delivery: Delivery, *, title: str | None, answering: bool) -> str:
        key = delivery.ticket_key
        about = title or summary_line(delivery.card) or self.settings.display_name
        if delivery.replaces_message_id:
            about = f"Update: {summary_line(delivery.card) or about}"
        subject = f"{about} [{key}]" if key else about
        subject = " ".join(subject.split())[:SUBJECT_LIMIT]
        return f"Re: {subject}" if answering and not delivery.replaces_message_id else subject


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def send(settings: SmtpSettings, message: EmailMessage, *, sender: str, to: str) -> None:
    """One mail through the SMTP server; its answers become retry, wait or dead-letter decisions."""
    try:
        with open_smtp(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message, from_addr=sender, to_addrs=[to])
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise _failure(code, reply, "recipient refused") from error
    except smtplib.SMTPAuthenticationError as error:
        raise DeliveryFailed(f"the SMTP server refused the login ({error.smtp_code}); check email.smtp.username "
                             "and its password", permanent=True) from error
    except smtplib.SMTPResponseException as error:
        raise _failure(error.smtp_code, error.smtp_error, "refused") from error
    except smtplib.SMTPNotSupportedError as error:
        raise DeliveryFailed(f"the SMTP server does not support what email.smtp asks: {error}",
                             permanent=True) from error
    except (smtplib.SMTPException, OSError, TimeoutError) as error:
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.real_port}: {type(error).__name__}: {error}") from error


def open_smtp(settings: SmtpSettings) -> smtplib.SMTP:
    """A connection to the SMTP server, with TLS as configured (no login yet)."""
    if settings.security == "tls":
        return smtplib.SMTP_SSL(settings.host, settings.real_port, timeout=settings.timeout_seconds,
                                context=tls_context(settings.ca_file))
    smtp = smtplib.SMTP(settings.host, settings.real_port, timeout=settings.timeout_seconds)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=tls_context(settings.ca_file))
    except BaseException:
        smtp.close()
        raise
    return smtp


def _failure(code: int, reply: bytes | str, what: str) -> DeliveryFailed:
    text = reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else str(reply)
    reason = f"SMTP {what}: {code} {text}".strip()
    # 5xx is final (no such mailbox, message refused); 4xx asks to try again later.
    return DeliveryFailed(reason, permanent=500 <= code < 600)
