"""Reports arriving from Discord: gateway messages into the real client, REST calls out to the stand-in."""

from __future__ import annotations

import asyncio

from tests.adapters.discord.conftest import (
    HELPDESK,
    NEW_THREAD,
    TIMEOUT,
    TRIAGE,
    DiscordWorld,
    custom_ids,
    embed_text,
    eventually,
)
from tests.integration.helpers import comments, tickets
from tests.standins.discord_payloads import AGENT, BOT, EMPLOYEE, dm_message_create, message_create


async def test_a_report_becomes_a_ticket_with_a_private_thread_and_a_triage_card(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    [ticket] = tickets(world.desk)
    assert ticket["key"] == "INC-1"
    [thread] = world.private_threads()
    assert thread["name"] == "INC-1 \u00b7 vpn keeps dropping since this morning's update"
    assert thread["parent_id"] == str(HELPDESK)
    assert world.srv.world.thread_members[int(thread["id"])] >= {EMPLOYEE.id}
    [opened] = world.thread_messages()
    assert opened["content"].startswith("INC-1 opened: network, incident, P3")
    card = world.card()
    assert card["embeds"][0]["title"] == "INC-1 \u00b7 vpn keeps dropping since this morning's update"
    assert "desk:claim INC-1" in custom_ids(card)
    assert any(c.startswith("desk?resolve INC-1|") for c in custom_ids(card))
    # Nothing about the ticket is posted in the open channel.
    assert [m for m in world.srv.messages_in(HELPDESK) if m["author"]["id"] == str(BOT.id)] == []
    world.srv.assert_calls_match_spec()


async def test_a_reply_in_the_private_thread_becomes_a_comment(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    [thread] = world.private_threads()
    await world.say("it drops every 10 minutes", channel_id=int(thread["id"]))
    await eventually(lambda: comments(world.desk, 1), what="a comment")
    assert comments(world.desk, 1) == [("it drops every 10 minutes", False)]
    assert len(tickets(world.desk)) == 1
    await world.deliver()
    card = world.card()
    agents_thread = world.srv.world.channels[int(card["id"])]  # a public thread under the card
    assert agents_thread["type"] == 11 and agents_thread["name"].startswith("INC-1 \u00b7")
    assert world.srv.messages_in(int(card["id"]))[0]["content"] == "Alice wrote: it drops every 10 minutes"
    await world.say("vendor case 8812", channel_id=int(card["id"]), author=AGENT)
    await eventually(lambda: len(comments(world.desk, 1)) == 2, what="an internal note")
    assert comments(world.desk, 1)[1] == ("vendor case 8812", True)
    world.srv.assert_calls_match_spec()


async def test_the_thread_survives_a_restart_both_ways(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    [thread] = world.private_threads()
    await world.restart()
    await world.say("still broken after the reboot", channel_id=int(thread["id"]))
    await eventually(lambda: comments(world.desk, 1), what="the reply, mapped by the thread's name")
    interaction = await world.slash("resolve", options={"key": "INC-1", "text": "new VPN profile"})
    await world.answer_to(interaction)
    await world.deliver()
    assert len(world.srv.calls_to(NEW_THREAD)) == 1
    assert "INC-1 is resolved. Is it fixed?" in embed_text(world.thread_messages()[-1])
    world.srv.assert_calls_match_spec()


async def test_an_archived_private_thread_is_found_after_a_restart_and_no_second_one_is_opened(
    world: DiscordWorld,
) -> None:
    await world.report()
    await world.deliver()
    [thread] = world.private_threads()
    world.srv.world.archive(int(thread["id"]))  # a week without messages; the gateway no longer lists it
    await world.restart()
    interaction = await world.slash("resolve", options={"key": "INC-1", "text": "new VPN profile"})
    await world.answer_to(interaction)
    await world.deliver()
    assert len(world.srv.calls_to(NEW_THREAD)) == 1
    [still_one] = world.private_threads()
    assert still_one["thread_metadata"]["archived"] is False
    assert "INC-1 is resolved. Is it fixed?" in embed_text(world.thread_messages()[-1])
    world.srv.assert_calls_match_spec()


async def test_a_message_outside_the_intake_channels_and_threads_is_ignored(world: DiscordWorld) -> None:
    await world.say("lunch anyone?", channel_id=TRIAGE, author=AGENT)
    await world.report("printer on floor 3 is broken")
    assert [t["title"] for t in tickets(world.desk)] == ["printer on floor 3 is broken"]


async def test_a_gateway_resume_in_the_middle_of_a_report_creates_one_ticket(world: DiscordWorld) -> None:
    payload = message_create(content="outlook cannot connect to the server")
    world.keep(payload)
    await world.srv.dispatch("MESSAGE_CREATE", payload)
    await world.srv.disconnect_client(4000, hold_reconnect=True)
    # Discord redelivers what it is not sure the client saw: the same message, again, while it is away.
    await world.srv.dispatch("MESSAGE_CREATE", payload)
    world.srv.release_reconnect()
    await world.srv.wait_until(lambda: world.srv.resume_count == 1, timeout=TIMEOUT, what="the resume")
    assert world.srv.replayed_seqs, "the second delivery came with the resume"
    await world.report("the printer is out of toner", count=2)
    await asyncio.sleep(0.2)
    assert [t["title"] for t in tickets(world.desk)] == ["outlook cannot connect to the server",
                                                         "the printer is out of toner"]
    assert (world.srv.identify_count, world.srv.resume_count) == (1, 1)


async def test_a_direct_message_is_a_report_and_a_reply_to_spoc_is_a_comment(world: DiscordWorld) -> None:
    first = dm_message_create(content="my laptop won't turn on")
    await world.srv.dispatch("MESSAGE_CREATE", first)
    await eventually(lambda: tickets(world.desk), what="a ticket")
    await world.deliver()
    dm = EMPLOYEE.dm_channel_id
    assert dm is not None
    [opened] = world.srv.messages_in(dm)
    assert opened["content"].startswith("INC-1 opened")
    assert str(opened["message_reference"]["message_id"]) == first["id"]
    reply = dm_message_create(content="the power light blinks orange") | {
        "type": 19, "referenced_message": opened,
        "message_reference": {"type": 0, "message_id": opened["id"], "channel_id": str(dm)}}
    await world.srv.dispatch("MESSAGE_CREATE", reply)
    await eventually(lambda: comments(world.desk, 1), what="a comment")
    assert len(tickets(world.desk)) == 1
    world.srv.assert_calls_match_spec()


async def test_without_private_threads_the_thread_starts_from_the_report(world: DiscordWorld) -> None:
    await world.restart(private_threads=False)
    payload = await world.report()
    await world.deliver()
    assert world.private_threads() == []
    thread = world.srv.world.channels[int(payload["id"])]  # a thread from a message has the message's id
    assert thread["type"] == 11
    assert world.srv.messages_in(int(payload["id"]))[0]["content"].startswith("INC-1 opened")
    await world.say("it is the wifi, not the vpn", channel_id=int(payload["id"]))
    await eventually(lambda: comments(world.desk, 1), what="a comment")


async def test_where_private_threads_are_refused_the_thread_starts_from_the_report(world: DiscordWorld) -> None:
    world.srv.fail_next(f"POST /channels/{HELPDESK}/threads", status=403, code=50013)
    payload = await world.report()
    await world.deliver()
    assert world.private_threads() == []
    assert world.srv.world.channels[int(payload["id"])]["type"] == 11
    assert world.srv.messages_in(int(payload["id"]))[0]["content"].startswith("INC-1 opened")
    world.srv.assert_calls_match_spec()
