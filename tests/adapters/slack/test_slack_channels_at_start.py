"""At start the Slack adapter says which configured channel spoc cannot post in (rather than dead-letter
there at the worst moment), in one line each with the fix."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.slack.conftest import HELP, TRIAGE, SlackWorld


async def test_channels_the_bot_is_not_in_are_named_at_start_with_the_fix(
        world: SlackWorld, caplog: pytest.LogCaptureFixture) -> None:
    world.slack.set_channel(TRIAGE, member=False, name="it-triage")
    world.slack.set_channel(HELP, exists=False)
    with caplog.at_level(logging.WARNING, logger="adapters.slack.app"):
        await world.adapter.warn_about_channels()
    assert [r.getMessage() for r in caplog.records] == [
        f"Slack has no channel {HELP} that spoc can see (channel_not_found): check the id (channel details -> About "
        "-> Channel ID); for a private channel, type /invite @spoc in it first.",
        "spoc is not a member of channel #it-triage (not_in_channel): type /invite @spoc in that channel.",
    ]
    assert {c.args["channel"] for c in world.slack.calls_to("conversations.info")} == {HELP, TRIAGE}


async def test_channels_the_bot_is_in_say_nothing(world: SlackWorld, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="adapters.slack.app"):
        await world.adapter.warn_about_channels()
    assert caplog.records == []
