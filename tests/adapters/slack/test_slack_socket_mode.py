"""Socket Mode: the real slack-bolt Socket Mode handler connects to the stand-in's websocket."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.slack.app import SlackAdapter
from adapters.slack.settings import SlackSettings
from core.clock import SystemClock
from core.connection import ConnectionFailed
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import NoKnowledgeBase
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database
from tests.integration.helpers import tickets
from tests.standins.slack_api import SlackApiStandIn
from tests.standins.slack_requests import event_body, message_event, payloads_available, slack_payloads_dir
from tests.waiting import eventually


@pytest.fixture
async def socket_world(sqlite_url: str) -> AsyncIterator[tuple[SlackApiStandIn, Desk]]:
    if not payloads_available():
        pytest.skip(f"real Slack payload samples not found at {slack_payloads_dir()}")
    async with SlackApiStandIn() as slack:
        db = Database(sqlite_url)
        desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                         platforms=frozenset({"slack"}),
                                         routes=Routes(triage=(Destination("slack", "CTRIAGE"),))), clock=SystemClock())
        settings = SlackSettings(bot_token="xoxb-test", app_token="xapp-test", mode="socket", api_url=slack.url,
                                 intake_channels=("CHELP",), triage_channel="CTRIAGE")
        adapter = SlackAdapter(desk=desk, settings=settings, poke=lambda: None)
        stop = asyncio.Event()
        running = asyncio.create_task(adapter.run(stop))
        await slack.wait_for_socket()
        yield slack, desk
        stop.set()
        await asyncio.wait_for(running, 10)
        db.dispose()


async def test_an_event_over_socket_mode_is_acknowledged_and_becomes_a_ticket(socket_world) -> None:  # type: ignore[no-untyped-def]
    slack, desk = socket_world
    payload = json.loads(event_body(message_event(channel="CHELP", user="UDANA", text="my laptop won't turn on")))
    envelope = await slack.socket_send("events_api", payload)
    await slack.wait_for_socket_ack(envelope)
    await eventually(lambda: tickets(desk), what="a ticket")
    assert tickets(desk)[0]["title"] == "my laptop won't turn on"
    connection = slack.calls_to("apps.connections.open")[0]
    assert connection.token == "xapp-test"


async def test_a_redelivered_socket_envelope_creates_no_second_ticket(socket_world) -> None:  # type: ignore[no-untyped-def]
    slack, desk = socket_world
    payload = json.loads(event_body(message_event(channel="CHELP", user="UDANA", text="vpn keeps dropping")))
    first = await slack.socket_send("events_api", payload)
    second = await slack.socket_send("events_api", payload, retry_attempt=1)
    await slack.wait_for_socket_ack(first)
    await slack.wait_for_socket_ack(second)
    await eventually(lambda: tickets(desk), what="a ticket")
    await asyncio.sleep(0.3)
    assert len(tickets(desk)) == 1


async def test_a_refused_app_token_stops_the_adapter_with_one_line_saying_where_to_get_one(
        sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with SlackApiStandIn() as slack:
        slack.reject_token("xapp-revoked")
        db = Database(sqlite_url)
        desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                         platforms=frozenset({"slack"}), routes=Routes()), clock=SystemClock())
        settings = SlackSettings(bot_token="xoxb-test", app_token="xapp-revoked", mode="socket", api_url=slack.url)
        adapter = SlackAdapter(desk=desk, settings=settings, poke=lambda: None)
        with caplog.at_level(logging.ERROR, logger="adapters.slack.app"), pytest.raises(ConnectionFailed) as stopped:
            await asyncio.wait_for(adapter.run(asyncio.Event()), 10)
        db.dispose()
    assert stopped.value.permanent and stopped.value.reason == (
        "Slack refused the app-level token (invalid_auth) while starting: create one at Basic Information "
        "-> App-Level Tokens, with the scope connections:write and put it in SLACK_APP_TOKEN.")
    assert caplog.records == []


async def test_a_refused_bot_token_stops_the_adapter_with_one_line(sqlite_url: str,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    async with SlackApiStandIn() as slack:
        slack.reject_token("xoxb-revoked")
        db = Database(sqlite_url)
        desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                         platforms=frozenset({"slack"}), routes=Routes()), clock=SystemClock())
        settings = SlackSettings(bot_token="xoxb-revoked", signing_secret="s", mode="http", api_url=slack.url,
                                 intake_channels=("CHELP",))
        adapter = SlackAdapter(desk=desk, settings=settings, poke=lambda: None)
        with caplog.at_level(logging.WARNING, logger="adapters.slack.app"), pytest.raises(ConnectionFailed) as stopped:
            await asyncio.wait_for(adapter.run(asyncio.Event()), 10)
        db.dispose()
        assert slack.calls_to("conversations.info") == []
    assert stopped.value.permanent and stopped.value.reason == (
        "Slack refused the bot token (invalid_auth) while starting: copy it again from OAuth & Permissions -> Bot "
        "User OAuth Token into SLACK_BOT_TOKEN (reinstall the app if it was removed).")
    assert caplog.records == []
