"""Several workers deliver one outbox: Slack's pace per channel holds across them, not only within one."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.messenger import SlackMessenger
from bot.dispatcher import Dispatcher
from core.clock import SystemClock
from core.outbox import RetryPolicy
from tests.adapters.slack.conftest import TRIAGE, SlackWorld
from tests.adapters.slack.test_slack_intake import report
from tests.integration.helpers import tickets

INTERVAL = 0.3


def worker(world: SlackWorld) -> Dispatcher:
    """Another process's dispatcher: its own Slack client and its own memory of when it last posted."""
    messenger = SlackMessenger(AsyncWebClient(token="xoxb-test", base_url=world.slack.url),
                               per_channel_interval=INTERVAL)
    return Dispatcher(db=world.desk.db, messengers={"slack": messenger}, clock=SystemClock(),
                      policy=RetryPolicy(max_attempts=3, base_delay=0.2, max_delay=1.0), batch=1)


async def test_two_workers_taking_turns_on_one_channel_keep_its_pace(world: SlackWorld) -> None:
    for n, user in enumerate(("UDANA", "UKIM", "ULEE", "UPRIYA")):
        await report(world, f"problem number {n}: the {('vpn', 'printer', 'monitor', 'laptop')[n]} is broken",
                     user=user)
    await world.eventually(lambda: len(tickets(world.desk)) == 4)
    first, second = worker(world), worker(world)
    await asyncio.gather(first.drain(timeout=20), second.drain(timeout=20))
    triage = [c for c in world.slack.calls_to("chat.postMessage") if c.args.get("channel") == TRIAGE]
    assert len(triage) >= 4
    gaps = [later.monotonic - earlier.monotonic for earlier, later in zip(triage, triage[1:], strict=False)]
    assert min(gaps) >= INTERVAL * 0.95, gaps
