"""Planning a change from Slack: the "Plan a change" shortcut opens the form of `/desk change new`, whose answers
go to it by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from core.storage.itsm_models import ChangeRow
from tests.adapters.slack.conftest import SAM, SlackWorld
from tests.integration.helpers import tickets
from tests.standins.slack_requests import global_shortcut_body, view_submission_body

START = datetime(2030, 3, 7, 22, 0, tzinfo=UTC)
ROLLBACK = "reinstall 'v8.10' from \"backup\" --risk low"  # both quotes, and a word like an option


def typed(value: str) -> dict[str, dict[str, str]]:
    return {"value": {"type": "plain_text_input", "value": value}}


def chosen(value: str) -> dict[str, dict[str, object]]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def when(at: datetime) -> dict[str, dict[str, object]]:
    return {"value": {"type": "datetimepicker", "selected_date_time": int(at.timestamp())}}


async def test_the_plan_a_change_form_submits_a_change_with_its_window_plan_and_rollback(world: SlackWorld) -> None:
    await world.post(global_shortcut_body(user_id=SAM, callback_id="new_change", trigger_id="77.1"))
    [opened] = await world.slack.wait_for_calls("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"]] == ["title", "service", "start", "end", "risk", "plan", "rollback"]
    assert {"text": {"type": "plain_text", "text": "Wi-Fi"}, "value": "wifi"} in view["blocks"][1]["element"]["options"]

    await world.post(view_submission_body(user_id=SAM, callback_id="new_change", view_id="V77", values={
        "title": typed("Upgrade the Wi-Fi controllers"), "service": chosen("wifi"),
        "start": when(START), "end": when(START.replace(hour=23)), "risk": chosen("medium"),
        "plan": typed('upgrade both controllers, "one at a time"'), "rollback": typed(ROLLBACK),
    }))
    [change] = await world.eventually(lambda: tickets(world.desk), what="the change")
    assert (change["key"], change["kind"], change["title"]) == ("CHG-1", "change", "Upgrade the Wi-Fi controllers")
    row = world.desk.db.run(lambda s: s.scalar(select(ChangeRow)))
    assert (row.service, row.start_at, row.end_at, row.risk) == ("wifi", START, START.replace(hour=23), "medium")
    # Each answer arrives as written, quotes, option-like words and all: nothing is quoted into a line.
    assert (row.plan, row.rollback) == ('upgrade both controllers, "one at a time"', ROLLBACK)
    answered = await world.eventually(lambda: [c for c in world.posted() if "CHG-1" in c.get("text", "")],
                                      what="the private answer")
    assert "CHG-1 is scheduled" in answered[0]["text"]
    world.slack.assert_calls_match_spec()
