"""The real slack-bolt app in HTTP mode, served on a free port, against the local Slack stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from adapters.slack.app import EVENTS_PATH, SlackAdapter
from adapters.slack.settings import SlackSettings
from bot.dispatcher import Dispatcher
from bot.http_server import HttpServer
from core.clock import SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import NoKnowledgeBase
from core.outbox import RetryPolicy
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.database import Database
from tests.standins.slack_api import SlackApiStandIn, slack_spec_path
from tests.standins.slack_requests import payloads_available, signed_headers, slack_payloads_dir
from tests.waiting import eventually

SECRET = "test-signing-secret"
HELP, TRIAGE = "CHELP", "CTRIAGE"
DANA, SAM = "UDANA", "USAM"


@dataclass
class SlackWorld:
    slack: SlackApiStandIn
    desk: Desk
    adapter: SlackAdapter
    dispatcher: Dispatcher
    url: str
    http: aiohttp.ClientSession

    async def post(self, body: bytes, *, headers: dict[str, str] | None = None, **signing: Any) -> int:
        headers = headers or signed_headers(body, secret=SECRET, **signing)
        async with self.http.post(self.url, data=body, headers=headers) as response:
            await response.read()
            return response.status

    async def post_as_slack(self, body: bytes) -> int:
        """Post as Slack does: a request answered other than 2xx is sent again (up to 3 times, each marked
        X-Slack-Retry-Num). The last status."""
        status = await self.post(body)
        for retry in range(1, 4):
            if 200 <= status < 300:
                break
            await asyncio.sleep(0.5 * retry)
            status = await self.post(body, retry_num=retry, retry_reason="http_error")
        return status

    async def eventually(self, check: Callable[[], Any], *, timeout: float = 10.0, what: str = "") -> Any:
        return await eventually(check, timeout=timeout, what=what)

    async def deliver(self) -> None:
        await self.dispatcher.drain(timeout=15)

    def posted(self, channel: str | None = None, *, thread: str | None = None) -> list[dict[str, Any]]:
        calls = [c.args for c in self.slack.calls_to("chat.postMessage") if c.status == 200]
        if channel is not None:
            calls = [c for c in calls if c.get("channel") == channel]
        if thread is not None:
            calls = [c for c in calls if c.get("thread_ts") == thread]
        return calls


def blocks_of(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def button_values(args: dict[str, Any]) -> list[str]:
    return [e["value"] for b in blocks_of(args) if b["type"] == "actions" for e in b["elements"]]


def block_text(args: dict[str, Any]) -> str:
    parts: list[str] = []
    for block in blocks_of(args):
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(f["text"] for f in block.get("fields", []))
    return "\n".join(parts)


@asynccontextmanager
async def working(adapter: SlackAdapter) -> AsyncIterator[None]:
    """The adapter running: in HTTP mode it works on the requests its edge kept."""
    stop = asyncio.Event()
    running = asyncio.create_task(adapter.run(stop))
    try:
        yield
    finally:
        stop.set()
        await running
        await adapter.close()


@asynccontextmanager
async def slack_world(slack: SlackApiStandIn, url: str, *, work: bool = True, storm_backlog: int = 0,
                      settings: DeskSettings | None = None) -> AsyncIterator[SlackWorld]:
    """One spoc process in Slack's HTTP mode on the database at `url`. Without `work` it only keeps and
    acknowledges what arrives, as a process that dies before it works on anything. With `storm_backlog`,
    Slack's channels can be outpaced by reports (core/storms.py)."""
    db = Database(url)
    settings = settings or DeskSettings(people=(Person(name="Sam", email="sam@example.com", role="agent",
                                                       ids={"slack": SAM}),), storm_backlog=storm_backlog)
    desk = Desk(db=db, deps=DeskDeps(settings=settings, knowledge=NoKnowledgeBase(), platforms=frozenset({"slack"}),
                                     routes=Routes(triage=(Destination("slack", TRIAGE),)),
                                     paced=frozenset({"slack"}) if storm_backlog else frozenset()),
                clock=SystemClock())
    desk.setup()
    slack_settings = SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, mode="http", api_url=slack.url,
                                   intake_channels=(HELP,), triage_channel=TRIAGE,
                                   per_channel_interval_seconds=0)
    dispatcher = Dispatcher(db=db, messengers={}, clock=SystemClock(),
                            policy=RetryPolicy(max_attempts=3, base_delay=0.2, max_delay=1.0))
    adapter = SlackAdapter(desk=desk, settings=slack_settings, poke=dispatcher.poke)
    dispatcher.messengers["slack"] = adapter.messenger
    server = HttpServer(host="127.0.0.1", port=0)
    server.add_routes(adapter.routes())
    await server.start()
    try:
        async with aiohttp.ClientSession() as http, working(adapter) if work else contextlib.nullcontext():
            yield SlackWorld(slack=slack, desk=desk, adapter=adapter, dispatcher=dispatcher,
                             url=f"http://127.0.0.1:{server.port}{EVENTS_PATH}", http=http)
    finally:
        await adapter.close()
        await server.stop()
        db.dispose()


@asynccontextmanager
async def slack_stand_in() -> AsyncIterator[SlackApiStandIn]:
    if not payloads_available():
        pytest.skip(f"real Slack payload samples not found at {slack_payloads_dir()}")
    if not slack_spec_path().exists():
        pytest.skip(f"Slack's OpenAPI spec not found at {slack_spec_path()}")
    async with SlackApiStandIn() as slack:
        slack.set_user(DANA, name="dana", display_name="Dana", email="dana@example.com")
        slack.set_user(SAM, name="sam", display_name="Sam", email="sam@example.com")
        yield slack
        # Whatever a test did, every call spoc made must be one Slack's own spec allows.
        slack.assert_calls_match_spec()


@pytest.fixture
def slack_desk_settings() -> DeskSettings | None:
    """The desk's settings in the Slack world (a test module may bring its own; None: the usual ones)."""
    return None


@pytest.fixture
async def world(sqlite_url: str, slack_desk_settings: DeskSettings | None) -> AsyncIterator[SlackWorld]:
    async with slack_stand_in() as slack, slack_world(slack, sqlite_url, settings=slack_desk_settings) as world:
        yield world
