"""A notification Discord took from a process that was killed before it recorded the delivery is not posted
again by the next one: every attempt of one notification sends the same nonce with `enforce_nonce`, and
Discord answers a repeated nonce with the message it already made."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from core.storage.models import OutboxRow
from tests.adapters.discord.conftest import SEND, TRIAGE, DiscordWorld
from tests.outbox_deaths import die_delivering


def outbox(world: DiscordWorld) -> list[tuple[str, str]]:
    return world.desk.db.run(lambda s: [(r.status, r.message_id) for r in s.scalars(select(OutboxRow)
                                                                                     .order_by(OutboxRow.id))])


def bot_messages(world: DiscordWorld) -> list[dict[str, Any]]:
    bot = str(world.srv.world.bot.id)
    return [m for m in world.srv.world.messages.values() if m["author"]["id"] == bot]


async def test_a_message_discord_took_before_the_process_died_is_not_posted_again_after_restart(
    world: DiscordWorld,
) -> None:
    await world.report("outlook cannot connect to the server")
    await die_delivering(world.desk.db, world.adapter.messenger, after_sending=True)
    first = {m["channel_id"]: m["id"] for m in bot_messages(world)}
    assert str(TRIAGE) in first and all(status == "pending" for status, _ in outbox(world))
    await world.deliver()
    assert len(bot_messages(world)) == len(outbox(world))
    # Each was sent twice, with one nonce: Discord answered the second with the first's message.
    assert set(Counter(c.json["nonce"] for c in world.srv.calls_to(SEND)).values()) == {2}
    assert first[str(TRIAGE)] in {message_id for _status, message_id in outbox(world)}
    assert all(status == "sent" for status, _ in outbox(world))


async def test_a_message_that_never_reached_discord_before_the_process_died_is_posted_once(
    world: DiscordWorld,
) -> None:
    await world.report("outlook cannot connect to the server")
    await die_delivering(world.desk.db, world.adapter.messenger, after_sending=False)
    assert bot_messages(world) == []
    await world.deliver()
    assert len(bot_messages(world)) == len(outbox(world)) >= 2
    assert all(status == "sent" for status, _ in outbox(world))


async def test_two_notifications_never_share_a_nonce(world: DiscordWorld) -> None:
    await world.report("outlook cannot connect to the server")
    await world.report("the printer on floor 3 is jammed", count=2)
    await world.deliver()
    nonces = [c.json["nonce"] for c in world.srv.calls_to(SEND)]
    assert len(nonces) >= 4 and len(set(nonces)) == len(nonces)
