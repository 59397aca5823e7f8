"""Ordering from Discord: `/desk order ITEM` answers with the item's form as a modal (the real discord.py client
against the stand-in); an item of more than five questions is asked in two parts, the first part's answers kept
by the desk until the second is sent."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.catalog_loading import with_catalog
from core.settings import DeskSettings, Person
from core.storage.catalog_models import OrderRow
from tests.adapters.discord.conftest import HELPDESK, DiscordWorld, eventually
from tests.standins.discord_payloads import AGENT, EMPLOYEE, button_interaction, modal_submit_interaction

EPHEMERAL = 1 << 6


@pytest.fixture
def discord_desk_settings() -> DeskSettings:
    people = (Person(name="Bob", email="bob@example.com", role="agent", ids={"discord": str(AGENT.id)}),
              Person(name="Alice", email="alice@example.com", ids={"discord": str(EMPLOYEE.id)}, manager="Bob"))
    settings, problems = with_catalog(DeskSettings(people=people))
    assert problems == []
    return settings


@pytest.fixture
def shop(world: DiscordWorld) -> DiscordWorld:
    return world


async def _modal_for(world: DiscordWorld, payload: dict[str, Any]) -> Any:
    return await eventually(lambda: next((c for c in world.srv.interaction_callbacks
                                          if c.interaction_id == int(payload["id"]) and c.type == 9), None),
                            what="the form")


def _fields(modal: Any) -> list[str]:
    return [c["component"]["custom_id"] for c in modal.data["components"]]


def _orders(world: DiscordWorld) -> list[OrderRow]:
    return world.desk.db.run(lambda s: list(s.scalars(select(OrderRow))))


async def test_desk_order_answers_with_the_items_form_and_its_answers_place_the_order(shop: DiscordWorld) -> None:
    asked = await shop.slash("order", options={"text": "shared-drive-access"}, user=EMPLOYEE)
    modal = await _modal_for(shop, asked)
    assert modal.data["custom_id"] == "deskm:order shared-drive-access"
    assert _fields(modal) == ["share", "access", "reason"]
    sent = modal_submit_interaction(custom_id=modal.data["custom_id"], user=EMPLOYEE, channel_id=HELPDESK,
                                    values={"share": "\\\\files\\finance @everyone", "reason": "audit"},
                                    choices={"access": ["read"]})
    await shop.srv.send_interaction(sent)
    answer = await shop.answer_to(sent)
    assert answer["content"].startswith("REQ-1 ordered: Access to a shared drive.")
    assert answer["flags"] & EPHEMERAL
    [order] = _orders(shop)
    assert order.answers == {"share": "\\\\files\\finance @everyone", "access": "read", "reason": "audit"}
    shop.srv.assert_calls_match_spec()


async def test_a_form_of_six_questions_is_asked_in_two_parts(shop: DiscordWorld) -> None:
    asked = await shop.slash("order", options={"text": "new-hire"}, user=EMPLOYEE)
    first = await _modal_for(shop, asked)
    assert first.data["custom_id"] == "deskp:order new-hire"
    assert first.data["title"] == "new-hire (1 of 2)"
    assert _fields(first) == ["full_name", "start_date", "department", "laptop", "manager"]
    bad = modal_submit_interaction(custom_id="deskp:order new-hire", user=EMPLOYEE, channel_id=HELPDESK,
                                   values={"full_name": "Jo Park", "start_date": "2020-01-01", "department": "Fin",
                                           "manager": "bob@example.com"}, choices={"laptop": ["MacBook Air"]})
    await shop.srv.send_interaction(bad)
    refused = await shop.answer_to(bad)
    assert "is in the past" in refused["content"] and "Nothing was sent" in refused["content"]
    good = modal_submit_interaction(custom_id="deskp:order new-hire", user=EMPLOYEE, channel_id=HELPDESK,
                                    values={"full_name": "Jo Park", "start_date": "2030-03-16", "department": "Fin",
                                            "manager": "bob@example.com"}, choices={"laptop": ["MacBook Air"]})
    await shop.srv.send_interaction(good)
    step = await shop.answer_to(good)
    [row] = step["components"]
    [button] = row["components"]
    assert button["custom_id"].startswith("desk:deskn:")
    assert _orders(shop) == []

    stranger = button_interaction(custom_id=button["custom_id"], message=step, user=AGENT, channel_id=HELPDESK)
    await shop.srv.send_interaction(stranger)
    assert "expired" in (await shop.answer_to(stranger))["content"]  # another person cannot go on with it

    pressed = button_interaction(custom_id=button["custom_id"], message=step, user=EMPLOYEE, channel_id=HELPDESK)
    await shop.srv.send_interaction(pressed)
    second = await _modal_for(shop, pressed)
    assert _fields(second) == ["notes"]
    last = modal_submit_interaction(custom_id=second.data["custom_id"], user=EMPLOYEE, channel_id=HELPDESK,
                                    values={"notes": "needs a standing desk"}, labels=True)
    await shop.srv.send_interaction(last)
    done = await shop.answer_to(last)
    assert done["content"].startswith("REQ-1 ordered: A new hire (onboarding).")
    [order] = _orders(shop)
    assert order.answers["full_name"] == "Jo Park" and order.answers["notes"] == "needs a standing desk"
    assert order.answers["start_date"] == "2030-03-16"
    shop.srv.assert_calls_match_spec()
