"""One desk, two platforms (story 5): Kim reports on Discord, Sam works the ticket from Slack.

Both real clients run against their stand-ins: the discord.py adapter, and the slack-bolt app receiving
signed `/desk` requests, with the outbox delivered through both messengers by the real dispatcher.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import SlackAdapter
from adapters.slack.settings import SlackSettings
from core.delivery import Destination
from core.settings import DeskSettings, Person
from core.storage.database import Database
from tests.adapters.discord.conftest import (
    TRIAGE,
    DiscordWorld,
    custom_ids,
    desk_for,
    discord_settings,
    embed_text,
    eventually,
    fast_dispatcher,
    require_discord_data,
    start_adapter,
)
from tests.integration.helpers import tickets
from tests.standins.discord_payloads import EMPLOYEE
from tests.standins.discord_standin import DiscordStandIn
from tests.standins.slack_api import SlackApiStandIn, slack_spec_path
from tests.standins.slack_requests import payloads_available, signed_headers, slash_command_body

SECRET = "test-signing-secret"
SLACK_TRIAGE, SAM, KIM_ON_SLACK = "CTRIAGE", "USAM", "UKIM"


@dataclass
class TwoPlatforms:
    discord: DiscordWorld
    slack: SlackApiStandIn
    slack_adapter: SlackAdapter

    async def slack_desk(self, text: str, *, user: str = SAM) -> str:
        """`/desk <text>` typed in Slack; returns the private answer Slack was sent."""
        before = len(self.slack.webhook_posts)
        body = slash_command_body(text=text, user_id=user, channel_id=SLACK_TRIAGE,
                                  response_url=self.slack.new_response_url(),
                                  trigger_id=f"trigger-{before}-{user}")
        response = await asyncio.wait_for(self.slack_adapter.bolt.async_dispatch(AsyncBoltRequest(
            body=body.decode(), headers=signed_headers(body, secret=SECRET))), 10)
        assert response.status == 200
        await eventually(lambda: len(self.slack.webhook_posts) > before, what="Slack's answer")
        return str(self.slack.webhook_posts[before].body["text"])


@pytest.fixture
async def both(sqlite_url: str) -> AsyncIterator[TwoPlatforms]:
    require_discord_data()
    if not payloads_available() or not slack_spec_path().exists():
        pytest.skip("the Slack payload samples or Slack's OpenAPI spec are not in ../shared/data")
    async with DiscordStandIn() as srv, SlackApiStandIn() as slack:
        slack.set_user(SAM, name="sam", display_name="Sam", email="sam@example.com")
        slack.set_user(KIM_ON_SLACK, name="kim", display_name="Kim", email="kim@example.com")
        db = Database(sqlite_url)
        people = (Person(name="Sam", email="sam@example.com", role="agent", ids={"slack": SAM}),)
        desk = desk_for(db, platforms=("slack", "discord"), settings=DeskSettings(people=people),
                        triage=(Destination("slack", SLACK_TRIAGE), Destination("discord", str(TRIAGE))))
        dispatcher = fast_dispatcher(db)
        slack_adapter = SlackAdapter(desk=desk, poke=dispatcher.poke, settings=SlackSettings(
            bot_token="xoxb-test", signing_secret=SECRET, mode="http", api_url=slack.url,
            triage_channel=SLACK_TRIAGE, per_channel_interval_seconds=0))
        settings = discord_settings(srv)
        running = await start_adapter(srv, desk=desk, settings=settings, poke=dispatcher.poke)
        dispatcher.messengers.update({"slack": slack_adapter.messenger, "discord": running.adapter.messenger})
        world = DiscordWorld(srv=srv, desk=desk, dispatcher=dispatcher, running=running, settings=settings)
        try:
            yield TwoPlatforms(discord=world, slack=slack, slack_adapter=slack_adapter)
        finally:
            await world.running.close()
            db.dispose()


async def test_a_discord_ticket_worked_from_slack_keeps_the_discord_requester_told(
        both: TwoPlatforms) -> None:
    discord = both.discord
    await discord.report("outlook cannot connect since this morning")
    await discord.deliver()
    posted = [c.args for c in both.slack.calls_to("chat.postMessage")]
    [slack_card] = [args for args in posted if args["channel"] == SLACK_TRIAGE]
    assert slack_card["text"].startswith("INC-1 \u00b7 outlook cannot connect")
    assert discord.card()["embeds"][0]["title"].startswith("INC-1 \u00b7 outlook cannot connect")

    assert await both.slack_desk("claim INC-1") == "You have INC-1."
    await discord.deliver()
    assert discord.thread_messages()[-1]["content"] == "Sam from IT is working on this."
    assert "Sam is on it" in embed_text(discord.card())  # the Discord agents see it too
    [slack_update] = [c.args for c in both.slack.calls_to("chat.update")]
    assert slack_update["channel"] == SLACK_TRIAGE

    assert await both.slack_desk("resolve INC-1 reset the mail profile") == \
        "INC-1 resolved; the requester is asked to confirm."
    await discord.deliver()
    question = discord.thread_messages()[-1]
    assert question["embeds"][0]["title"] == "INC-1 is resolved. Is it fixed?"
    assert "desk:confirm INC-1" in custom_ids(question)

    answer = await discord.answer_to(await discord.press(question, "desk:confirm INC-1", user=EMPLOYEE))
    assert answer["content"] == "Thanks! INC-1 is closed."
    await discord.deliver()
    assert tickets(discord.desk)[0]["status"] == "closed"
    assert any("confirmed the fix" in c.args.get("text", "") for c in both.slack.calls_to("chat.postMessage"))
    discord.srv.assert_calls_match_spec()
    both.slack.assert_calls_match_spec()


async def test_link_joins_a_discord_and_a_slack_account_and_the_tickets_follow(both: TwoPlatforms) -> None:
    discord = both.discord
    await discord.report("my headset crackles in every call")
    answer = await discord.answer_to(await discord.slash("link", user=EMPLOYEE))
    found = re.search(r"`/desk link ([A-Z0-9]{4}-[A-Z0-9]{4})`", answer["content"])
    assert found is not None
    code = found.group(1)
    assert (await both.slack_desk(f"link {code}", user=KIM_ON_SLACK)).startswith("Linked:")
    mine = both.slack.webhook_posts[-1]
    assert await both.slack_desk("mine", user=KIM_ON_SLACK) == "Your open tickets (1)"
    listed = json.dumps(both.slack.webhook_posts[-1].body)
    assert "INC-1" in listed and "headset" in listed
    assert mine.body["response_type"] == "ephemeral"
    assert (await both.slack_desk(f"link {code}", user=KIM_ON_SLACK)).startswith("That code is unknown")
