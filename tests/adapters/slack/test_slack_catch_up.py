"""Socket Mode lost for longer than `slack.catch_up_after_seconds`: what was written meanwhile is read from
the history (conversations.history, conversations.replies) and taken once; a shorter gap reads nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.slack.app import SlackAdapter
from adapters.slack.settings import SlackSettings
from core.clock import SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import NoKnowledgeBase
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database
from tests.integration.helpers import comments, tickets
from tests.standins.slack_api import SlackApiStandIn
from tests.standins.slack_requests import event_body, message_event, new_ts, payloads_available, slack_payloads_dir
from tests.waiting import eventually

DANA = "UDANA"
HOLD = 2.5  # seconds the socket stays away: over the short window, well under the long one


@dataclass
class SocketWorld:
    slack: SlackApiStandIn
    desk: Desk
    adapter: SlackAdapter

    async def report(self, text: str, *, count: int) -> str:
        """A message that arrives live as an event; Slack keeps it in the channel's history too."""
        ts = new_ts()
        self.slack.add_message(channel="CHELP", ts=ts, user=DANA, text=text)
        await self.event(message_event(channel="CHELP", user=DANA, text=text, ts=ts))
        await eventually(lambda: len(tickets(self.desk)) >= count, what="a ticket")
        return ts

    async def event(self, event: dict[str, Any]) -> None:
        envelope = await self.slack.socket_send("events_api", json.loads(event_body(event)))
        await self.slack.wait_for_socket_ack(envelope)

    async def gap(self, seconds: float, *, meanwhile: Callable[[], Awaitable[None]] | None = None) -> None:
        """The socket lost for `seconds`; what `meanwhile` writes is never sent as an event."""
        connections = self.slack.socket_connections
        await self.slack.drop_socket(hold_reconnect=True)
        if meanwhile is not None:
            await meanwhile()
        await asyncio.sleep(seconds)
        self.slack.release_socket()
        await eventually(lambda: self.slack.socket_connections > connections, what="the new connection")
        await eventually(lambda: self.adapter.connected(), what="the adapter seeing it connected")

    def written(self, text: str, *, thread_ts: str | None = None, channel: str = "CHELP") -> None:
        self.slack.add_message(channel=channel, ts=new_ts(), user=DANA, text=text, thread_ts=thread_ts)


def _settings(slack: SlackApiStandIn, window: float) -> SlackSettings:
    return SlackSettings(bot_token="xoxb-test", app_token="xapp-test", mode="socket", api_url=slack.url,
                         intake_channels=("CHELP",), triage_channel="CTRIAGE", catch_up_after_seconds=window)


@pytest.fixture
def window() -> float:
    return 1.0


@pytest.fixture
async def world(sqlite_url: str, window: float) -> AsyncIterator[SocketWorld]:
    if not payloads_available():
        pytest.skip(f"real Slack payload samples not found at {slack_payloads_dir()}")
    async with SlackApiStandIn() as slack:
        db = Database(sqlite_url)
        desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                         platforms=frozenset({"slack"}),
                                         routes=Routes(triage=(Destination("slack", "CTRIAGE"),))),
                    clock=SystemClock())
        adapter = SlackAdapter(desk=desk, settings=_settings(slack, window), poke=lambda: None)
        stop = asyncio.Event()
        running = asyncio.create_task(adapter.run(stop))
        await slack.wait_for_socket()
        await eventually(lambda: desk.read_marks("slack"), what="the intake channel marked")
        try:
            yield SocketWorld(slack=slack, desk=desk, adapter=adapter)
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
            db.dispose()


async def test_reports_and_thread_replies_missed_in_a_long_gap_are_taken_once(world: SocketWorld) -> None:
    first = await world.report("outlook cannot connect to the server", count=1)

    async def meanwhile() -> None:
        world.written("the printer on floor 3 is jammed")
        world.written("still cannot connect after a reboot", thread_ts=first)
        world.written("the wifi in room 4 is down")

    await world.gap(HOLD, meanwhile=meanwhile)
    await eventually(lambda: world.adapter.catch_up.rounds == 1, what="the catch-up")
    assert [t["title"] for t in tickets(world.desk)] == [
        "outlook cannot connect to the server", "the printer on floor 3 is jammed", "the wifi in room 4 is down"]
    assert comments(world.desk, 1) == [("still cannot connect after a reboot", False)]
    [history] = world.slack.calls_to("conversations.history")
    assert history.args["channel"] == "CHELP" and float(history.args["oldest"]) > 0
    [replies] = world.slack.calls_to("conversations.replies")
    assert (replies.args["channel"], replies.args["ts"]) == ("CHELP", first)
    world.slack.assert_calls_match_spec()


async def test_a_message_taken_live_and_read_again_is_not_taken_twice(world: SocketWorld) -> None:
    first = await world.report("outlook cannot connect to the server", count=1)
    reply_ts = new_ts()
    world.slack.add_message(channel="CHELP", ts=reply_ts, user=DANA, text="it fails every morning", thread_ts=first)
    await world.event(message_event(channel="CHELP", user=DANA, text="it fails every morning", ts=reply_ts,
                                    thread_ts=first))
    await eventually(lambda: comments(world.desk, 1), what="the live reply")
    await world.gap(HOLD)
    await eventually(lambda: world.adapter.catch_up.rounds == 1, what="the catch-up")
    assert len(tickets(world.desk)) == 1
    assert comments(world.desk, 1) == [("it fails every morning", False)]
    assert world.slack.calls_to("conversations.history") and world.slack.calls_to("conversations.replies")


@pytest.mark.parametrize("window", [30.0])
async def test_a_gap_shorter_than_the_window_reads_no_history(world: SocketWorld) -> None:
    await world.report("outlook cannot connect to the server", count=1)
    await world.gap(HOLD, meanwhile=lambda: asyncio.sleep(0))
    await asyncio.sleep(1.5)  # a check of the connection or two after it came back
    assert world.adapter.catch_up.rounds == 0
    assert world.slack.calls_to("conversations.history") == []
    assert world.slack.calls_to("conversations.replies") == []


async def test_history_longer_than_a_page_is_read_page_by_page(world: SocketWorld) -> None:
    await world.report("outlook cannot connect to the server", count=1)
    # Unlike one another, so that none is taken for a duplicate of another.
    missed = [hashlib.sha1(str(n).encode()).hexdigest()[:16] for n in range(230)]

    async def meanwhile() -> None:
        start = time.time()
        for n, text in enumerate(missed):  # a ts apart each: two in the same microsecond would be one message
            world.slack.add_message(channel="CHELP", ts=new_ts(start + n / 1000), user=DANA, text=text)

    await world.gap(HOLD, meanwhile=meanwhile)
    await eventually(lambda: len(tickets(world.desk)) == 231, timeout=60, what="every missed report")
    assert [t["title"] for t in tickets(world.desk)][1:] == missed
    pages = world.slack.calls_to("conversations.history")
    assert len(pages) == 2 and pages[1].args.get("cursor")


async def test_a_429_and_a_500_from_the_history_are_waited_out(world: SocketWorld) -> None:
    await world.report("outlook cannot connect to the server", count=1)
    world.slack.fail_next("conversations.history", status=429, retry_after=1)
    world.slack.fail_next("conversations.history", status=500)

    async def meanwhile() -> None:
        world.written("the printer on floor 3 is jammed")

    await world.gap(HOLD, meanwhile=meanwhile)
    await eventually(lambda: len(tickets(world.desk)) == 2, timeout=15, what="the missed report")
    assert [c.status for c in world.slack.calls_to("conversations.history")] == [429, 500, 200]


def test_the_window_must_be_shorter_than_the_reconnect_budget() -> None:
    with pytest.raises(ValidationError, match="catch_up_after_seconds .* must be less than reconnect_budget"):
        SlackSettings(catch_up_after_seconds=300, reconnect_budget_seconds=300)
    with pytest.raises(ValidationError, match="catch_up_after_seconds"):
        SlackSettings(catch_up_after_seconds=0)

