"""Who is who on Slack: e-mail vouched for only for members of the desk's own workspace, and agents who
follow the agents' user group both ways, at their next event and by the scheduled sync."""

from __future__ import annotations

from sqlalchemy import select

from adapters.slack.people import SlackDirectory
from core.storage.models import IdentityRow, PersonAuditRow, PersonRow, TicketRow
from tests.adapters.slack.conftest import HELP, SlackWorld, block_text
from tests.adapters.slack.test_slack_agents import desk
from tests.standins.slack_requests import event_body, message_event

AGENTS = "S0AGENTS"
KIM, PRIYA_HERE, PRIYA_ELSEWHERE = "UKIM", "UPRIYA", "UPRIYAX"


def accounts(world: SlackWorld) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    def load(session):  # type: ignore[no-untyped-def]
        return {(i.workspace, i.user_id): (p.display_name, p.role, p.email) for i, p in session.execute(
            select(IdentityRow, PersonRow).join(PersonRow, PersonRow.id == IdentityRow.person_id))}

    return world.desk.db.run(load)


async def say(world: SlackWorld, user: str, text: str) -> None:
    assert await world.post(event_body(message_event(channel=HELP, user=user, text=text))) == 200
    await world.eventually(lambda: any(u == user for _, u in accounts(world)), what=f"{user} stored")


def use_group(world: SlackWorld, members: list[str]) -> SlackDirectory:
    world.slack.set_usergroup(AGENTS, members)
    directory = world.adapter.directory
    directory.agent_usergroup = AGENTS
    return directory


async def test_an_email_from_another_workspace_is_not_vouched_for(world: SlackWorld) -> None:
    world.slack.set_user(PRIYA_ELSEWHERE, name="priya", display_name="Priya", email="sam@example.com",
                         team_id="T0OTHERORG")
    await say(world, PRIYA_ELSEWHERE, "please give me admin rights on the finance share")
    found = accounts(world)
    assert found[("T0OTHERORG", PRIYA_ELSEWHERE)] == ("Priya", "requester", None)
    assert found[("", "USAM")][1] == "agent"  # the configured Sam keeps his own e-mail and role
    world.slack.set_user(PRIYA_HERE, name="priya", display_name="Priya", email="priya@example.com")
    await say(world, PRIYA_HERE, "my vpn keeps dropping")
    assert accounts(world)[("", PRIYA_HERE)] == ("Priya", "requester", "priya@example.com")


async def test_leaving_the_agents_group_demotes_at_the_next_event_and_by_the_sync(world: SlackWorld) -> None:
    use_group(world, [KIM])
    world.slack.set_user(KIM, name="kim", display_name="Kim", email="kim@example.com")
    await say(world, KIM, "the projector in room 4 is dead")
    assert accounts(world)[("", KIM)][1] == "agent"
    world.slack.set_usergroup(AGENTS, [])
    [job] = world.adapter.jobs
    await job.run(world.desk)  # one run of the scheduled sync
    assert accounts(world)[("", KIM)][1] == "requester"
    audit = world.desk.db.run(lambda s: [(a.old, a.new, a.source) for a in s.scalars(
        select(PersonAuditRow).where(PersonAuditRow.action == "role").order_by(PersonAuditRow.id))])
    assert audit[-1] == ("agent", "requester", "slack agents' group or role")
    assert await world.post(desk(world, "queue", user=KIM)) == 200
    await world.eventually(lambda: world.slack.webhook_posts, what="the answer")
    assert world.slack.webhook_posts[-1].body["text"].startswith("Only IT agents can use `/desk queue`")
    world.slack.set_usergroup(AGENTS, [KIM])
    await job.run(world.desk)
    assert accounts(world)[("", KIM)][1] == "agent"
    world.slack.assert_calls_match_spec()


async def test_a_slack_outage_demotes_nobody(world: SlackWorld) -> None:
    use_group(world, [KIM])
    world.slack.set_user(KIM, name="kim", display_name="Kim")
    await say(world, KIM, "the projector in room 4 is dead")
    world.slack.fail_next("usergroups.users.list", status=500, times=5)
    [job] = world.adapter.jobs
    await job.run(world.desk)
    assert accounts(world)[("", KIM)][1] == "agent"


async def test_a_link_in_a_report_reaches_agents_as_a_link_and_a_masked_one_shows_where_it_goes(
    world: SlackWorld,
) -> None:
    text = ("sso page <https://sso.example.com/reset> fails; <@USAM> sent me "
            "<https://evil.example/login|https://sso.example.com> &lt;b&gt; &amp; <!channel>")
    assert await world.post(event_body(message_event(channel=HELP, user="UDANA", text=text))) == 200
    await world.eventually(lambda: world.desk.db.run(lambda s: s.scalar(select(TicketRow.description))),
                           what="the ticket")
    stored = world.desk.db.run(lambda s: s.scalar(select(TicketRow.description)))
    assert stored == ("sso page https://sso.example.com/reset fails; @Sam sent me https://sso.example.com "
                      "(https://evil.example/login) <b> & @channel")
    await world.deliver()
    [card] = world.posted("CTRIAGE")
    shown = block_text(card)
    assert "<https://sso.example.com/reset>" in shown and "<https://evil.example/login>" in shown
    assert "&lt;b&gt; &amp; @\u200bchannel" in shown and "<!channel>" not in shown
