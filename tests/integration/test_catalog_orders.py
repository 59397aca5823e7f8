"""Ordering from the service catalog, approvals, and fulfilment by teams, through the desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.config.catalog import CatalogSettings
from core.messages import Author, CommandRequest
from core.reports.period import Period
from core.reports.requests import requests
from core.scheduling.jobs import run_all
from core.service import Desk
from tests.integration.catalog_helpers import PEOPLE, SHARE, Desk18, catalog_settings, with_seats

NEW_HIRE = {"full_name": "Jo Park", "start_date": "2026-03-16", "department": "Finance", "laptop": "MacBook Air",
            "manager": "mia@example.com"}


@pytest.fixture
def shop(make_desk: Callable[..., Desk], database_url: str) -> Desk18:
    return Desk18(make_desk(database_url, settings=catalog_settings()))


def ids(shop: Desk18) -> dict[str, int]:
    from sqlalchemy import select

    from core.storage.models import PersonRow
    return shop.read(lambda s: {p.display_name: p.id for p in s.scalars(select(PersonRow))})  # type: ignore[return-value]


def test_the_catalog_lists_the_ten_starter_items_and_a_word_finds_one(shop: Desk18) -> None:
    listing = shop.say("Dana", "order")
    for slug in ("shared-drive-access", "software-licence", "new-laptop", "new-hire", "leaver", "vpn-access",
                 "distribution-list", "admin-rights", "new-phone", "guest-wifi"):
        assert slug in listing
    found = shop.run("Dana", "order finance")
    assert found.card is not None and found.card.title == "Access to a shared drive"
    assert found.card.buttons[0].command == "order shared-drive-access"


def test_share_access_manager_approves_storage_task_done_requester_confirms(shop: Desk18,
                                                                          clock: ManualClock) -> None:
    placed = shop.say("Dana", "order shared-drive-access", SHARE)
    assert placed.startswith("REQ-1 ordered: Access to a shared drive. REQ-1 awaits approval by Mia")
    people = ids(shop)
    card = shop.sent_to("mia")[-1]
    assert card["title"] == "Approve REQ-1? Access to a shared drive"
    assert ["Approve", "order approve REQ-1", "primary", None] in card["buttons"]
    assert ["Reject", "order reject REQ-1", "danger", "Why reject it?"] in card["buttons"]
    assert ["Which share or folder?", "\\\\files\\finance"] in card["fields"]
    assert shop.ticket(1).status == "on_hold"

    assert shop.say("Sam", "order approve REQ-1").startswith("REQ-1 is not waiting for your approval")
    clock.advance(timedelta(hours=2))
    assert shop.say("Mia", "order approve REQ-1") == "You approved REQ-1."
    assert shop.approvals(1) == [(people["Mia"], "approve")]
    [task] = shop.tickets("task")
    assert (task.key, task.team, task.status) == ("TSK-2", "infrastructure", "new")
    assert shop.ticket(1).status == "in_progress"
    assert "Mia's" not in shop.sent_to("mia")[-1].get("footer", "")
    assert shop.sent_to("mia")[-1]["buttons"] == []

    assert "unchecked" in shop.say("Sam", "resolve TSK-2 done")
    assert "is not an item" in shop.say("Sam", "check TSK-2 9")
    assert "All done" in shop.say("Sam", "check TSK-2 all")
    clock.advance(timedelta(hours=3))
    assert "REQ-1 is resolved" in shop.say("Sam", "resolve TSK-2 added to the finance group")
    assert shop.ticket(2).status == "closed"
    assert shop.ticket(1).status == "resolved"
    told = shop.requester_lines(1)
    assert any("REQ-1 is done. Is it working?" in line for line in told)
    assert shop.say("Dana", "confirm REQ-1") == "Thanks! REQ-1 is closed."
    clock.advance(timedelta(minutes=1))
    report = shop.run("Sam", "report 7d").card
    assert report is not None
    fields = dict((f.label, f.value) for f in report.fields)
    assert fields["Requests (catalog)"].startswith("1 ordered · 1 approved · 0 rejected (0%) · 1 done; "
                                                   "approval took 2h 00m")
    assert fields["Fulfilment by team (task opened to done)"] == "infrastructure 3h 00m"
    by_item = shop.read(lambda session: requests(session, period=Period(since=clock.now() - timedelta(days=7),
                                                                         until=clock.now())).fulfilment_by_item)
    assert [(t.name, t.count, t.wall_seconds) for t in by_item] == [("Access to a shared drive", 1, 3 * 3600.0)]
    actions = [action for action, _new in shop.audit(1)]
    for step in ("ordered", "approval_asked", "approve", "approved", "task_opened", "task_done"):
        assert step in actions


def test_onboarding_opens_three_teams_tasks_in_parallel_and_resolves_with_the_last(shop: Desk18) -> None:
    shop.say("Dana", "order new-hire", NEW_HIRE)
    shop.say("Mia", "order approve REQ-1")
    tasks = shop.tickets("task")
    assert sorted(t.team for t in tasks) == ["network", "service-desk", "workplace"]
    assert all(t.status == "new" for t in tasks)
    for task in tasks[:2]:
        shop.say("Sam", f"check {task.key} all")
        assert "still open" in shop.say("Sam", f"resolve {task.key}")
    assert shop.ticket(1).status == "in_progress"
    shop.say("Sam", f"check {tasks[2].key} all")
    assert "REQ-1 is resolved" in shop.say("Sam", f"resolve {tasks[2].key}")


def test_rejection_with_a_reason_reaches_the_requester_and_ends_the_order(shop: Desk18) -> None:
    shop.say("Dana", "order new-laptop", {"model": "MacBook Pro", "needed_by": "2026-04-01", "reason": "old"})
    assert shop.say("Mia", "order reject REQ-1").startswith("Say why")
    assert shop.say("Mia", "order reject REQ-1 a refresh is due in May") == \
        "You rejected REQ-1; the requester is told why."
    assert shop.ticket(1).status == "cancelled"
    assert shop.order(1).state == "rejected"
    assert any("rejected by Mia: a refresh is due in May" in line for line in shop.requester_lines(1))
    assert shop.tickets("task") == []
    assert "nothing to approve" in shop.say("Mia", "order approve REQ-1") or \
        "not waiting" in shop.say("Mia", "order approve REQ-1")


def test_nobody_approves_their_own_request_the_fallback_does(shop: Desk18) -> None:
    placed = shop.say("Mia", "order vpn-access", {"reason": "travel"})
    assert "the fallback approves" in placed
    assert shop.say("Mia", "order approve REQ-1").startswith("Nobody approves their own request")
    assert shop.say("Lee", "order approve REQ-1") == "You approved REQ-1."


def test_a_two_step_chain_asks_security_after_the_manager(shop: Desk18) -> None:
    shop.say("Dana", "order admin-rights", {"system": "payroll db", "reason": "migration", "until": "2026-03-31"})
    assert shop.say("Priya", "order approve REQ-1").startswith("REQ-1 is not waiting for your approval")
    assert "next approval" in shop.say("Mia", "order approve REQ-1")
    assert shop.tickets("task") == []
    assert shop.say("Priya", "order approve REQ-1") == "You approved REQ-1."
    assert [t.team for t in shop.tickets("task")] == ["infrastructure"]


@pytest.mark.parametrize(("line", "answers", "said"), [
    ("order frobnicator", {}, "No catalog item matches 'frobnicator'"),
    ("order shared-drive-access", {"share": "x", "access": "read"}, "Missing"),
    ("order shared-drive-access", {**SHARE, "access": "delete"}, "read or read and write, not 'delete'"),
    ("order guest-wifi", {"guest": "Jo", "day": "2020-01-01", "days": "2"}, "is in the past"),
    ("order guest-wifi", {"guest": "Jo", "day": "2026-03-05", "days": "two"}, "must be a number from 1 to 14"),
    ("order guest-wifi --guest Jo --day 2026-03-05 --days 99", {}, "must be a number from 1 to 14, not '99'"),
    ("order guest-wifi", {"guest": "Jo", "day": "5 March", "days": "2"}, "is not a date"),
    ("order shared-drive-access", {**SHARE, "colour": "red"}, "has no 'colour' to answer"),
    ("order distribution-list", {"address": "x@example.com", "owner": "Nobody Known", "members": "a"},
     "No one is known as 'Nobody Known'"),
])
def test_bad_answers_get_a_clear_answer_and_order_nothing(shop: Desk18, line: str, answers: dict[str, object],
                                                           said: str) -> None:
    reply = shop.run("Dana", line, answers)
    assert said in reply.text
    assert reply.outcome == "refused"
    assert shop.tickets("request") == []


def test_a_licence_without_free_seats_queues_the_order_until_one_is_released(
        make_desk: Callable[..., Desk], database_url: str) -> None:
    shop = Desk18(make_desk(database_url, settings=with_seats(catalog_settings(), 1)))
    for name in ("Dana", "Alex"):
        shop.say(name, "order software-licence", {"product": "Figma", "reason": "design"})
    shop.say("Mia", "order approve REQ-1")
    shop.say("Mia", "order approve REQ-2")
    assert any("no software seat is free (all 1 are taken)" in line for line in shop.requester_lines(2))
    assert shop.order(1).state == "fulfilling"
    assert shop.order(2).state == "waiting_for_seat"
    assert shop.ticket(2).status == "on_hold"
    assert len(shop.tickets("task")) == 1
    assert "1 of 1 taken, 0 free" in shop.say("Sam", "licences")
    assert "REQ-2 was waiting for one and takes it" in shop.say("Sam", "licence release software dana@example.com")
    assert shop.order(2).state == "fulfilling"
    assert len(shop.tickets("task")) == 2


def test_a_licence_that_refuses_when_full_orders_nothing(make_desk: Callable[..., Desk], database_url: str) -> None:
    shop = Desk18(make_desk(database_url, settings=with_seats(catalog_settings(), 0, when_full="refuse")))
    reply = shop.run("Dana", "order software-licence", {"product": "Figma", "reason": "design"})
    assert "No software seat is free" in reply.text and reply.outcome == "refused"
    assert shop.tickets("request") == []


def test_reminder_then_expiry_on_the_simulated_clock(make_desk: Callable[..., Desk], database_url: str,
                                                      clock: ManualClock) -> None:
    settings = catalog_settings(catalog=CatalogSettings(groups={"security": ("Priya",)}, remind_after_hours=24,
                                                         expire_after_hours=72))
    shop = Desk18(make_desk(database_url, settings=settings))
    shop.say("Dana", "order vpn-access", {"reason": "travel"})
    clock.advance(timedelta(hours=23))
    run_all(shop.desk)
    assert not any("Reminder" in str(c.get("text")) for c in shop.sent_to("mia"))
    clock.advance(timedelta(hours=2))
    run_all(shop.desk)
    run_all(shop.desk)
    assert sum("Reminder: REQ-1" in str(c.get("text")) for c in shop.sent_to("mia")) == 1
    clock.advance(timedelta(hours=48))
    run_all(shop.desk)
    assert shop.order(1).state == "expired"
    assert shop.ticket(1).status == "cancelled"
    assert any("expired: nobody decided within 72 hours" in line for line in shop.requester_lines(1))
    assert shop.sent_to("mia")[-1]["buttons"] == []


def test_a_delegate_approves_while_the_manager_is_away(shop: Desk18) -> None:
    assert "Priya approves orders for you" in shop.say("Mia", "away until 2026-03-20 --delegate priya@example.com")
    shop.say("Dana", "order vpn-access", {"reason": "travel"})
    people = ids(shop)
    assert shop.approvals(1) == [(people["Priya"], "")]
    card = shop.sent_to("priya")[-1]
    assert ["On behalf of", "Mia"] in card["fields"]
    assert shop.say("Priya", "order approve REQ-1") == "You approved REQ-1."
    assert any("for Mia" in new for action, new in shop.audit(1) if action == "approve")
    assert "Welcome back" in shop.say("Mia", "away")


def test_an_approver_who_is_no_longer_an_agent_is_replaced_by_the_fallback(
        make_desk: Callable[..., Desk], database_url: str) -> None:
    people = tuple(p.model_copy(update={"role": "requester"}) if p.name == "Sam" else p for p in PEOPLE)
    settings = catalog_settings(catalog=CatalogSettings(groups={"security": ("Sam",)}), people=people)
    shop = Desk18(make_desk(database_url, settings=settings))
    shop.say("Sam", "orders")  # the console's agents' group holds Sam: an agent by the platform alone
    shop.say("Mia", "order admin-rights", {"system": "db", "reason": "x", "until": "2026-03-31"})
    shop.say("Lee", "order approve REQ-1")  # Mia's own order: the fallback (the admin, Lee) is her "manager"
    people = ids(shop)
    assert (people["Sam"], "") in shop.approvals(1)
    shop.desk.handle_command(CommandRequest(platform="console", event_id="demote", text="orders", channel="it-help",
                                            author=Author(platform="console", user_id="sam", display_name="Sam",
                                                          is_agent=False, roles_known=True)))
    decisions = dict(shop.approvals(1))
    assert decisions[people["Sam"]] == "withdrawn"
    assert decisions[people["Lee"]] == ""  # asked again in Sam's place, as the fallback (an admin)
    assert any(action == "approver_replaced" for action, _new in shop.audit(1))


def test_a_message_asking_for_an_item_is_offered_it_beside_its_ticket(shop: Desk18) -> None:
    shop.message("Dana", "I need access to the finance share")
    offers = [c for c in shop.cards() if c["buttons"] and c["buttons"][0][0] == "Order: Access to a shared drive"]
    assert len(offers) == 1
    assert offers[0]["buttons"][0][1] == "order shared-drive-access"
    assert shop.tickets("request")[0].key == "REQ-1"
    shop.message("Alex", "my printer jams")
    assert len([c for c in shop.cards() if any(b[0].startswith("Order:") for b in c["buttons"])]) == 1


def test_offboarding_tasks_wait_for_the_last_day(shop: Desk18, clock: ManualClock) -> None:
    shop.say("Dana", "order leaver", {"person": "alex@example.com", "last_day": "2026-03-13",
                                      "mailbox": "forward to the manager"})
    shop.say("Mia", "order approve REQ-1")
    tasks = shop.tickets("task")
    assert sorted(t.team for t in tasks) == ["service-desk", "workplace"]
    assert all(t.status == "on_hold" and t.hold_reason == "scheduled for 2026-03-13" for t in tasks)
    clock.advance(timedelta(days=10))  # the day before
    run_all(shop.desk)
    assert all(t.status == "on_hold" for t in shop.tickets("task"))
    clock.advance(timedelta(days=1))
    run_all(shop.desk)
    assert all(t.status == "in_progress" for t in shop.tickets("task"))


def test_a_directory_import_names_managers_and_moves_a_leavers_approvals_to_the_fallback(shop: Desk18) -> None:
    from core.catalog.directory_import import Entry, import_entries

    entries = [Entry(email="kim@example.com", name="Kim", manager="priya@example.com", line=2),
               Entry(email="priya@example.com", name="Priya", line=3)]
    said = shop.desk.run_as_system(lambda ctx: import_entries(ctx, entries, leavers=False))
    assert said == "2 people imported; 0 marked as left."
    kim = Author(platform="console", user_id="kim", display_name="Kim", email="kim@example.com")
    shop.desk.handle_command(CommandRequest(platform="console", event_id="k1", author=kim, channel="it-help",
                                            text="order vpn-access", answers={"reason": "travel"}))
    people = ids(shop)
    assert shop.approvals(1) == [(people["Priya"], "")]
    gone = [Entry(email="priya@example.com", name="Priya", active=False, line=2)]
    said = shop.desk.run_as_system(lambda ctx: import_entries(ctx, gone, leavers=False))
    assert said == "1 people imported; 1 marked as left. Approvals moved to the fallback: REQ-1."
    assert shop.approvals(1) == [(people["Priya"], "withdrawn"), (people["Lee"], "")]


def test_a_cancelled_task_lets_its_order_finish_and_an_order_is_not_resolved_by_hand(shop: Desk18) -> None:
    shop.say("Dana", "order new-hire", NEW_HIRE)
    shop.say("Mia", "order approve REQ-1")
    first, second, third = shop.tickets("task")
    assert "still open: TSK-2, TSK-3, TSK-4" in shop.say("Sam", "resolve REQ-1 all done")
    for task in (first, second):
        shop.say("Sam", f"check {task.key} all")
        shop.say("Sam", f"resolve {task.key}")
    assert "REQ-1 is resolved" in shop.say("Sam", f"cancel {third.key} the network team does this themselves")
    assert shop.ticket(1).status == "resolved"
