"""Slack's HTTP mode acknowledges a request only once it is committed, and works on it from the database:
a process that dies after the 200 loses nothing, a redelivery makes nothing twice, and a database that
cannot take the request makes Slack send it again."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.adapters.slack.conftest import DANA, HELP, slack_stand_in, slack_world
from tests.integration.helpers import tickets
from tests.standins.slack_requests import event_body, message_event


async def test_an_acknowledged_event_survives_a_crash_and_is_processed_on_restart_exactly_once(
        sqlite_url: str) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="the vpn drops every ten minutes"))
    async with slack_stand_in() as slack:
        async with slack_world(slack, sqlite_url, work=False) as dying:  # acknowledges, then dies
            assert await dying.post(body) == 200
            assert dying.desk.pending.count("slack") == 1
            assert tickets(dying.desk) == []
        async with slack_world(slack, sqlite_url) as restarted:
            await restarted.eventually(lambda: tickets(restarted.desk), what="the kept event's ticket")
            await restarted.adapter.kept.settle()
            assert restarted.desk.pending.count("slack") == 0
        async with slack_world(slack, sqlite_url) as again:
            await asyncio.sleep(0.3)
            assert [t["title"] for t in tickets(again.desk)] == ["the vpn drops every ten minutes"]


async def test_retry_of_same_slack_event_creates_no_second_ticket(sqlite_url: str) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="printer on floor 2 jams"))
    async with slack_stand_in() as slack:
        async with slack_world(slack, sqlite_url, work=False) as waiting:
            assert await waiting.post(body) == 200
            assert await waiting.post(body, retry_num=1, retry_reason="http_timeout") == 200
            assert waiting.desk.pending.count("slack") == 1  # a redelivery of a kept event is not kept twice
        async with slack_world(slack, sqlite_url) as world:
            await world.eventually(lambda: tickets(world.desk))
            await world.adapter.kept.settle()
            assert await world.post(body, retry_num=2, retry_reason="http_error") == 200  # after the work
            await world.adapter.kept.settle()
            await asyncio.sleep(0.2)
            assert len(tickets(world.desk)) == 1
            assert world.desk.pending.count("slack") == 0


async def test_a_locked_database_at_intake_gets_503_so_slack_sends_it_again(tmp_path: Path, sqlite_url: str
                                                                             ) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="outlook asks for my password again"))
    async with slack_stand_in() as slack, slack_world(slack, sqlite_url) as world:
        holder = sqlite3.connect(tmp_path / "spoc.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock longer than Slack waits
        try:
            assert await world.post(body) == 503
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert await world.post(body, retry_num=1, retry_reason="http_error") == 200
        await world.eventually(lambda: tickets(world.desk))
        await world.adapter.kept.settle()
        await asyncio.sleep(0.2)
        assert len(tickets(world.desk)) == 1


async def test_an_event_that_fails_while_slack_cannot_say_who_the_bot_is_is_tried_again(sqlite_url: str) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="teams crashes when I share my screen"))
    async with slack_stand_in() as slack:
        slack.fail_next("auth.test", status=500, times=2)  # at start, and when the event is first worked on
        async with slack_world(slack, sqlite_url) as world:
            assert await world.post(body) == 200
            await asyncio.sleep(0.5)
            assert tickets(world.desk) == [] and world.desk.pending.count("slack") == 1
            await world.eventually(lambda: tickets(world.desk), timeout=15, what="the ticket, on the second try")
            await world.adapter.kept.settle()
            assert world.desk.pending.count("slack") == 0
