"""Agents and requesters working a ticket in Discord: buttons, /desk, modals, autocomplete, answers."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import (
    CALLBACK,
    EDIT,
    FOLLOWUP,
    HELPDESK,
    TRIAGE,
    DiscordWorld,
    custom_ids,
    embed_text,
    eventually,
)
from tests.integration.helpers import tickets
from tests.standins.discord_payloads import (
    AGENT,
    EMPLOYEE,
    GUILD_ID,
    FakeUser,
    modal_submit_interaction,
    slash_command_interaction,
)

EPHEMERAL = 1 << 6


def callback_types(world: DiscordWorld, interaction: dict[str, object]) -> list[int]:
    wanted = int(str(interaction["id"]))
    return [c.type for c in world.srv.interaction_callbacks if c.interaction_id == wanted]


async def test_the_desk_commands_are_synced_to_the_guild_from_the_core_grammar(world: DiscordWorld) -> None:
    [desk] = [c for c in world.srv.world.guild_commands[GUILD_ID] if c["name"] == "desk"]
    options = {o["name"]: o for o in desk["options"]}
    assert {"claim", "resolve", "mine", "queue", "link", "kb"} <= set(options)
    assert len(options) <= 25
    assert [o["name"] for o in options["claim"]["options"]] == ["key"]
    assert options["claim"]["options"][0]["autocomplete"] is True
    resolve = {o["name"]: o for o in options["resolve"]["options"]}
    assert resolve["key"]["required"] is True and resolve["text"].get("required", False) is False
    assert options["kb"]["type"] == 2 and "search" in {o["name"] for o in options["kb"]["options"]}
    world.srv.assert_calls_match_spec()


async def test_claim_button_edits_the_card_and_tells_the_requester(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    card = world.card()
    press = await world.press(card, "desk:claim INC-1")
    answer = await world.answer_to(press)
    assert callback_types(world, press) == [5]  # deferred at once, answered after the core ran
    assert answer["content"] == "You have INC-1." and answer["flags"] & EPHEMERAL
    await world.deliver()
    [edit] = world.sent(EDIT, channel_id=TRIAGE)
    assert "Status: Bob is on it" in embed_text(edit)
    assert "desk:claim INC-1" not in custom_ids(world.card())
    assert world.thread_messages()[-1]["content"] == "Bob from IT is working on this."
    world.srv.assert_calls_match_spec()


async def test_a_requester_pressing_claim_is_refused_privately_and_nothing_changes(
        world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    answer = await world.answer_to(await world.press(world.card(), "desk:claim INC-1", user=EMPLOYEE))
    assert answer["content"].startswith("Only IT agents can use `/desk claim`")
    assert answer["flags"] & EPHEMERAL
    assert tickets(world.desk)[0]["assignee"] is None


async def test_desk_resolve_asks_is_it_fixed_in_the_requesters_thread(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    command = await world.slash("resolve", options={"key": "INC-1", "text": "restarted the VPN gateway"})
    answer = await world.answer_to(command)
    assert answer["content"] == "INC-1 resolved; the requester is asked to confirm."
    assert answer["flags"] & EPHEMERAL
    assert tickets(world.desk)[0]["status"] == "resolved"
    await world.deliver()
    question = world.thread_messages()[-1]
    assert question["embeds"][0]["title"] == "INC-1 is resolved. Is it fixed?"
    assert custom_ids(question) == ["desk:confirm INC-1", "desk?reject INC-1|What is still wrong?"]
    world.srv.assert_calls_match_spec()


async def test_a_button_with_a_prompt_opens_a_modal_whose_answer_runs_the_command(
        world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    [resolve] = [c for c in custom_ids(world.card()) if c.startswith("desk?resolve")]
    press = await world.press(world.card(), resolve)
    await eventually(lambda: callback_types(world, press), what="the modal")
    [modal] = [c for c in world.srv.interaction_callbacks if c.interaction_id == int(press["id"])]
    assert modal.type == 9 and modal.data is not None
    assert modal.data["custom_id"] == "deskm:resolve INC-1"
    assert modal.data["title"] == "Resolve"
    [field] = modal.data["components"]  # what `resolve INC-1` still needs, its prompt as the question
    assert (field["label"], field["component"]["custom_id"]) == ("How was it resolved?", "resolution")
    submit = await world.submit("deskm:resolve INC-1", {"resolution": "replaced the docking station"})
    answer = await world.answer_to(submit)
    assert answer["content"] == "INC-1 resolved; the requester is asked to confirm."
    assert tickets(world.desk)[0]["status"] == "resolved"
    world.srv.assert_calls_match_spec()


async def test_a_button_whose_command_lacks_two_things_asks_both_in_one_form(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    [escalate] = [c for c in custom_ids(world.card()) if c.startswith("desk?escalate")]
    press = await world.press(world.card(), escalate)
    await eventually(lambda: callback_types(world, press), what="the form")
    [modal] = [c for c in world.srv.interaction_callbacks if c.interaction_id == int(press["id"])]
    assert modal.type == 9 and modal.data is not None and modal.data["custom_id"] == "deskm:escalate INC-1"
    target, reason = (label["component"] for label in modal.data["components"])
    assert (target["type"], target["custom_id"], target["min_values"]) == (3, "target", 0)  # a choice, optional
    assert "network" in [o["value"] for o in target["options"]]
    assert (reason["type"], reason["custom_id"], reason["required"]) == (4, "reason", False)
    submit = modal_submit_interaction(custom_id="deskm:escalate INC-1", values={"reason": "the core switch is dead"},
                                      choices={"target": ["network"]}, user=AGENT, channel_id=TRIAGE)
    await world.srv.send_interaction(submit)
    assert (await world.answer_to(submit))["content"].startswith("INC-1 escalated to ")
    world.srv.assert_calls_match_spec()


async def test_the_requester_answers_is_it_fixed_with_no_and_a_reason(world: DiscordWorld) -> None:
    await world.report()
    await world.deliver()
    await world.answer_to(await world.slash("resolve", options={"key": "INC-1"}))
    await world.deliver()
    question = world.thread_messages()[-1]
    await world.press(question, "desk?reject INC-1|What is still wrong?", user=EMPLOYEE)
    submit = await world.submit("deskm:reject INC-1", {"reason": "still drops every hour"}, user=EMPLOYEE,
                                channel_id=int(question["channel_id"]))
    assert (await world.answer_to(submit))["content"] == "INC-1 is open again; IT has been told."
    assert tickets(world.desk)[0]["status"] == "in_progress"  # back with the agent who resolved it


@pytest.mark.parametrize(("user", "expected"), [(EMPLOYEE, ["INC-1"]), (AGENT, ["INC-2", "INC-1"])])
async def test_ticket_keys_autocomplete_with_open_tickets_the_person_may_see(
        world: DiscordWorld, user: FakeUser, expected: list[str]) -> None:
    await world.report()
    await world.report("the projector in room 4 flickers", author=AGENT, count=2)
    interaction = slash_command_interaction(subcommand="show", options={"key": "inc"}, user=user,
                                            command_id=world.command_id(), command_guild_id=GUILD_ID)
    interaction["type"] = 4
    interaction["data"]["options"][0]["options"][0]["focused"] = True
    await world.srv.send_interaction(interaction)
    await eventually(lambda: callback_types(world, interaction), what="the choices")
    [choices] = [c for c in world.srv.interaction_callbacks if c.interaction_id == int(interaction["id"])]
    assert choices.type == 8 and choices.data is not None
    assert [c["value"] for c in choices.data["choices"]] == expected
    assert choices.data["choices"][-1]["name"].startswith("INC-1 \u00b7 vpn keeps dropping")


async def test_when_the_interaction_can_no_longer_be_answered_the_answer_comes_by_direct_message(
        world: DiscordWorld) -> None:
    await world.report()
    world.srv.fail_next(FOLLOWUP, status=404, code=10015)  # the 15-minute token has expired
    command = await world.slash("claim", options={"key": "INC-1"})
    dm = AGENT.dm_channel_id
    assert dm is not None
    await eventually(lambda: world.srv.messages_in(dm), what="the direct message")
    assert world.srv.messages_in(dm)[0]["content"] == "You have INC-1."
    assert callback_types(world, command) == [5]


async def test_link_gives_a_private_one_time_code(world: DiscordWorld) -> None:
    answer = await world.answer_to(await world.slash("link", user=EMPLOYEE))
    assert answer["flags"] & EPHEMERAL
    assert answer["content"].startswith("Your link code is ")
    assert all(c.status < 300 for c in world.srv.calls_to(CALLBACK))


async def test_an_answer_is_never_shown_in_the_open_channel(world: DiscordWorld) -> None:
    await world.report()
    answer = await world.answer_to(await world.slash("mine", user=EMPLOYEE, channel_id=HELPDESK))
    assert answer["flags"] & EPHEMERAL
    assert "INC-1" in embed_text(answer)
