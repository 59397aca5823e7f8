"""A notification Slack took from a process that was killed before it recorded the delivery is not posted
again by the next one: each post carries message metadata naming its notification, and a delivery whose
earlier attempt was never confirmed looks for it first."""

from __future__ import annotations

from sqlalchemy import select

from core.storage.models import OutboxRow
from tests.adapters.slack.conftest import HELP, TRIAGE, SlackWorld
from tests.adapters.slack.test_slack_intake import report
from tests.outbox_deaths import die_delivering

LOOKS = ("conversations.history", "conversations.replies")


def outbox(world: SlackWorld) -> list[tuple[str, str]]:
    return world.desk.db.run(lambda s: [(r.status, r.message_id) for r in s.scalars(select(OutboxRow)
                                                                                     .order_by(OutboxRow.id))])


def looks(world: SlackWorld) -> list[str]:
    return [c.method for c in world.slack.calls if c.method in LOOKS and c.args.get("include_all_metadata")]


async def test_a_post_slack_took_before_the_process_died_is_not_posted_again_after_restart(world: SlackWorld
                                                                                          ) -> None:
    ts = await report(world)
    await die_delivering(world.desk.db, world.adapter.messenger, after_sending=True)
    first = {c.args["channel"]: c.response["ts"] for c in world.slack.calls_to("chat.postMessage")}
    assert set(first) == {HELP, TRIAGE} and all(status == "pending" for status, _ in outbox(world))
    await world.deliver()
    assert len(world.posted(HELP, thread=ts)) == 1 and len(world.posted(TRIAGE)) == 1
    assert outbox(world) == [("sent", first[HELP]), ("sent", first[TRIAGE])]
    assert sorted(looks(world)) == ["conversations.history", "conversations.replies"]


async def test_a_post_that_never_reached_slack_before_the_process_died_is_posted_once(world: SlackWorld) -> None:
    ts = await report(world)
    await die_delivering(world.desk.db, world.adapter.messenger, after_sending=False)
    assert world.posted() == []
    await world.deliver()
    assert len(world.posted(HELP, thread=ts)) == 1 and len(world.posted(TRIAGE)) == 1
    assert [status for status, _ in outbox(world)] == ["sent", "sent"]
    assert sorted(looks(world)) == ["conversations.history", "conversations.replies"]


async def test_a_first_attempt_posts_with_its_metadata_and_looks_for_nothing(world: SlackWorld) -> None:
    await report(world)
    await world.deliver()
    assert looks(world) == []
    metadata = [c.args["metadata"] for c in world.slack.calls_to("chat.postMessage")]
    assert [m["event_type"] for m in metadata] == ["spoc_outbox", "spoc_outbox"]
    assert [m["event_payload"]["outbox_id"] for m in metadata] == [1, 2]


async def test_a_history_slack_refuses_for_good_is_no_reason_to_lose_the_notification(world: SlackWorld) -> None:
    await report(world)
    await die_delivering(world.desk.db, world.adapter.messenger, after_sending=False)
    world.slack.fail_next("conversations.history", error="missing_scope")
    world.slack.fail_next("conversations.replies", error="missing_scope")
    await world.deliver()
    assert [status for status, _ in outbox(world)] == ["sent", "sent"]
    assert len(world.posted()) == 2
