"""Ordering from Slack: `/desk order ITEM` opens the item's form as a modal (the real slack-bolt app against the
Slack stand-in), and its answers place the order, each by its field's name."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.catalog_loading import with_catalog
from core.settings import DeskSettings, Person
from core.storage.catalog_models import OrderRow
from tests.adapters.slack.conftest import DANA, HELP, SAM, SlackWorld
from tests.standins.slack_requests import slash_command_body, view_submission_body


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
