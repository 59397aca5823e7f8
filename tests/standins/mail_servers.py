"""Real mail servers on loopback for the e-mail adapter's tests: an aiosmtpd server that captures what spoc
sends (optionally with STARTTLS and a login, or answering with an error), and Debian's dovecot started with
a throwaway config (skipped with the reason when it cannot run here)."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def plain(self) -> str:
        body = self.message.get_body(("plain",))
        return body.get_content() if body is not None else ""

    def html(self) -> str:
        body = self.message.get_body(("html",))
        return body.get_content() if body is not None else ""

    def __getitem__(self, header: str) -> str:
        return str(self.message[header] or "")


@dataclass
class _Handler:
    received: list[Captured] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # answered instead of 250, one each, then 250 again
    # answered after the mail was kept, as a server whose "250" was lost on the way would look to the sender
    kept_answers: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answers:
            return self.answers.pop(0)
        with self.arrived:
            self.received.append(Captured(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            self.arrived.notify_all()
        return self.kept_answers.pop(0) if self.kept_answers else "250 OK"


class SmtpCapture:
    """`with SmtpCapture() as smtp:` a server on a free loopback port; `smtp.received` is what it took."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, login: tuple[str, str] | None = None,
                 implicit_tls: bool = False) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.login = login
        kwargs: dict[str, Any] = {}
        if tls is not None and not implicit_tls:
            kwargs.update(tls_context=tls, require_starttls=True)
        if implicit_tls:
            kwargs.update(ssl_context=tls)
        if login is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=tls is not None)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.login is not None \
            and (data.login.decode(), data.password.decode()) == self.login
        return AuthResult(success=ok, handled=False)

    def __enter__(self) -> SmtpCapture:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Captured]:
        return list(self.handler.received)

    def answer_next(self, *answers: str) -> None:
        self.handler.answers.extend(answers)

    def keep_and_answer_next(self, *answers: str) -> None:
        self.handler.kept_answers.extend(answers)

    def wait_for(self, count: int, *, timeout: float = 15.0) -> list[Captured]:
        deadline = time.monotonic() + timeout
        with self.handler.arrived:
            while len(self.handler.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} mail(s), got {len(self.handler.received)}")
                self.handler.arrived.wait(left)
        return self.received


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (openssl's command line), or a skip."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed; the TLS tests need it to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
protocols = imap
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
"""


class Dovecot:
    """Debian's dovecot on a free loopback port with a config of its own in a temporary folder. Every
    user name logs in with PASSWORD and has a mailbox of its own, so each test takes a fresh name."""

    PASSWORD = "secret"

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
        if binary is None:
            pytest.skip("dovecot is not installed (Debian's dovecot-imapd; .ci/run installs it)")
        if os.geteuid() != 0:
            pytest.skip("dovecot needs to start as root to run its login processes as their own users")
        try:
            mail_user = pwd.getpwnam("dovecot")
            pwd.getpwnam("dovenull")
        except KeyError:
            pytest.skip("the dovecot and dovenull users are missing (they come with Debian's dovecot-core)")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="spoc-dovecot-"))
        self.root.chmod(0o755)
        for name in ("mail", "home"):
            (self.root / name).mkdir()
            os.chown(self.root / name, mail_user.pw_uid, mail_user.pw_gid)
        self.port = free_port()
        # IMAP over TLS (993-style) on tls_port and STARTTLS on port, with a certificate for 127.0.0.1 whose
        # file `cert` a client trusts; without openssl to make one, plain IMAP only (tls_port 0).
        self.cert: Path | None = None
        self.tls_port = 0
        ssl_lines = "ssl = no"
        if shutil.which("openssl") is not None:
            self.cert, key = self_signed(self.root)
            self.tls_port = free_port()
            ssl_lines = f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{key}"
        self.config = self.root / "dovecot.conf"
        self.config.write_text(DOVECOT_CONF.format(root=self.root, port=self.port, password=self.PASSWORD,
                                                   uid=mail_user.pw_uid, gid=mail_user.pw_gid, ssl=ssl_lines,
                                                   tls_port=self.tls_port))

    def start(self) -> Dovecot:
        # dovecot goes into the background; its children would hold a captured pipe open for ever.
        started = subprocess.run([self.binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, check=False)
        if started.returncode != 0:
            raise RuntimeError(f"dovecot did not start ({started.returncode}): {self.log()}")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with imaplib.IMAP4("127.0.0.1", self.port, timeout=2) as probe:
                    probe.login("probe", self.PASSWORD)
                    probe.select("INBOX")
                    return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.2)
        raise RuntimeError(f"dovecot did not answer: {self.log()}")

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), 15)
            except (ProcessLookupError, ValueError):
                pass
            deadline = time.monotonic() + 10
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def client(self, user: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        imap.login(user, self.PASSWORD)
        return imap

    def deliver(self, user: str, raw: bytes, *, mailbox: str = "INBOX") -> None:
        """Put a mail in the user's mailbox, as the site's mail server would."""
        with self.client(user) as imap:
            status, answer = imap.append(mailbox, None, None, raw)
            assert status == "OK", answer

    def flags(self, user: str, *, mailbox: str = "INBOX") -> list[str]:
        """Each mail's flags, in order."""
        with self.client(user) as imap:
            imap.select(mailbox, readonly=True)
            status, data = imap.fetch("1:*", "(FLAGS)")
            if status != "OK" or data == [None]:
                return []
            return [part.decode() for part in data if isinstance(part, bytes)]
