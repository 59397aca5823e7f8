"""Agents on Discord follow the agents' role both ways: a member whose role is taken away is demoted by the
scheduled sync (which asks Discord afresh about every account the desk holds as an agent), with an audit row."""

from __future__ import annotations

from sqlalchemy import select

from core.storage.models import IdentityRow, PersonAuditRow, PersonRow
from tests.adapters.discord.conftest import DiscordWorld, embed_text, eventually
from tests.standins.discord_payloads import AGENT, AGENT_ROLE_ID, GUILD_ID


def role_of(world: DiscordWorld, user_id: int) -> str | None:
    return world.desk.db.run(lambda s: s.scalar(select(PersonRow.role).join(IdentityRow).where(
        IdentityRow.platform == "discord", IdentityRow.user_id == str(user_id))))


def take_role(world: DiscordWorld, user_id: int) -> None:
    world.srv.world.members[GUILD_ID][user_id]["roles"] = []


async def test_a_member_whose_agents_role_is_taken_away_is_demoted_within_one_sync(world: DiscordWorld) -> None:
    await world.answer_to(await world.slash("queue"))
    await eventually(lambda: role_of(world, AGENT.id) == "agent", what="the agent stored as one")
    [job] = world.adapter.jobs
    await job.run(world.desk)
    assert role_of(world, AGENT.id) == "agent"  # still holds the role: nothing changes
    take_role(world, AGENT.id)
    await job.run(world.desk)
    assert role_of(world, AGENT.id) == "requester"
    audit = world.desk.db.run(lambda s: [(a.old, a.new, a.source) for a in s.scalars(
        select(PersonAuditRow).where(PersonAuditRow.action == "role").order_by(PersonAuditRow.id))])
    assert audit == [("requester", "agent", "discord agents' group or role"),
                     ("agent", "requester", "discord agents' group or role")]
    world.srv.world.members[GUILD_ID][AGENT.id]["roles"] = [str(AGENT_ROLE_ID)]
    await world.answer_to(await world.slash("mine"))  # the interaction carries the member's roles as they are
    assert role_of(world, AGENT.id) == "agent"
    world.srv.assert_calls_match_spec()


async def test_a_masked_link_from_a_requester_reaches_the_triage_card_as_plain_text(world: DiscordWorld) -> None:
    await world.report("login fails, try [https://sso.example.com](https://evil.example/login)\n# URGENT @everyone")
    await world.deliver()
    shown = embed_text(world.card())
    assert r"\[https://sso.example.com\](https://evil.example/login)" in shown
    assert "\n# URGENT" not in shown and "@\u200beveryone" in shown
    world.srv.assert_calls_match_spec()
