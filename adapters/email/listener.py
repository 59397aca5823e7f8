"""An SMTP server (aiosmtpd) that the site's mail server forwards the desk's mail to, for sites that push.
A mail is accepted (250) only once the desk's unit of work has committed; anything else is answered 4xx,
so the forwarding server keeps it and tries again. Mail over the size limit is refused (552) before it is
read, and the forwarding server tells the sender."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from ipaddress import ip_address, ip_network
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from adapters.email.intake import Outcome
from adapters.email.settings import EmailSettings

log = logging.getLogger(__name__)


class DeskHandler:
    def __init__(self, settings: EmailSettings, *, take: Callable[[bytes], Outcome], after: Callable[[], None]
                 ) -> None:
        self.settings = settings
        self.take = take
        self.after = after
        self.trusted = [ip_network(peer, strict=False) for peer in settings.listener.trusted_peers]

    def _peer_trusted(self, session: Session) -> bool:
        if not self.trusted:
            return True
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        try:
            address = ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        if not self._peer_trusted(session):
            return "554 5.7.1 Mail for the IT desk is not accepted from this host"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.strip().lower() not in self.settings.desk_addresses():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            outcome = await asyncio.to_thread(self.take, raw)
        except Exception:
            log.exception("a mail from %s could not be worked; the sending server will try again",
                          envelope.mail_from or "-")
            return "451 4.3.0 The IT desk could not take this mail just now; please try again later"
        log.info("mail from %s: %s %s", envelope.mail_from or "-", outcome.status, outcome.detail)
        self.after()
        return "250 OK"


async def start_listener(settings: EmailSettings, *, take: Callable[[bytes], Outcome], after: Callable[[], None]
                         ) -> asyncio.Server:
    handler = DeskHandler(settings, take=take, after=after)

    def protocol() -> Any:
        return SMTP(handler, data_size_limit=settings.max_message_bytes, enable_SMTPUTF8=True,
                    hostname=settings.domain, ident="spoc")

    listener = settings.listener
    server = await asyncio.get_running_loop().create_server(protocol, host=listener.host, port=listener.port)
    log.warning("e-mail listener (SMTP) on %s:%d", listener.host, bound_port(server))
    return server


def bound_port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])
