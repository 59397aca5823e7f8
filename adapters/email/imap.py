"""Reads the desk's mailbox by IMAP (imaplib, in a thread of its own): waits with IDLE where the server
offers it and polls otherwise, works each unread mail through the desk, and marks it seen only once the
desk's unit of work has committed. A mail that fails is left unread and tried again later, alone."""

from __future__ import annotations

import imaplib
import logging
import re
import select
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.email.intake import Outcome
from adapters.email.messenger import tls_context
from adapters.email.settings import ImapSettings
from core.connection import ConnectionFailed

log = logging.getLogger(__name__)
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0
RECONNECT_MAX_SECONDS = 300.0


@dataclass
class Failures:
    """Mails whose work failed: each is tried again after a wait that doubles, so one bad mail never
    holds up the others and a database outage is not hammered."""

    due: dict[bytes, tuple[int, float]] = field(default_factory=dict)

    def ready(self, uid: bytes, now: float) -> bool:
        return self.due.get(uid, (0, 0.0))[1] <= now

    def failed(self, uid: bytes, now: float) -> int:
        count = self.due.get(uid, (0, 0.0))[0] + 1
        self.due[uid] = (count, now + min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (count - 1)))
        return count

    def done(self, uid: bytes) -> None:
        self.due.pop(uid, None)


class ImapReader:
    def __init__(self, settings: ImapSettings, *, take: Callable[[bytes], Outcome],
                 refuse_oversize: Callable[[bytes, int], Outcome], max_bytes: int, after: Callable[[], None],
                 stop: threading.Event) -> None:
        self.settings = settings
        self.take = take
        self.refuse_oversize = refuse_oversize
        self.max_bytes = max_bytes
        self.after = after
        self.stop = stop
        self.failures = Failures()
        self.idling = False
        self.connected = False

    def run(self) -> None:
        """Until `stop` is set: connect, read, wait; a lost connection is made again with a growing pause.
        A login the server refuses before any has worked is a mistake in the config: MailboxRefused."""
        pause = 1.0
        connected_once = False
        while not self.stop.is_set():
            try:
                imap = self.connect()
                connected_once = True
            except (imaplib.IMAP4.error, OSError, ssl.SSLError) as error:
                if not connected_once and _login_refused(error):
                    raise MailboxRefused(f"the IMAP server {self.settings.host} refused the login of "
                                         f"{self.settings.username!r}: {describe_failure(error)}") from error
                log.warning("IMAP %s:%d: %s; trying again in %.0f s", self.settings.host, self.settings.real_port,
                            describe_failure(error), pause)
                self.stop.wait(pause)
                pause = min(RECONNECT_MAX_SECONDS, pause * 2)
                continue
            try:
                pause = 1.0
                self.connected = True
                self.serve(imap)
            except (imaplib.IMAP4.error, OSError, ssl.SSLError) as error:
                if not self.stop.is_set():
                    log.warning("IMAP connection to %s lost: %s; connecting again", self.settings.host,
                                describe_failure(error))
                    self.stop.wait(pause)
            finally:
                self.connected = False
                _close(imap)

    def connect(self) -> imaplib.IMAP4:
        return open_mailbox(self.settings)

    def serve(self, imap: imaplib.IMAP4) -> None:
        idle = self.settings.idle and "IDLE" in imap.capabilities
        log.info("reading %s on %s by %s", self.settings.mailbox, self.settings.host, "IDLE" if idle else "polling")
        while not self.stop.is_set():
            self.take_unseen(imap)
            if self.stop.is_set():
                return
            if idle:
                self.wait_idle(imap)
            else:
                self.stop.wait(self.settings.poll_seconds)
                imap.noop()

    def take_unseen(self, imap: imaplib.IMAP4) -> int:
        """Work every unread mail that is not waiting for a retry; returns how many were taken."""
        status, data = imap.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error(f"SEARCH answered {status}")
        taken = 0
        for uid in (data[0] or b"").split():
            if self.stop.is_set():
                break
            if not self.failures.ready(uid, time.monotonic()):
                continue
            if self.take_one(imap, uid):
                taken += 1
        return taken

    def take_one(self, imap: imaplib.IMAP4, uid: bytes) -> bool:
        size = self._size(imap, uid)
        try:
            if size > self.max_bytes:
                outcome = self.refuse_oversize(self._fetch(imap, uid, "BODY.PEEK[HEADER]"), size)
            else:
                outcome = self.take(self._fetch(imap, uid, "BODY.PEEK[]"))
        except (imaplib.IMAP4.error, OSError, ssl.SSLError):
            raise
        except Exception:
            count = self.failures.failed(uid, time.monotonic())
            log.exception("mail UID %s could not be worked (attempt %d); it stays unread and is tried again",
                          uid.decode(), count)
            return False
        # The desk's work is committed: only now may the server forget that the mail is new.
        imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
        self.failures.done(uid)
        log.info("mail UID %s: %s %s", uid.decode(), outcome.status, outcome.detail)
        self.after()
        return outcome.status == "taken"

    def _size(self, imap: imaplib.IMAP4, uid: bytes) -> int:
        status, data = imap.uid("FETCH", uid, "(RFC822.SIZE)")
        found = SIZE.search(b" ".join(part if isinstance(part, bytes) else b"" for part in data or []))
        if status != "OK" or found is None:
            raise imaplib.IMAP4.error(f"no size for UID {uid.decode()}")
        return int(found.group(1))

    def _fetch(self, imap: imaplib.IMAP4, uid: bytes, what: str) -> bytes:
        status, data = imap.uid("FETCH", uid, f"({what})")
        for part in data or []:
            if isinstance(part, tuple) and len(part) == 2:
                return part[1]
        raise imaplib.IMAP4.error(f"FETCH {what} of UID {uid.decode()} answered {status} without the message")

    def wait_idle(self, imap: imaplib.IMAP4) -> None:
        """IDLE (RFC 2177) until the server says something changed, `idle_seconds` pass, or spoc stops."""
        tag = imap._new_tag()  # noqa: SLF001 - imaplib before 3.14 has no IDLE of its own
        imap.send(tag + b" IDLE\r\n")
        line = imap.readline()
        if not line.startswith(b"+"):
            raise imaplib.IMAP4.error(f"IDLE refused: {line.decode(errors='replace').strip()}")
        self.idling = True
        try:
            deadline = time.monotonic() + self.settings.idle_seconds
            while not self.stop.is_set() and time.monotonic() < deadline:
                if _readable(imap, timeout=1.0):
                    pushed = imap.readline()
                    if not pushed:
                        raise imaplib.IMAP4.abort("the server closed the connection")
                    if re.match(rb"\* \d+ (EXISTS|RECENT)", pushed):
                        break
        finally:
            self.idling = False
            imap.send(b"DONE\r\n")
            while True:
                line = imap.readline()
                if not line:
                    raise imaplib.IMAP4.abort("the server closed the connection")
                if line.startswith(tag):
                    break


def open_mailbox(s: ImapSettings) -> imaplib.IMAP4:
    """A logged-in connection with the desk's mailbox selected."""
    if s.security == "tls":
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.host, s.real_port, ssl_context=tls_context(s.ca_file),
                                                timeout=s.timeout_seconds)
    else:
        imap = imaplib.IMAP4(s.host, s.real_port, timeout=s.timeout_seconds)
        if s.security == "starttls":
            imap.starttls(ssl_context=tls_context(s.ca_file))
    try:
        imap.login(s.username, s.password)
        status, _ = imap.select(_quoted(s.mailbox))
        if status != "OK":
            raise imaplib.IMAP4.error(f"no mailbox {s.mailbox!r} (email.imap.mailbox)")
    except BaseException:
        _close(imap)
        raise
    return imap


class MailboxRefused(ConnectionFailed):
    """The mailbox cannot be read with this config: no retry helps; the reason is the one line to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


def _login_refused(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, imaplib.IMAP4.error) and not isinstance(error, imaplib.IMAP4.abort) \
        and any(word in text for word in ("authenticat", "login", "credentials", "password"))


def _readable(imap: imaplib.IMAP4, *, timeout: float) -> bool:
    sock = imap.sock
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    ready, _, _ = select.select([sock], [], [], timeout)
    return bool(ready)


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (imaplib.IMAP4.error, OSError, ssl.SSLError):
        pass


def describe_failure(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is email.imap.host/port right and the server up?)"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"its certificate is not trusted ({error.verify_message}); set email.imap.ca_file for a private CA"
    if isinstance(error, imaplib.IMAP4.error) and "authenticat" in text.lower():
        return f"login refused ({text}); check email.imap.username and its password"
    return text
