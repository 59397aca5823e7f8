"""The "Plan a change" form: its fields, its answers as those of the core's `change new` (typed, never a
line), and `/plan-change` end to end through the real client against the stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.discord.change_form import (
    CHANGE_FORM_ID,
    PLAN_TEMPLATE,
    ChangeForm,
    FormError,
    change_answers,
    read_plan,
    read_window,
)
from adapters.discord.components import form_values
from core.storage.itsm_models import ChangeRow
from tests.adapters.discord.conftest import HELPDESK, DiscordWorld, eventually
from tests.integration.helpers import tickets
from tests.standins.discord_payloads import AGENT, GUILD_ID, modal_submit_interaction, slash_command_interaction

EPHEMERAL = 1 << 6
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
ANSWERS = {"title": "Upgrade the Wi-Fi controllers", "service": "wifi", "window": "2026-11-28 22:00 - 23:00",
           "risk": "high", "plan": "Plan: upgrade both controllers, one at a time\nRollback: reinstall 8.10"}


def test_a_filled_form_becomes_the_typed_answers_of_change_new() -> None:
    assert change_answers(ANSWERS) == {
        "title": "Upgrade the Wi-Fi controllers", "service": "wifi",
        "start": datetime(2026, 11, 28, 22, 0, tzinfo=UTC), "end": datetime(2026, 11, 28, 23, 0, tzinfo=UTC),
        "risk": "high", "plan": "upgrade both controllers, one at a time", "rollback": "reinstall 8.10"}


def test_quotes_and_lines_in_answers_reach_the_core_exactly_as_written() -> None:
    answers = ANSWERS | {"title": 'Swap the "core" switch',
                         "plan": "Plan: drain 'A' and \"B\"\nthen swap it\nRollback: put the old one back"}
    found = change_answers(answers)
    assert found["title"] == 'Swap the "core" switch'
    assert found["plan"] == "drain 'A' and \"B\"\nthen swap it" and found["rollback"] == "put the old one back"


def test_risk_left_out_is_medium() -> None:
    assert change_answers({k: v for k, v in ANSWERS.items() if k != "risk"})["risk"] == "medium"


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-11-28 22:00 - 23:00", "2026-11-28T22:00", "2026-11-28T23:00"),
    ("2026-11-28 23:30 - 0:30", "2026-11-28T23:30", "2026-11-29T00:30"),
    ("2026-11-28T22:00 to 2026-11-29T01:00", "2026-11-28T22:00", "2026-11-29T01:00"),
    ("2026-11-28 22:00 UTC \u2013 23:00 UTC", "2026-11-28T22:00", "2026-11-28T23:00"),
    ("2026-11-28T22:00+01:00 - 2026-11-28T23:00+01:00", "2026-11-28T21:00", "2026-11-28T22:00"),
])
def test_a_window_is_read_in_utc_unless_it_names_an_offset(text: str, start: str, end: str) -> None:
    begins, ends = read_window(text)
    assert (begins, ends) == (datetime.fromisoformat(start).replace(tzinfo=UTC),
                              datetime.fromisoformat(end).replace(tzinfo=UTC))


@pytest.mark.parametrize("text", ["tomorrow night", "2026-11-28 22:00", "", "2026-11-28 22:00 - soon",
                                  "2026-11-28 23:00 to 2026-11-28 22:00"])
def test_a_window_that_cannot_be_read_says_in_one_line_how_to_write_it(text: str) -> None:
    with pytest.raises(FormError) as refused:
        change_answers(ANSWERS | {"window": text})
    assert "2026-11-28 22:00 - 23:00" in str(refused.value) and "\n" not in str(refused.value)
    assert "Nothing was requested" in str(refused.value)


@pytest.mark.parametrize(("text", "plan", "rollback"), [
    ("Plan: upgrade\nRollback: reinstall", "upgrade", "reinstall"),
    ("Plan: upgrade / Rollback: reinstall", "upgrade", "reinstall"),
    ("upgrade\nrollback: reinstall", "upgrade", "reinstall"),
])
def test_plan_and_rollback_are_read_from_their_shared_field(text: str, plan: str, rollback: str) -> None:
    assert read_plan(text) == (plan, rollback)


@pytest.mark.parametrize(("text", "asked"), [(PLAN_TEMPLATE, "after Plan:"), ("Plan: upgrade", "after Rollback:"),
                                             ("Plan: upgrade\nRollback:  ", "after Rollback:")])
def test_a_missing_plan_or_rollback_is_asked_for(text: str, asked: str) -> None:
    with pytest.raises(FormError, match=asked):
        change_answers(ANSWERS | {"plan": text})


def test_a_form_without_title_or_service_is_refused() -> None:
    with pytest.raises(FormError, match="what will change"):
        change_answers(ANSWERS | {"title": " "})
    with pytest.raises(FormError, match="/desk services"):
        change_answers(ANSWERS | {"service": ""})


def test_the_form_has_five_fields_risk_defaulting_to_medium_and_services_to_choose_from() -> None:
    form = ChangeForm(services=[("wifi", "Wi-Fi"), ("email", "e-mail")], now=NOW).to_dict()
    assert form["custom_id"] == CHANGE_FORM_ID and form["title"] == "Plan a change"
    fields = {c["component"]["custom_id"]: c["component"] for c in form["components"]}
    assert list(fields) == ["title", "service", "window", "risk", "plan"]
    assert [(o["value"], o["label"]) for o in fields["service"]["options"]] == [("wifi", "Wi-Fi"), ("email", "e-mail")]
    assert [o["value"] for o in fields["risk"]["options"] if o["default"]] == ["medium"]
    assert fields["window"]["placeholder"] == "2026-11-28 22:00 - 23:00"
    assert fields["plan"]["value"] == PLAN_TEMPLATE


def test_a_catalog_too_long_for_a_drop_down_is_typed() -> None:
    services = [(f"service{n}", f"Service {n}") for n in range(26)]
    form = ChangeForm(services=services, now=NOW).to_dict()
    service = form["components"][1]["component"]
    assert service["type"] == 4 and service["custom_id"] == "service"


def test_answers_are_read_from_labels_and_action_rows_alike() -> None:
    submitted = modal_submit_interaction(custom_id=CHANGE_FORM_ID, values={"title": "t", "window": "w"},
                                         choices={"service": ["wifi"], "risk": ["low"]})
    assert form_values(submitted["data"]) == {"title": "t", "window": "w", "service": "wifi", "risk": "low"}
    rows = modal_submit_interaction(custom_id=CHANGE_FORM_ID, values={"title": "t"})
    assert form_values(rows["data"]) == {"title": "t"}


# -- end to end: the real client, the stand-in, the database ----------------------------------------------------


def _window(days: int = 1) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date().isoformat()
    return f"{day} 22:00 - 23:00"


async def _open_form(world: DiscordWorld) -> dict[str, Any]:
    command_id = next(int(c["id"]) for c in world.srv.world.guild_commands[GUILD_ID] if c["name"] == "plan-change")
    payload = slash_command_interaction(command="plan-change", subcommand=None, user=AGENT, command_id=command_id,
                                        command_guild_id=GUILD_ID, channel_id=HELPDESK)
    await world.srv.send_interaction(payload)
    return await eventually(lambda: next((c for c in world.srv.interaction_callbacks
                                          if c.interaction_id == int(payload["id"])), None), what="the form")


async def _send_form(world: DiscordWorld, *, window: str) -> dict[str, Any]:
    payload = modal_submit_interaction(
        custom_id=CHANGE_FORM_ID, user=AGENT, channel_id=HELPDESK, choices={"service": ["wifi"], "risk": ["high"]},
        values={"title": "Upgrade the Wi-Fi controllers", "window": window,
                "plan": "Plan: upgrade both controllers\nRollback: reinstall 8.10 from the backup"})
    await world.srv.send_interaction(payload)
    return payload


async def test_plan_change_opens_a_form_whose_answers_request_a_change(world: DiscordWorld) -> None:
    form = await _open_form(world)
    assert form.type == 9 and form.data is not None  # MODAL, the interaction's only answer
    assert form.data["custom_id"] == CHANGE_FORM_ID and len(form.data["components"]) == 5
    answer = await world.answer_to(await _send_form(world, window=_window()))
    assert answer["content"] == "CHG-1 is scheduled (no approvers are configured)."
    assert answer["flags"] & EPHEMERAL
    [ticket] = tickets(world.desk)
    assert (ticket["key"], ticket["kind"], ticket["title"]) == ("CHG-1", "change", "Upgrade the Wi-Fi controllers")
    [change] = world.desk.db.run(lambda s: [(c.service, c.risk, c.plan, c.rollback, c.start_at.strftime("%H:%M"))
                                            for c in s.scalars(select(ChangeRow))])
    assert change == ("wifi", "high", "upgrade both controllers", "reinstall 8.10 from the backup", "22:00")
    world.srv.assert_calls_match_spec()


async def test_a_form_sent_after_a_restart_still_works_and_an_unreadable_window_changes_nothing(
        world: DiscordWorld) -> None:
    await _open_form(world)
    await world.restart()
    refused = await world.answer_to(await _send_form(world, window="tomorrow night"))
    assert refused["content"].startswith("'tomorrow night' is not a window: write the window in UTC")
    assert refused["flags"] & EPHEMERAL and tickets(world.desk) == []
    answer = await world.answer_to(await _send_form(world, window=_window(days=2)))
    assert answer["content"].startswith("CHG-1 ")
    world.srv.assert_calls_match_spec()
