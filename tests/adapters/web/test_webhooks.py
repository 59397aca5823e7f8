"""Outgoing webhooks: ticket and outage events reach a local receiver, signed with HMAC, once each; a
receiver that fails is retried through the outbox until it answers."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.web.hooks import HookMessenger, feed_hooks, signature
from adapters.web.settings import Hook
from bot.dispatcher import Dispatcher
from core.clock import ManualClock
from core.outbox import RetryPolicy
from core.service import Desk
from tests.conftest import DANA, SAM, Chat
from tests.integration.helpers import outbox

SECRET = "hook secret"
POLICY = RetryPolicy(max_attempts=5, base_delay=2.0, max_delay=60.0)


class Receiver:
    """A local stand-in of another system's webhook endpoint: answers `failures` first, then 204."""

    def __init__(self, failures: list[int] | None = None) -> None:
        self.failures = list(failures or [])
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = web.Application()
        self.app.add_routes([web.post("/hook", self.hook)])

    async def hook(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        if self.failures:
            status = self.failures.pop(0)
            return web.Response(status=status, headers={"Retry-After": "1"} if status in (429, 503) else {})
        return web.Response(status=204)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


def feed(desk: Desk, hooks: tuple[Hook, ...], clock: ManualClock) -> int:
    # The feed takes what has settled for two seconds.
    clock.advance(timedelta(seconds=3))
    return desk.db.run(lambda s: feed_hooks(s, hooks, now=clock.now()))


async def deliver(desk: Desk, hooks: tuple[Hook, ...], clock: ManualClock) -> None:
    dispatcher = Dispatcher(db=desk.db, messengers={"webhook": HookMessenger(hooks)}, clock=clock, policy=POLICY)
    await dispatcher.deliver_due()


async def test_ticket_and_outage_events_arrive_signed_and_once(web_desk: Desk, chat: Chat,
                                                              clock: ManualClock) -> None:
    receiver = Receiver()
    async with TestServer(receiver.app) as server:
        hooks = (Hook(name="ops", url=str(server.make_url("/hook")), secret=SECRET),)
        feed(web_desk, hooks, clock)  # the feed starts here: nothing from before hooks existed
        chat.say(DANA, "my laptop screen flickers all day")
        chat.desk_command(SAM, "note INC-1 vendor case 8812")
        chat.desk_command(SAM, "claim INC-1")
        chat.desk_command(SAM, 'outage declare email "Outlook cannot connect"')
        assert feed(web_desk, hooks, clock) >= 3
        assert feed(web_desk, hooks, clock) == 0  # a second pass queues nothing again
        await deliver(web_desk, hooks, clock)
    events = receiver.events()
    names = [e["event"] for e in events]
    assert names[0] == "ticket.opened" and "outage.declared" in names
    assert "ticket.assigned" in names or "ticket.status_changed" in names
    assert not any("vendor case 8812" in json.dumps(e) for e in events)  # internal notes are not events
    assert events[0]["ticket"]["key"] == "INC-1"
    for headers, body in receiver.received:
        stamp = headers["X-Spoc-Timestamp"]
        expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert headers["X-Spoc-Signature"] == f"sha256={expected}" == signature(SECRET, stamp, body)
        assert headers["X-Spoc-Event"] == json.loads(body)["event"]
    assert len({h["X-Spoc-Delivery"] for h, _ in receiver.received}) == len(receiver.received)


async def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(web_desk: Desk, chat: Chat,
                                                                          clock: ManualClock) -> None:
    receiver = Receiver(failures=[500, 503])
    async with TestServer(receiver.app) as server:
        hooks = (Hook(name="ops", url=str(server.make_url("/hook")), secret=SECRET, events=("outage.*",)),)
        feed(web_desk, hooks, clock)
        chat.desk_command(SAM, 'outage declare vpn "VPN drops"')
        assert feed(web_desk, hooks, clock) == 1
        await deliver(web_desk, hooks, clock)
        row = [r for r in outbox(web_desk) if r.platform == "webhook"][0]
        assert row.status == "pending" and row.attempts == 1 and "500" in row.last_error
        await deliver(web_desk, hooks, clock)  # not due yet: nothing sent
        assert len(receiver.received) == 1
        for _ in range(2):
            clock.advance(timedelta(minutes=2))
            await deliver(web_desk, hooks, clock)
    assert len(receiver.received) == 3
    row = [r for r in outbox(web_desk) if r.platform == "webhook"][0]
    assert row.status == "sent"
    assert {e["id"] for e in receiver.events()} == {receiver.events()[0]["id"]}  # the same event each time


async def test_a_receiver_that_refuses_for_good_makes_a_dead_letter(web_desk: Desk, chat: Chat,
                                                                    clock: ManualClock) -> None:
    receiver = Receiver(failures=[410])
    async with TestServer(receiver.app) as server:
        hooks = (Hook(name="ops", url=str(server.make_url("/hook")), events=("outage.declared",)),)
        feed(web_desk, hooks, clock)
        chat.desk_command(SAM, 'outage declare vpn "VPN drops"')
        feed(web_desk, hooks, clock)
        await deliver(web_desk, hooks, clock)
    row = [r for r in outbox(web_desk) if r.platform == "webhook"][0]
    assert row.status == "dead" and "410" in row.last_error
    assert "X-Spoc-Signature" not in receiver.received[0][0]  # a hook without a secret is not signed


async def test_a_hook_only_gets_the_events_it_asked_for(web_desk: Desk, chat: Chat, clock: ManualClock) -> None:
    hooks = (Hook(name="tickets", url="http://127.0.0.1:9/", events=("ticket.opened",)),
             Hook(name="outages", url="http://127.0.0.1:9/", events=("outage.*",)))
    feed(web_desk, hooks, clock)
    chat.say(DANA, "my laptop screen flickers all day")
    chat.desk_command(SAM, 'outage declare vpn "VPN drops"')
    feed(web_desk, hooks, clock)
    sent = [(r.channel, r.card["title"]) for r in outbox(web_desk) if r.platform == "webhook"]
    assert sent == [("tickets", "ticket.opened"), ("outages", "outage.declared")]
