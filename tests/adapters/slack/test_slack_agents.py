"""Agents and requesters working a ticket in Slack: buttons, /desk, modals, App Home, failures."""

from __future__ import annotations

import asyncio
import json

from core.outbox import listing
from tests.adapters.slack.conftest import DANA, HELP, SAM, TRIAGE, SlackWorld, block_text, button_values
from tests.adapters.slack.test_slack_intake import report
from tests.integration.helpers import tickets
from tests.standins.slack_requests import (
    block_actions_body,
    event_body,
    global_shortcut_body,
    slash_command_body,
    view_submission_body,
)


def press(world: SlackWorld, *, user: str, value: str, channel: str = TRIAGE, message_ts: str = "1.1") -> bytes:
    return block_actions_body(user_id=user, action_id="desk:0", value=value, channel_id=channel,
                              message_ts=message_ts, response_url=world.slack.new_response_url(), trigger_id="13.1.1")


def desk(world: SlackWorld, text: str, *, user: str = SAM) -> bytes:
    return slash_command_body(text=text, user_id=user, channel_id=HELP, response_url=world.slack.new_response_url(),
                              trigger_id=f"trig-{text}-{user}")


async def test_claim_button_edits_the_card_and_tells_the_requester(world: SlackWorld) -> None:
    ts = await report(world)
    await world.deliver()
    [card] = world.posted(TRIAGE)
    assert await world.post(press(world, user=SAM, value='{"c":"claim INC-1","p":""}')) == 200
    await world.eventually(lambda: tickets(world.desk)[0]["assignee"] == "Sam")
    await world.deliver()
    [update] = [c.args for c in world.slack.calls_to("chat.update")]
    assert update["channel"] == TRIAGE
    assert "Sam is on it" in block_text(update)
    told = [c["text"] for c in world.posted(HELP, thread=ts)]
    assert "Sam from IT is working on this." in told
    await world.eventually(lambda: world.slack.webhook_posts, what="the ephemeral answer")
    assert world.slack.webhook_posts[0].body["text"] == "You have INC-1."
    assert world.slack.webhook_posts[0].body["response_type"] == "ephemeral"
    world.slack.assert_calls_match_spec()


async def test_desk_resolve_asks_is_it_fixed_and_no_reopens_with_the_reason(world: SlackWorld) -> None:
    ts = await report(world)
    assert await world.post(desk(world, "resolve INC-1 restarted the VPN gateway")) == 200
    await world.eventually(lambda: tickets(world.desk)[0]["status"] == "resolved")
    await world.deliver()
    [question] = [c for c in world.posted(HELP, thread=ts) if "Is it fixed?" in c["text"]]
    no_button = next(v for v in button_values(question) if "reject" in v)
    assert await world.post(press(world, user=DANA, value=no_button, channel=HELP)) == 200
    [opened] = await world.slack.wait_for_calls("views.open")
    view = json.loads(opened.args["view"]) if isinstance(opened.args["view"], str) else opened.args["view"]
    assert view["callback_id"] == "desk_prompt"
    [block] = view["blocks"]  # what `reject INC-1` still needs, its prompt as the question
    assert (block["block_id"], block["label"]["text"], block["optional"]) == ("reason", "What is still wrong?", True)
    submission = view_submission_body(
        user_id=DANA, callback_id="desk_prompt", private_metadata=view["private_metadata"],
        values={"reason": {"value": {"type": "plain_text_input", "value": "still drops every hour"}}})
    assert await world.post(submission) == 200
    await world.eventually(lambda: tickets(world.desk)[0]["status"] == "in_progress")  # back with its resolver
    world.slack.assert_calls_match_spec()


async def test_a_requester_pressing_claim_is_refused_privately_and_nothing_changes(world: SlackWorld) -> None:
    await report(world)
    await world.post(press(world, user=DANA, value='{"c":"claim INC-1","p":""}'))
    await world.eventually(lambda: world.slack.webhook_posts)
    assert world.slack.webhook_posts[0].body["text"].startswith("Only IT agents can use `/desk claim`")
    assert tickets(world.desk)[0]["assignee"] is None


async def test_unknown_verb_and_unknown_key_answer_privately(world: SlackWorld) -> None:
    await world.post(desk(world, "calim INC-1"))
    await world.post(desk(world, "show INC-999"))
    await world.eventually(lambda: len(world.slack.webhook_posts) == 2)
    texts = sorted(p.body["text"] for p in world.slack.webhook_posts)
    assert texts == ["No ticket INC-999. `/desk mine` lists yours.",
                     "Unknown command 'calim'. Did you mean `/desk claim`? `/desk help` lists them all."]


async def test_a_429_is_obeyed_and_the_message_is_delivered_once_after_the_wait(world: SlackWorld) -> None:
    await report(world)
    world.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    await world.dispatcher.deliver_due()
    first = world.slack.calls_to("chat.postMessage")
    assert [c.status for c in first] == [429, 200]
    await asyncio.sleep(1.1)
    await world.dispatcher.deliver_due()
    calls = world.slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200, 200]
    assert calls[2].args["text"] == calls[0].args["text"]
    assert calls[2].monotonic - calls[0].monotonic >= 1.0


async def test_slack_errors_are_dead_lettered_with_the_reason_and_spoc_keeps_running(world: SlackWorld) -> None:
    await report(world)
    world.slack.fail_next("chat.postMessage", error="not_in_channel", times=2)
    await world.deliver()
    dead = world.desk.db.run(lambda s: [(r.ticket_key, r.last_error) for r in listing(s, failed_only=True)])
    assert dead and all(reason.startswith("spoc is not a member of channel ") and "(not_in_channel)" in reason
                        and reason.endswith("type /invite @spoc in that channel.") for _key, reason in dead)
    await report(world, "my monitor flickers", user="UKIM")
    await world.eventually(lambda: len(tickets(world.desk)) == 2)
    await world.deliver()
    assert any(c["text"].startswith("INC-2") for c in world.posted(TRIAGE) + world.posted(HELP))


async def test_an_unreachable_thread_falls_back_to_a_direct_message(world: SlackWorld) -> None:
    await report(world)
    world.slack.fail_next("chat.postMessage", error="thread_not_found")
    await world.deliver()
    opened = [c.args["users"] for c in world.slack.calls_to("conversations.open")]
    assert opened == [DANA]
    assert any(c["text"].startswith("INC-1 opened") and c["channel"].startswith("D") for c in world.posted())


async def test_app_home_shows_an_agent_their_work_and_the_queue(world: SlackWorld) -> None:
    await report(world)
    home = {"type": "app_home_opened", "user": SAM, "channel": "DSAM", "tab": "home", "event_ts": "1.2"}
    await world.post(event_body(home))
    [published] = await world.slack.wait_for_calls("views.publish")
    shown = json.dumps(published.args["view"])
    assert "Assigned to you" in shown and "Unclaimed queue" in shown and "INC-1" in shown
    world.slack.assert_calls_match_spec()


async def test_global_shortcut_opens_a_form_whose_submission_opens_the_ticket(world: SlackWorld) -> None:
    await world.post(global_shortcut_body(user_id=DANA, callback_id="new_request", trigger_id="55.1"))
    [opened] = await world.slack.wait_for_calls("views.open")
    submission = view_submission_body(user_id=DANA, callback_id="new_request", values={
        "description": {"value": {"type": "plain_text_input", "value": "Please install Visio"}},
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "request"}}},
        "category": {"value": {"type": "static_select", "selected_option": {"value": "software"}}},
        "impact": {"value": {"type": "static_select", "selected_option": None}},
        "urgency": {"value": {"type": "static_select", "selected_option": {"value": "2"}}},
    })
    await world.post(submission)
    [ticket] = await world.eventually(lambda: tickets(world.desk))
    assert (ticket["key"], ticket["category"], ticket["description"]) == ("REQ-1", "software", "Please install Visio")
    world.slack.assert_calls_match_spec()


async def test_the_ticket_reaction_turns_someones_message_into_their_ticket(world: SlackWorld) -> None:
    from tests.standins.slack_requests import message_shortcut_body, reaction_added_event

    world.slack.add_message(channel="CRANDOM", ts="1700000000.000100", user=DANA, text="the projector in B2 is dead")
    await world.post(event_body(reaction_added_event(user=SAM, reaction="ticket", channel="CRANDOM",
                                                     ts="1700000000.000100", item_user=DANA)))
    [ticket] = await world.eventually(lambda: tickets(world.desk))
    assert ticket["description"] == "the projector in B2 is dead"
    # The same message again, now through the "Open a ticket" shortcut: still one ticket.
    await world.post(message_shortcut_body(user_id=SAM, callback_id="open_ticket", channel_id="CRANDOM",
                                           message_ts="1700000000.000100", message_text="the projector in B2 is dead",
                                           message_user=DANA, response_url=world.slack.new_response_url(),
                                           trigger_id="77.1"))
    await asyncio.sleep(0.3)
    assert len(tickets(world.desk)) == 1
    world.slack.assert_calls_match_spec()


async def test_other_reactions_are_ignored(world: SlackWorld) -> None:
    from tests.standins.slack_requests import reaction_added_event

    world.slack.add_message(channel="CRANDOM", ts="1700000000.000200", user=DANA, text="lunch?")
    await world.post(event_body(reaction_added_event(user=SAM, reaction="thumbsup", channel="CRANDOM",
                                                     ts="1700000000.000200")))
    await asyncio.sleep(0.3)
    assert tickets(world.desk) == []
