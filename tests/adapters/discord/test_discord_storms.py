"""A burst of reports in one Discord channel, faster than its pace: agents see them on one storm card (an
embed, edited in place as reports join) in the triage channel, and each reporter sees a reaction on their
message at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.discord.messenger import RECEIVED
from tests.adapters.discord.conftest import (
    HELPDESK,
    TRIAGE,
    DiscordWorld,
    discord_world,
    embed_text,
)
from tests.integration.helpers import tickets

BACKLOG = 3
PROBLEMS = ("vpn keeps dropping", "printer on floor 3 is jammed", "outlook will not start", "monitor flickers",
            "laptop fan is very loud", "teams has no sound")


@pytest.fixture
async def stormy(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, storm_backlog=BACKLOG) as made:
        yield made


async def test_reports_beyond_the_backlog_go_on_one_storm_card_and_each_reporter_gets_a_reaction(
    stormy: DiscordWorld,
) -> None:
    sent = [await stormy.report(text, count=n + 1) for n, text in enumerate(PROBLEMS)]
    await stormy.deliver()

    keys = [t["key"] for t in tickets(stormy.desk)]
    early, late = keys[:BACKLOG], keys[BACKLOG:]
    cards = [m for m in stormy.srv.messages_in(TRIAGE)]
    # The storm card goes ahead of the triage cards still waiting for the channel's pace.
    assert [embed_text(c).split(" ·")[0] for c in cards if not embed_text(c).startswith("Storm:")] == early
    [storm] = [c for c in cards if embed_text(c).startswith("Storm:")]  # edited in place, never posted twice
    shown = embed_text(storm)
    assert shown.startswith(f"Storm: {len(late)} reports")
    assert all(key in shown for key in late) and not any(f"{key} " in shown for key in early)
    assert len(cards) == BACKLOG + 1

    def reactions(message: dict[str, object]) -> list[str]:
        kept = stormy.srv.world.messages[int(str(message["id"]))]
        return [r["emoji"]["name"] for r in kept.get("reactions", [])]

    assert [reactions(m) for m in sent] == [[]] * BACKLOG + [[RECEIVED]] * len(late)
    assert all(int(m["channel_id"]) == HELPDESK for m in sent)
    stormy.srv.assert_calls_match_spec()
