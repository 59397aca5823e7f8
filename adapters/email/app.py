"""The e-mail adapter: mail in by IMAP and/or an SMTP listener, mail out through the site's SMTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from adapters.email.imap import ImapReader
from adapters.email.intake import MailIntake
from adapters.email.listener import bound_port, start_listener
from adapters.email.messenger import EmailMessenger
from adapters.email.settings import PLATFORM, EmailSettings
from core.connection import ConnectionFailed
from core.service import Desk

log = logging.getLogger(__name__)


class EmailAdapter:
    platform = PLATFORM

    def __init__(self, *, desk: Desk, settings: EmailSettings, poke: Callable[[], None]) -> None:
        self.desk = desk
        self.settings = settings
        self.poke = poke
        self.intake = MailIntake(desk=desk, settings=settings)
        self.messenger = EmailMessenger(settings, ticket_title=self._ticket_title)
        self.listening = asyncio.Event()
        self.listener_port = 0
        self.reader: ImapReader | None = None
        self.server: asyncio.Server | None = None

    def routes(self) -> list[Any]:
        return []

    def connected(self) -> bool:
        """Mail can come in: the mailbox is open (when IMAP is used) and the listener serves (when it is on)."""
        imap_up = self.reader is None or self.reader.connected
        listener_up = not self.settings.listener.enabled or (self.server is not None and self.server.is_serving())
        return imap_up and listener_up

    async def close(self) -> None:
        """Nothing stays open between mails: each is sent on a connection of its own."""

    def _ticket_title(self, key: str) -> str | None:
        ref = self.desk.ticket_ref(key)
        return ref.title if ref else None

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()

        def after() -> None:  # called from the reader's thread: new notifications wait in the outbox
            loop.call_soon_threadsafe(self.poke)

        halt = threading.Event()
        server = None
        reading = None
        if self.settings.listener.enabled:
            listener = self.settings.listener
            try:
                server = await start_listener(self.settings, take=self.intake.take, after=self.poke)
            except OSError as error:
                raise ConnectionFailed(f"cannot listen for mail on {listener.host}:{listener.port} "
                                       f"({error.strerror or error}); change email.listener.port",
                                       permanent=True) from None
            self.server = server
            self.listener_port = bound_port(server)
        if self.settings.imap.host:
            reader = self.reader = ImapReader(self.settings.imap, take=self.intake.take,
                                refuse_oversize=lambda head, size: self.intake.refuse_oversize(head, size=size),
                                max_bytes=self.settings.max_message_bytes, after=after, stop=halt)
            reading = asyncio.create_task(asyncio.to_thread(reader.run), name="email-imap")
        self.listening.set()
        try:
            waiting = [asyncio.ensure_future(stop.wait())] + ([reading] if reading else [])
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if reading is not None and reading.done() and not stop.is_set():
                reading.result()  # the reader ended on its own: only a fault does that, so raise it
        finally:
            halt.set()
            if server is not None:
                server.close()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(server.wait_closed(), 5)
            if reading is not None:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(reading), 10)
