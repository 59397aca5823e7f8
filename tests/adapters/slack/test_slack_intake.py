"""Reports arriving from Slack: signed requests into the real bolt app, calls out to the stand-in."""

from __future__ import annotations

import asyncio
import time

from tests.adapters.slack.conftest import DANA, HELP, SAM, TRIAGE, SlackWorld, block_text, blocks_of, button_values
from tests.integration.helpers import comments, tickets
from tests.standins.slack_requests import app_mention_event, event_body, message_event, new_ts


async def report(world: SlackWorld, text: str = "vpn keeps dropping since this morning's update",
                 *, user: str = DANA, ts: str | None = None) -> str:
    ts = ts or new_ts()
    assert await world.post(event_body(message_event(channel=HELP, user=user, text=text, ts=ts))) == 200
    await world.eventually(lambda: tickets(world.desk), what="a ticket")
    return ts


async def test_a_report_becomes_a_ticket_with_a_thread_reply_and_a_triage_card(world: SlackWorld) -> None:
    ts = await report(world)
    await world.deliver()
    [ticket] = tickets(world.desk)
    assert ticket["key"] == "INC-1"
    [opened] = world.posted(HELP, thread=ts)
    assert opened["text"].startswith("INC-1 opened: network, incident, P3")
    [card] = world.posted(TRIAGE)
    assert card["text"] == "INC-1 · vpn keeps dropping since this morning's update"
    assert '{"c":"claim INC-1","p":""}' in button_values(card)
    world.slack.assert_calls_match_spec()


async def test_a_thread_reply_becomes_a_comment(world: SlackWorld) -> None:
    ts = await report(world)
    body = event_body(message_event(channel=HELP, user=DANA, text="it drops every 10 minutes", thread_ts=ts))
    assert await world.post(body) == 200
    await world.eventually(lambda: comments(world.desk, 1), what="a comment")
    assert len(tickets(world.desk)) == 1


async def test_the_same_event_delivered_twice_creates_one_ticket(world: SlackWorld) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="printer on floor 3 is broken"))
    assert await world.post(body) == 200
    assert await world.post(body, retry_num=1) == 200
    await world.eventually(lambda: tickets(world.desk))
    await asyncio.sleep(0.3)
    assert len(tickets(world.desk)) == 1


async def test_the_same_event_delivered_concurrently_creates_one_ticket(world: SlackWorld) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="outlook cannot connect"))
    statuses = await asyncio.gather(world.post(body), world.post(body, retry_num=1), world.post(body, retry_num=2))
    assert statuses == [200, 200, 200]
    await world.eventually(lambda: tickets(world.desk))
    await asyncio.sleep(0.5)
    assert len(tickets(world.desk)) == 1


async def test_a_retry_whose_first_delivery_never_arrived_is_processed(world: SlackWorld) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="laptop won't boot"))
    assert await world.post(body, retry_num=2, retry_reason="http_timeout") == 200
    assert await world.eventually(lambda: tickets(world.desk))


async def test_a_mention_and_its_message_event_open_one_ticket(world: SlackWorld) -> None:
    ts = new_ts()
    await world.post(event_body(message_event(channel=HELP, user=DANA, text="<@UBOT> wifi is down", ts=ts)))
    await world.post(event_body(app_mention_event(channel=HELP, user=DANA, text="<@UBOT> wifi is down", ts=ts)))
    await world.eventually(lambda: tickets(world.desk))
    await asyncio.sleep(0.3)
    assert len(tickets(world.desk)) == 1


async def test_a_bad_signature_is_refused_with_401_and_nothing_is_stored(world: SlackWorld) -> None:
    body = event_body(message_event(channel=HELP, user=DANA, text="printer broken"))
    assert await world.post(body, headers={"X-Slack-Signature": "v0=bad", "X-Slack-Request-Timestamp":
                                           str(int(time.time())), "Content-Type": "application/json"}) == 401
    assert await world.post(body, timestamp=int(time.time()) - 301) == 401
    await asyncio.sleep(0.2)
    assert tickets(world.desk) == []


async def test_the_bots_own_messages_never_open_tickets(world: SlackWorld) -> None:
    await world.post(event_body(message_event(channel=HELP, user="UBOT", text="INC-1 opened: printer is broken")))
    await asyncio.sleep(0.3)
    assert tickets(world.desk) == []


async def test_user_text_is_escaped_so_it_cannot_ping(world: SlackWorld) -> None:
    await report(world, "<!channel> <!here> <@U999> <!subteam^S1> printer broken")
    await world.deliver()
    [card] = world.posted(TRIAGE)
    shown = block_text(card) + card["text"]
    for ping in ("<!channel>", "<!here>", "<@U999>", "<!subteam^S1>"):
        assert ping not in shown
    assert "@\u200bchannel @\u200bhere" in shown  # read back as plain text at intake, defused where shown


async def test_a_40000_character_report_is_stored_whole_and_cut_within_slacks_limits(world: SlackWorld) -> None:
    text = "printer error " + "lorem ipsum " * 3400
    await report(world, text)
    await world.deliver()
    assert tickets(world.desk)[0]["description"] == text
    [card] = world.posted(TRIAGE)
    sections = [b for b in blocks_of(card) if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert any("/desk show INC-1" in b["text"]["text"] for b in sections)
    world.slack.assert_calls_match_spec()


async def test_a_hundred_events_at_once_become_a_hundred_tickets(world: SlackWorld) -> None:
    bodies = [event_body(message_event(channel=HELP, user=f"U{n:03d}", text=f"printer {n} jammed")) for n in range(100)]
    statuses = await asyncio.gather(*(world.post_as_slack(body) for body in bodies))
    assert statuses == [200] * 100  # each acknowledged once it was kept, on Slack's retry at worst
    await world.eventually(lambda: len(tickets(world.desk)) == 100, timeout=60, what="100 tickets")


async def test_an_edited_original_message_is_recorded_on_the_ticket(world: SlackWorld) -> None:
    ts = await report(world, "printer broken")
    edit = {"type": "message", "subtype": "message_changed", "channel": HELP, "ts": new_ts(), "event_ts": new_ts(),
            "message": {"type": "message", "user": DANA, "text": "printer broken on floor 3", "ts": ts}}
    await world.post(event_body(edit))
    await world.eventually(lambda: tickets(world.desk)[0]["description"] == "printer broken on floor 3")


async def test_a_link_unfurl_is_no_edit_and_nobody_is_told(world: SlackWorld) -> None:
    from sqlalchemy import select

    from core.storage.models import AuditRow

    text = "vpn drops, see <https://status.example.com>"
    ts = await report(world, text)
    await world.deliver()
    posted_before = len(world.posted())
    unfurl = {"type": "message", "subtype": "message_changed", "channel": HELP, "ts": new_ts(), "event_ts": new_ts(),
              "hidden": True,
              "message": {"type": "message", "user": DANA, "text": text, "ts": ts,
                          "attachments": [{"from_url": "https://status.example.com", "title": "Status"}]},
              "previous_message": {"type": "message", "user": DANA, "text": text, "ts": ts}}
    assert await world.post(event_body(unfurl)) == 200
    # A real edit after it is still taken, so waiting for it shows the unfurl was handled before it.
    edit = {"type": "message", "subtype": "message_changed", "channel": HELP, "ts": new_ts(), "event_ts": new_ts(),
            "message": {"type": "message", "user": DANA, "text": "vpn drops on floor 3", "ts": ts},
            "previous_message": {"type": "message", "user": DANA, "text": text, "ts": ts}}
    await world.post(event_body(edit))
    await world.eventually(lambda: tickets(world.desk)[0]["description"] == "vpn drops on floor 3")
    await world.deliver()
    actions = world.desk.db.run(lambda s: list(s.scalars(select(AuditRow.action))))
    assert actions.count("original_edited") == 1
    edited = [c for c in world.posted()[posted_before:] if "edited" in c.get("text", "")]
    assert len(edited) == 1 and "vpn drops on floor 3" in edited[0]["text"]


async def test_messages_in_other_channels_are_not_tickets_but_dms_are(world: SlackWorld) -> None:
    await world.post(event_body(message_event(channel="CRANDOM", user=DANA, text="printer broken")))
    await world.post(event_body(message_event(channel="DDANA", user=SAM, text="my monitor flickers",
                                              channel_type="im")))
    await world.eventually(lambda: tickets(world.desk))
    await asyncio.sleep(0.3)
    assert [t["description"] for t in tickets(world.desk)] == ["my monitor flickers"]


async def test_a_deleted_original_message_is_recorded_and_agents_are_told(world: SlackWorld) -> None:
    from sqlalchemy import select

    from core.storage.models import AuditRow

    ts = await report(world, "printer broken")
    deletion = {"type": "message", "subtype": "message_deleted", "channel": HELP, "ts": new_ts(),
                "event_ts": new_ts(), "deleted_ts": ts, "hidden": True}
    await world.post(event_body(deletion))
    actions = await world.eventually(lambda: [a for a in world.desk.db.run(
        lambda s: list(s.scalars(select(AuditRow.action)))) if a == "original_deleted"])
    assert actions == ["original_deleted"]
    assert tickets(world.desk)[0]["description"] == "printer broken"


async def test_messages_to_one_channel_are_paced(world: SlackWorld) -> None:
    world.adapter.messenger.interval = 0.3
    await report(world, "printer broken")
    await report(world, "my monitor flickers", user="UKIM")
    await world.eventually(lambda: len(tickets(world.desk)) == 2)
    await world.deliver()
    triage = [c for c in world.slack.calls_to("chat.postMessage") if c.args.get("channel") == TRIAGE]
    assert len(triage) == 2
    assert triage[1].monotonic - triage[0].monotonic >= 0.3
