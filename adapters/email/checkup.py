"""`spoc doctor` for e-mail: the mailbox (IMAP login, the mailbox itself, IDLE or polling), the SMTP server
(connection, TLS, login) and the listener's port, each in one line with what to do."""

from __future__ import annotations

import asyncio
import imaplib
import smtplib
import socket
import ssl

from adapters.email.imap import describe_failure, open_mailbox
from adapters.email.messenger import open_smtp
from adapters.email.settings import EmailSettings
from core.checkup import Check, failed, passed


async def checkup(settings: EmailSettings) -> list[Check]:
    checks: list[Check] = []
    if settings.imap.host:
        checks.append(await asyncio.to_thread(_imap, settings))
    if settings.smtp.host:
        checks.append(await asyncio.to_thread(_smtp, settings))
    if settings.listener.enabled:
        checks.append(_listener(settings))
    return checks


def _imap(settings: EmailSettings) -> Check:
    s = settings.imap
    name = f"email imap {s.host}:{s.real_port}"
    try:
        imap = open_mailbox(s)
    except (imaplib.IMAP4.error, OSError, ssl.SSLError) as error:
        return failed(name, f"{describe_failure(error)}; check email.imap (host, port, security, mailbox)")
    try:
        idle = "IDLE" in imap.capabilities
        way = "waits with IDLE" if idle and s.idle else f"polls every {s.poll_seconds:g} s"
        return passed(name, f"logged in as {s.username!r}, mailbox {s.mailbox!r} open; spoc {way}")
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _smtp(settings: EmailSettings) -> Check:
    s = settings.smtp
    name = f"email smtp {s.host}:{s.real_port}"
    try:
        with open_smtp(s) as smtp:
            if s.username:
                smtp.login(s.username, s.password)
            smtp.noop()
    except smtplib.SMTPAuthenticationError as error:
        return failed(name, f"the server refused the login ({error.smtp_code}); check email.smtp.username and "
                            "EMAIL_SMTP_PASSWORD")
    except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
        return failed(name, f"{type(error).__name__}: {error}; check email.smtp (host, port, security, ca_file)")
    login = f" and logged in as {s.username!r}" if s.username else " (no login)"
    return passed(name, f"connected with {s.security}{login}")


def _listener(settings: EmailSettings) -> Check:
    listener = settings.listener
    name = f"email listener {listener.host}:{listener.port}"
    with socket.socket() as probe:
        try:
            probe.bind((listener.host, listener.port))
        except OSError as error:
            return failed(name, f"cannot listen there ({error.strerror}); another program (or spoc) holds the "
                                "port, or change email.listener.port")
    return passed(name, "the port is free for spoc's SMTP listener")
