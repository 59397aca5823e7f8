"""Ordering from Slack: `/desk order ITEM` opens the item's form as a modal (the real slack-bolt app against the
Slack stand-in), and its answers place the order, each by its field's name."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.catalog_loading import with_catalog
from core.settings import DeskSettings, Person
from core.storage.catalog_models import OrderRow
from tests.adapters.slack.conftest import DANA, HELP, SAM, SlackWorld, button_values
from tests.adapters.slack.test_slack_intake import report
from tests.standins.slack_requests import block_actions_body, slash_command_body, view_submission_body


@pytest.fixture
def slack_desk_settings() -> DeskSettings:
    people = (Person(name="Sam", email="sam@example.com", role="agent", ids={"slack": SAM}),
              Person(name="Dana", email="dana@example.com", ids={"slack": DANA}, manager="Sam"))
    settings, problems = with_catalog(DeskSettings(people=people))
    assert problems == []
    return settings


def typed(value: str) -> dict[str, dict[str, str]]:
    return {"value": {"type": "plain_text_input", "value": value}}


def chosen(value: str) -> dict[str, dict[str, object]]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


async def _open(world: SlackWorld, text: str) -> dict[str, object]:
    await world.post(slash_command_body(text=text, user_id=DANA, channel_id=HELP, trigger_id="55.1",
                                        response_url=f"{world.slack.url}/respond/1"))
    [opened] = await world.slack.wait_for_calls("views.open")
    view = opened.args["view"]
    return json.loads(view) if isinstance(view, str) else view


async def test_desk_order_opens_the_items_form_and_its_answers_place_the_order(world: SlackWorld) -> None:
    view = await _open(world, "order shared-drive-access")
    assert [b["block_id"] for b in view["blocks"]] == ["share", "access", "reason"]  # type: ignore[index]
    assert view["blocks"][0]["label"]["text"] == "Which share or folder?"  # type: ignore[index]
    assert [o["value"] for o in view["blocks"][1]["element"]["options"]] == ["read", "read and write"]  # type: ignore[index]
    await world.post(view_submission_body(user_id=DANA, callback_id="desk_prompt", view_id="V55",
                                          private_metadata=view["private_metadata"],  # type: ignore[arg-type]
                                          values={"share": typed("\\\\files\\finance <!channel>"),
                                                  "access": chosen("read and write"),
                                                  "reason": typed("I audit the books")}))
    order = await world.eventually(lambda: world.desk.db.run(lambda s: s.scalar(select(OrderRow))), what="the order")
    assert order.answers == {"share": "\\\\files\\finance <!channel>", "access": "read and write",
                             "reason": "I audit the books"}
    await world.deliver()
    approver = [c.args for c in world.slack.calls_to("chat.postMessage") if "Approve REQ-1" in c.args.get("text", "")]
    assert approver, "Sam, Dana's manager, gets the approval card"
    assert "<!channel>" not in json.dumps([c.args for c in world.slack.calls_to("chat.postMessage")])


async def test_a_bad_answer_in_the_modal_is_answered_and_orders_nothing(world: SlackWorld) -> None:
    view = await _open(world, "order guest-wifi")
    await world.post(view_submission_body(user_id=DANA, callback_id="desk_prompt", view_id="V56",
                                          private_metadata=view["private_metadata"],  # type: ignore[arg-type]
                                          values={"guest": typed("Jo"), "day": {"value": {
                                              "type": "datepicker", "selected_date": "2020-01-01"}},
                                              "days": chosen("2")}))
    told = await world.eventually(lambda: [c.args for c in world.slack.calls_to("chat.postEphemeral")]
                                  + [c.args for c in world.slack.calls_to("chat.postMessage")
                                     if "past" in c.args.get("text", "")], what="the answer")
    assert "is in the past" in json.dumps(told)
    assert world.desk.db.run(lambda s: s.scalar(select(OrderRow))) is None


async def test_a_message_asking_for_an_item_gets_an_order_button_that_opens_its_form(world: SlackWorld) -> None:
    ts = await report(world, text="I need access to the finance share")
    await world.deliver()
    offers = [args for args in world.posted(HELP, thread=ts)
              if any('"order shared-drive-access"' in v for v in button_values(args))]
    assert len(offers) == 1
    [value] = [v for v in button_values(offers[0]) if "order shared-drive-access" in v]
    await world.post(block_actions_body(user_id=DANA, action_id="desk:0", value=value, channel_id=HELP,
                                        message_ts=ts, response_url=world.slack.new_response_url(),
                                        trigger_id="14.1"))
    [opened] = await world.slack.wait_for_calls("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"]] == ["share", "access", "reason"]
    assert view["blocks"][0]["label"]["text"] == "Which share or folder?"  # the item's own question
