"""A burst of reports in one Slack channel, faster than Slack's one message a second per channel: agents
see them on one storm card in the triage channel, and each reporter is acknowledged at once with an
ephemeral message under their report, which counts against no channel's pace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.slack.conftest import HELP, TRIAGE, SlackWorld, block_text, slack_stand_in, slack_world
from tests.integration.helpers import tickets
from tests.standins.slack_requests import event_body, message_event, new_ts

BACKLOG = 3
PROBLEMS = ("vpn keeps dropping", "printer on floor 3 is jammed", "outlook will not start", "monitor flickers",
            "laptop fan is very loud", "teams has no sound", "cannot open the finance share", "mouse stopped working")


@pytest.fixture
async def stormy(sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_stand_in() as slack, slack_world(slack, sqlite_url, storm_backlog=BACKLOG) as made:
        yield made


async def burst(world: SlackWorld) -> list[tuple[str, str]]:
    """Each problem reported by someone else, all before anything is delivered: (user, ts) of each."""
    sent = []
    for n, text in enumerate(PROBLEMS):
        user, ts = f"UREP{n}", new_ts()
        world.slack.set_user(user, name=f"reporter{n}", display_name=f"Reporter {n}")
        assert await world.post(event_body(message_event(channel=HELP, user=user, text=text, ts=ts))) == 200
        await world.eventually(lambda n=n: len(tickets(world.desk)) == n + 1, what=f"ticket {n + 1}")
        sent.append((user, ts))
    return sent


async def test_reports_beyond_the_backlog_go_on_one_storm_card_and_each_reporter_hears_at_once(
    stormy: SlackWorld,
) -> None:
    sent = await burst(stormy)
    await stormy.deliver()

    keys = [t["key"] for t in tickets(stormy.desk)]
    early, late = keys[:BACKLOG], keys[BACKLOG:]
    cards = stormy.posted(TRIAGE)
    # The storm card goes ahead of the triage cards still waiting for the channel's pace.
    assert [c["text"].split(" ·")[0] for c in cards if not c["text"].startswith("Storm:")] == early
    assert len(cards) == len(early) + 1
    [storm] = [c for c in cards if c["text"].startswith("Storm:")]  # posted once, then edited in place
    edits = [c.args for c in stormy.slack.calls_to("chat.update") if c.args.get("channel") == TRIAGE]
    newest = edits[-1] if edits else storm
    assert newest["text"].startswith(f"Storm: {len(late)} reports")
    assert all(key in block_text(newest) for key in late)
    assert not any(key in block_text(newest) for key in early)

    quiet = stormy.slack.calls_to("chat.postEphemeral")
    assert sorted((c.args["user"], c.args["thread_ts"]) for c in quiet) == sorted(sent[BACKLOG:])
    assert all(c.args["channel"] == HELP and "Got it: " in c.args["text"] for c in quiet)
    for _user, ts in sent:  # and the full answer still comes, in each reporter's thread
        [opened] = stormy.posted(HELP, thread=ts)
        assert " opened: " in opened["text"]
