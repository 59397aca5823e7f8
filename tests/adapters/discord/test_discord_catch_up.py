"""After a gateway session that could not be resumed, what was written meanwhile is read from the channels'
history and taken once; after a resume, Discord's replay is enough and no history is read."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from tests.adapters.discord.conftest import HELPDESK, TIMEOUT, DiscordWorld, eventually
from tests.integration.helpers import comments, tickets
from tests.standins.discord_payloads import (
    AGENT,
    EMPLOYEE,
    GUILD_ID,
    dm_message_create,
    guild_channel_payload,
    message_create,
    snowflake,
)

HISTORY = "GET /channels/{channel_id}/messages"


async def _identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before each IDENTIFY but the first (Discord's identify rate limit); the
    stand-in has none, and the tests need not wait."""


async def lose_the_session(world: DiscordWorld) -> None:
    """Op 9 (invalid session), and no new connection until `world.srv.release_reconnect()`: what is
    written meanwhile never reaches the client through the gateway."""
    # The first session's own catch-up (which marks a channel never read before) has run.
    await eventually(lambda: world.adapter.catch_up.rounds >= 1, what="the first session's catch-up")
    world.adapter.client.before_identify_hook = _identify_at_once  # type: ignore[method-assign]
    await world.srv.invalidate_session(resumable=False, hold_reconnect=True)


async def new_session(world: DiscordWorld, *, rounds: int = 2) -> None:
    world.srv.release_reconnect()
    await eventually(lambda: world.adapter.catch_up.rounds >= rounds, timeout=TIMEOUT,
                     what="the catch-up after the new session")


def history_reads(world: DiscordWorld, channel_id: int | str | None = None) -> list[Any]:
    calls = world.srv.calls_to(HISTORY)
    if channel_id is not None:
        calls = [c for c in calls if c.path == f"/channels/{channel_id}/messages"]
    return calls


async def test_reports_and_replies_missed_during_an_invalid_session_are_taken_once_after_the_new_session(
    world: DiscordWorld,
) -> None:
    await world.report("outlook cannot connect to the server")
    await world.deliver()
    [thread] = world.private_threads()
    card = world.card()
    await lose_the_session(world)
    await world.say("the printer on floor 3 is jammed", channel_id=HELPDESK)
    await world.say("still cannot connect after a reboot", channel_id=int(thread["id"]))
    await world.say("the wifi in room 4 is down", channel_id=HELPDESK)
    await asyncio.sleep(0.3)
    assert len(tickets(world.desk)) == 1, "nothing reached the client while its session was gone"
    await new_session(world)
    await eventually(lambda: len(tickets(world.desk)) == 3, what="the missed reports as tickets")
    await eventually(lambda: comments(world.desk, 1), what="the missed reply as a comment")
    assert [t["title"] for t in tickets(world.desk)] == [
        "outlook cannot connect to the server", "the printer on floor 3 is jammed", "the wifi in room 4 is down"]
    assert comments(world.desk, 1) == [("still cannot connect after a reboot", False)]
    assert (world.srv.identify_count, world.srv.resume_count) == (2, 0)
    assert history_reads(world, HELPDESK) and history_reads(world, thread["id"])
    # The agents' thread under the card was never written in: the gateway does not list it, so it costs no read.
    assert not history_reads(world, card["id"])
    world.srv.assert_calls_match_spec()


async def test_a_note_missed_in_the_agents_thread_becomes_an_internal_comment(world: DiscordWorld) -> None:
    await world.report("vpn keeps dropping")
    await world.deliver()
    await world.say("it drops every 10 minutes", channel_id=int(world.private_threads()[0]["id"]))
    await eventually(lambda: comments(world.desk, 1), what="a comment")
    await world.deliver()  # the comment is passed on under the card: the agents' thread opens
    card = world.card()
    await lose_the_session(world)
    await world.say("vendor case 8812", channel_id=int(card["id"]), author=AGENT)
    await new_session(world)
    await eventually(lambda: len(comments(world.desk, 1)) == 2, what="the missed note")
    assert comments(world.desk, 1) == [("it drops every 10 minutes", False), ("vendor case 8812", True)]


async def test_messages_taken_live_and_read_again_from_history_are_not_taken_twice(world: DiscordWorld) -> None:
    live = ["laptop will not boot", "no sound in teams calls", "password expired yesterday"]
    for n, text in enumerate(live):
        await world.report(text, count=n + 1)
    await lose_the_session(world)
    await world.say("the projector in room 2 is dead", channel_id=HELPDESK)
    await new_session(world)
    await eventually(lambda: len(tickets(world.desk)) == 4, what="the missed report")
    await asyncio.sleep(0.3)
    [read] = history_reads(world, HELPDESK)
    assert int(read.query["after"]) > 0, "read after the last message taken"
    assert [t["title"] for t in tickets(world.desk)] == [*live, "the projector in room 2 is dead"]


async def test_a_resumed_session_reads_no_history(world: DiscordWorld) -> None:
    await world.report("outlook cannot connect to the server")
    await world.srv.disconnect_client(4000, hold_reconnect=True)
    await world.say("the printer on floor 3 is jammed", channel_id=HELPDESK)
    world.srv.release_reconnect()
    await world.srv.wait_until(lambda: world.srv.resume_count == 1, timeout=TIMEOUT, what="the resume")
    await eventually(lambda: len(tickets(world.desk)) == 2, what="the replayed report")
    await asyncio.sleep(0.3)
    assert history_reads(world) == []
    assert world.adapter.catch_up.rounds == 1  # the first session's, which had nothing to read yet


async def test_more_missed_reports_than_one_page_are_read_page_by_page_oldest_first(world: DiscordWorld) -> None:
    await world.report("outlook cannot connect to the server")
    await lose_the_session(world)
    # Unlike one another, so that none is taken for a duplicate of another.
    missed = [hashlib.sha1(str(n).encode()).hexdigest()[:16] for n in range(130)]
    for text in missed:
        await world.say(text, channel_id=HELPDESK)
    await new_session(world)
    await eventually(lambda: len(tickets(world.desk)) == 131, timeout=60, what="every missed report")
    assert [t["title"] for t in tickets(world.desk)][1:] == missed
    pages = history_reads(world, HELPDESK)
    assert len(pages) == 2 and all(p.query["limit"] == "100" for p in pages)
    assert int(pages[1].query["after"]) > int(pages[0].query["after"])


async def test_a_429_and_a_500_from_the_history_are_waited_out_and_nothing_is_lost(world: DiscordWorld) -> None:
    await world.report("outlook cannot connect to the server")
    await lose_the_session(world)
    await world.say("the printer on floor 3 is jammed", channel_id=HELPDESK)
    world.srv.fail_next(HISTORY, status=429, retry_after=0.2)
    world.srv.fail_next(HISTORY, status=500)
    await new_session(world)
    await eventually(lambda: len(tickets(world.desk)) == 2, timeout=TIMEOUT, what="the missed report")
    statuses = [c.status for c in history_reads(world, HELPDESK)]
    assert statuses[:2] == [429, 500] and statuses[-1] == 200


async def test_a_channel_read_for_the_first_time_is_marked_and_its_old_messages_are_no_backlog(
    world: DiscordWorld,
) -> None:
    laptops = snowflake()
    world.srv.world.add_channel(guild_channel_payload(channel_id=laptops, guild_id=GUILD_ID, name="laptops"))
    world.keep(message_create(content="an old chat from before spoc watched here", channel_id=laptops))
    await world.restart(intake_channels=(str(HELPDESK), str(laptops)))
    await lose_the_session(world)
    await world.say("the docking station is dead", channel_id=laptops)
    await new_session(world, rounds=2)
    await eventually(lambda: tickets(world.desk), what="the missed report")
    await asyncio.sleep(0.3)
    assert [t["title"] for t in tickets(world.desk)] == ["the docking station is dead"]


async def test_direct_messages_missed_during_an_invalid_session_are_taken_once_after_the_new_session(
    world: DiscordWorld,
) -> None:
    dm = EMPLOYEE.dm_channel_id
    await world.srv.dispatch("MESSAGE_CREATE", kept_dm(world, "my laptop won't turn on"))
    await eventually(lambda: tickets(world.desk), what="the first direct message's ticket")
    await lose_the_session(world)
    await world.srv.dispatch("MESSAGE_CREATE", kept_dm(world, "and the docking station is dead too"))
    await asyncio.sleep(0.3)
    assert len(tickets(world.desk)) == 1, "nothing reached the client while its session was gone"
    await new_session(world)
    await eventually(lambda: len(tickets(world.desk)) == 2, what="the missed direct message as a ticket")
    await asyncio.sleep(0.3)
    assert [t["title"] for t in tickets(world.desk)] == ["my laptop won't turn on",
                                                         "and the docking station is dead too"]
    [read] = history_reads(world, dm)
    assert int(read.query["after"]) > 0, "read after the last direct message taken"
    world.srv.assert_calls_match_spec()


async def test_a_direct_message_channel_never_written_in_costs_no_read(world: DiscordWorld) -> None:
    await world.report("outlook cannot connect to the server")
    await lose_the_session(world)
    await new_session(world)
    await asyncio.sleep(0.3)
    assert not history_reads(world, EMPLOYEE.dm_channel_id)
    assert not world.srv.calls_to("GET /channels/{channel_id}")


def kept_dm(world: DiscordWorld, text: str) -> dict[str, Any]:
    """A direct message to spoc that Discord keeps (its history can be read), as the gateway brings it."""
    payload = dm_message_create(content=text)
    world.keep(payload)
    return payload
