"""End to end: a mail report becomes a ticket, its suggestions are mailed back, an agent works it in Slack (the
real slack-bolt app against the local Slack stand-in), and the requester's "yes" by mail closes it. Mail
comes in through spoc's own SMTP listener and goes out through an SMTP server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from adapters.email.app import EmailAdapter
from adapters.email.settings import ListenerSettings
from adapters.slack.app import EVENTS_PATH, SlackAdapter
from adapters.slack.settings import SlackSettings
from bot.dispatcher import Dispatcher
from bot.http_server import HttpServer
from core.clock import SystemClock
from core.delivery import Destination
from core.outbox import RetryPolicy
from tests.adapters.email.conftest import build_desk, email_settings, mail, push
from tests.adapters.slack.conftest import SECRET, SlackWorld, block_text, working
from tests.fakes import FakeKnowledgeBase
from tests.integration.helpers import comments, tickets
from tests.standins.mail_servers import SmtpCapture
from tests.standins.slack_api import SlackApiStandIn
from tests.standins.slack_requests import payloads_available, slack_payloads_dir, slash_command_body

TRIAGE, HELP, SAM = "CTRIAGE", "CHELP", "USAM"


@dataclass
class Both:
    slack: SlackWorld
    email: EmailAdapter
    smtp: SmtpCapture

    async def deliver(self) -> None:
        await self.slack.deliver()

    async def send(self, raw: bytes) -> None:
        await asyncio.to_thread(push, self.email.listener_port, raw)

    async def desk(self, text: str) -> None:
        body = slash_command_body(text=text, user_id=SAM, channel_id=HELP,
                                  response_url=self.slack.slack.new_response_url(), trigger_id=f"t-{text}")
        assert await self.slack.post(body) == 200


@pytest.fixture
async def both(sqlite_url: str, smtp: SmtpCapture, knowledge: FakeKnowledgeBase) -> AsyncIterator[Both]:
    if not payloads_available():
        pytest.skip(f"real Slack payload samples not found at {slack_payloads_dir()}")
    async with SlackApiStandIn() as slack:
        slack.set_user(SAM, name="sam", display_name="Sam", email="sam@example.com")
        desk = build_desk(sqlite_url, knowledge, platforms=("slack", "email"), triage=(Destination("slack", TRIAGE),))
        dispatcher = Dispatcher(db=desk.db, messengers={}, clock=SystemClock(),
                                policy=RetryPolicy(max_attempts=3, base_delay=0.2, max_delay=1.0))
        slack_adapter = SlackAdapter(desk=desk, poke=dispatcher.poke, settings=SlackSettings(
            bot_token="xoxb-test", signing_secret=SECRET, mode="http", api_url=slack.url, intake_channels=(HELP,),
            triage_channel=TRIAGE, per_channel_interval_seconds=0))
        email_adapter = EmailAdapter(desk=desk, settings=email_settings(
            smtp.port, listener=ListenerSettings(enabled=True, port=0)), poke=dispatcher.poke)
        dispatcher.messengers.update({"slack": slack_adapter.messenger, "email": email_adapter.messenger})
        server = HttpServer(host="127.0.0.1", port=0)
        server.add_routes(slack_adapter.routes())
        await server.start()
        stop_mail = asyncio.Event()
        receiving = asyncio.create_task(email_adapter.run(stop_mail))
        await asyncio.wait_for(email_adapter.listening.wait(), 10)
        async with aiohttp.ClientSession() as http, working(slack_adapter):
            world = SlackWorld(slack=slack, desk=desk, adapter=slack_adapter, dispatcher=dispatcher,
                               url=f"http://127.0.0.1:{server.port}{EVENTS_PATH}", http=http)
            yield Both(slack=world, email=email_adapter, smtp=smtp)
        stop_mail.set()
        await asyncio.wait_for(receiving, 10)
        await server.stop()
        slack.assert_calls_match_spec()
        desk.db.dispose()


async def test_mail_report_slack_agent_and_yes_by_mail_close_the_ticket(both: Both) -> None:
    await both.send(mail())
    await both.deliver()
    opened, suggestions = both.smtp.received
    assert "INC-1 opened" in opened.plain()
    assert "VPN keeps dropping" in suggestions.plain()
    (card,) = both.slack.posted(TRIAGE)
    assert "INC-1" in block_text(card) and "Dana &lt;dana@example.com&gt;" in block_text(card)

    await both.desk("comment INC-1 Please update the VPN client to 5.2")
    await both.slack.eventually(lambda: len(comments(both.slack.desk, 1)) == 1, what="Sam's comment")
    await both.deliver()
    told = both.smtp.received[-1]
    assert "Sam from IT: Please update the VPN client to 5.2" in told.plain()
    assert told["In-Reply-To"] == opened["In-Reply-To"]  # the same thread as the requester's mail

    await both.desk("resolve INC-1 updated the VPN client")
    await both.slack.eventually(lambda: tickets(both.slack.desk)[0]["status"] == "resolved", what="resolved")
    await both.deliver()
    asked = both.smtp.received[-1]
    assert "Is it fixed?" in asked.plain() and "yes" in asked.plain()

    answer = mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"],
                  references=f"{asked['References']} {asked['Message-ID']}",
                  body="yes\n\nOn Tue, IT Service Desk wrote:\n> Is it fixed?")
    await both.send(answer)
    assert tickets(both.slack.desk)[0]["status"] == "closed"
    await both.deliver()
    assert any("INC-1 is closed" in m.plain() for m in both.smtp.received[-2:])
    assert "Resolved" in block_text(both.slack.slack.calls_to("chat.update")[-1].args) \
        or "Closed" in block_text(both.slack.slack.calls_to("chat.update")[-1].args)
