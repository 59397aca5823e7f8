"""A mailed ticket worked from Discord: the real discord.py adapter against the local Discord stand-in shows
the triage card, an agent claims it with its button and resolves it with `/desk resolve`, the requester is
told by mail each time and closes it with "yes" by mail, handed to spoc's own SMTP listener."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from adapters.email.app import EmailAdapter
from adapters.email.settings import ListenerSettings
from core.delivery import Destination
from core.storage.database import Database
from tests.adapters.discord.conftest import (
    TRIAGE,
    DiscordWorld,
    custom_ids,
    desk_for,
    discord_settings,
    embed_text,
    fast_dispatcher,
    require_discord_data,
    start_adapter,
)
from tests.adapters.email.conftest import email_settings, mail, push
from tests.integration.helpers import tickets
from tests.standins.discord_standin import DiscordStandIn
from tests.standins.mail_servers import Captured, SmtpCapture


@dataclass
class MailAndDiscord:
    discord: DiscordWorld
    email: EmailAdapter
    smtp: SmtpCapture

    async def send(self, raw: bytes) -> None:
        await asyncio.to_thread(push, self.email.listener_port, raw)

    async def mailed(self) -> list[Captured]:
        await self.discord.deliver()
        return self.smtp.received


@pytest.fixture
async def both(sqlite_url: str, smtp: SmtpCapture) -> AsyncIterator[MailAndDiscord]:
    require_discord_data()
    async with DiscordStandIn() as srv:
        db = Database(sqlite_url)
        desk = desk_for(db, platforms=("discord", "email"), triage=(Destination("discord", str(TRIAGE)),))
        dispatcher = fast_dispatcher(db)
        settings = discord_settings(srv)
        running = await start_adapter(srv, desk=desk, settings=settings, poke=dispatcher.poke)
        email = EmailAdapter(desk=desk, settings=email_settings(
            smtp.port, listener=ListenerSettings(enabled=True, port=0)), poke=dispatcher.poke)
        dispatcher.messengers.update({"discord": running.adapter.messenger, "email": email.messenger})
        stop_mail = asyncio.Event()
        receiving = asyncio.create_task(email.run(stop_mail))
        await asyncio.wait_for(email.listening.wait(), 10)
        world = DiscordWorld(srv=srv, desk=desk, dispatcher=dispatcher, running=running, settings=settings)
        try:
            yield MailAndDiscord(discord=world, email=email, smtp=smtp)
        finally:
            stop_mail.set()
            await asyncio.wait_for(receiving, 10)
            await world.running.close()
            srv.assert_calls_match_spec()
            db.dispose()


async def test_an_agent_works_a_mailed_ticket_from_discord_and_yes_by_mail_closes_it(both: MailAndDiscord) -> None:
    world = both.discord
    await both.send(mail(subject="printer jams", body="The printer on floor 2 jams on every page."))
    (opened,) = await both.mailed()
    assert "INC-1 opened" in opened.plain()
    card = world.card()
    assert "INC-1" in embed_text(card) and "dana@example.com" in embed_text(card)

    await world.answer_to(await world.press(card, "desk:claim INC-1"))
    told = (await both.mailed())[-1]
    assert "Bob from IT is working on this." in told.plain()
    assert told["In-Reply-To"] == opened["In-Reply-To"] and told.rcpt_tos == ["dana@example.com"]

    await world.answer_to(await world.slash("resolve", options={"key": "INC-1", "text": "cleared the roller"}))
    assert tickets(world.desk)[0]["status"] == "resolved"
    asked = (await both.mailed())[-1]
    assert "Is it fixed?" in asked.plain() and "cleared the roller" in asked.plain()

    await both.send(mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"],
                         body="Yes, it prints again.\n\n-- \nDana"))
    assert tickets(world.desk)[0]["status"] == "closed"
    assert any("INC-1 is closed" in m.plain() for m in (await both.mailed())[-2:])
    assert "desk:claim INC-1" not in custom_ids(world.card())
