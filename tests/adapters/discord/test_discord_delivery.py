"""The outbox through the Discord messenger: rate limits, permanent errors, pings, and Discord's limits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from core.cards import Attachment, Card
from core.delivery import Delivery, Destination, File
from core.outbox import listing
from tests.adapters.discord.conftest import EDIT, SEND, TRIAGE, DiscordWorld, embed_text
from tests.standins.discord_payloads import AGENT_ROLE_ID, EMPLOYEE


def outbox_rows(world: DiscordWorld) -> list[tuple[str, str, str]]:
    return world.desk.db.run(lambda s: [(r.status, r.ticket_key, r.last_error) for r in listing(s)])


async def test_a_429_is_waited_out_and_the_card_delivered_once(world: DiscordWorld) -> None:
    world.srv.fail_next(f"POST /channels/{TRIAGE}/messages", status=429, retry_after=0.3)
    await world.report()
    await world.deliver()
    statuses = [c.status for c in world.srv.calls_to(SEND) if c.path == f"/channels/{TRIAGE}/messages"]
    assert statuses == [429, 200]
    assert len(world.srv.messages_in(TRIAGE)) == 1
    assert {status for status, _key, _error in outbox_rows(world)} == {"sent"}
    world.srv.assert_calls_match_spec()


async def test_an_unknown_channel_is_dead_lettered_with_the_reason_and_the_rest_is_delivered(
        world: DiscordWorld, caplog: pytest.LogCaptureFixture) -> None:
    world.srv.fail_next(f"POST /channels/{TRIAGE}/messages", status=404)
    with caplog.at_level(logging.ERROR, logger="bot.dispatcher"):
        await world.report()
        await world.deliver()
    dead = [(key, error) for status, key, error in outbox_rows(world) if status == "dead"]
    assert len(dead) == 1
    key, error = dead[0]
    assert key == "INC-1" and "10003" in error and "Unknown Channel" in error
    assert any("INC-1" in r.getMessage() and "Unknown Channel" in r.getMessage() for r in caplog.records)
    assert world.thread_messages()[0]["content"].startswith("INC-1 opened")  # the requester still heard


async def test_a_thread_that_is_gone_falls_back_to_a_direct_message(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    [thread] = world.private_threads()
    world.srv.fail_next(f"POST /channels/{thread['id']}/messages", status=403, code=50001)
    await world.answer_to(await world.slash("claim", options={"key": "INC-1"}))
    await world.deliver()
    dm = EMPLOYEE.dm_channel_id
    assert dm is not None
    assert [m["content"] for m in world.srv.messages_in(dm)] == ["Bob from IT is working on this."]


async def test_at_everyone_in_a_report_never_pings(world: DiscordWorld) -> None:
    await world.report(f"@everyone @here <@&{AGENT_ROLE_ID}> the wifi is down on floor 2")
    await world.deliver()
    await world.answer_to(await world.slash("claim", options={"key": "INC-1"}))
    await world.deliver()
    bodies: list[dict[str, Any]] = world.sent(SEND) + world.sent(EDIT)
    assert len(bodies) >= 3
    for body in bodies:
        assert body["allowed_mentions"]["parse"] == []
        assert not body["allowed_mentions"].get("users") and not body["allowed_mentions"].get("roles")
    card = embed_text(world.card())
    assert "@everyone" not in card and "@here" not in card and f"<@&{AGENT_ROLE_ID}>" not in card
    assert "@\u200beveryone" in card
    world.srv.assert_calls_match_spec()


async def test_long_text_is_cut_within_discords_limits_with_a_pointer(world: DiscordWorld) -> None:
    await world.report("my monitor flickers " + "and flickers " * 900)
    await world.deliver()
    [embed] = world.card()["embeds"]
    assert len(embed["description"]) <= 4096
    assert embed["description"].endswith("(more: `/desk show INC-1`)")
    assert len(embed["title"]) <= 256
    total = len(embed["title"]) + len(embed["description"]) + sum(
        len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= 6000
    answer = await world.answer_to(await world.slash("show", options={"key": "INC-1"}))
    assert len(answer["embeds"][0]["description"]) <= 4096
    world.srv.assert_calls_match_spec()


async def test_a_deleted_card_is_posted_again_on_the_next_change(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    del world.srv.world.messages[int(world.card()["id"])]
    await world.answer_to(await world.slash("claim", options={"key": "INC-1"}))
    await world.deliver()
    assert "Bob is on it" in embed_text(world.card())
    assert {status for status, _key, _error in outbox_rows(world)} == {"sent"}



async def test_a_card_with_a_chart_is_sent_with_the_image_attached(world: DiscordWorld) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    card = Card(title="Last 30 days", text="42 tickets opened",
                attachments=(Attachment(name="tickets.png", media_type="image/png", digest="d" * 64),))
    delivered = await asyncio.wait_for(world.adapter.messenger.deliver(Delivery(
        outbox_id=1, destination=Destination("discord", str(TRIAGE)), card=card,
        files=(File(name="tickets.png", media_type="image/png", data=png),))), 10)
    [call] = [c for c in world.srv.calls_to(SEND) if c.files]
    assert call.files == ("tickets.png",)
    [message] = world.srv.messages_in(TRIAGE)
    assert str(message["id"]) == delivered.message_id
    assert message["embeds"][0]["image"]["url"] == "attachment://tickets.png"
    world.srv.assert_calls_match_spec()
