"""Services, subscriptions and outages: everyone affected is told, before and after they ask."""

from __future__ import annotations

from collections.abc import Callable

from core.clock import ManualClock
from core.service import Desk
from tests.conftest import DANA, KIM, SAM, Chat, person
from tests.fakes import RecordingMessenger
from tests.integration.helpers import tickets
from tests.integration.itsm_helpers import ALL_PLATFORMS, LEE, deliver, itsm_desk, places, rows

DECLARE = 'outage declare email "Outlook cannot connect" --impact "everyone in Berlin"'
BEN = person("Ben")


def test_people_subscribe_and_unsubscribe_and_services_show_status(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    assert chat.desk_command(DANA, "subscribe outlook").startswith("Subscribed: you will be told directly about "
                                                                  "e-mail.")
    assert chat.desk_command(DANA, "subscribe email") == "You are already subscribed to e-mail."
    listed = chat.desk_command(DANA, "services")
    assert "email: e-mail (also: outlook, mail), operational, subscribed" in listed
    assert "wifi: Wi-Fi (also: wi-fi, wireless), operational\n" in listed + "\n"
    chat.desk_command(LEE, DECLARE)
    assert "email: e-mail (also: outlook, mail), OUTAGE (OUT-1: Outlook cannot connect), subscribed" in \
        chat.desk_command(DANA, "services")
    assert chat.desk_command(DANA, "unsubscribe email") == "Unsubscribed from e-mail."
    assert "subscribed" not in chat.desk_command(DANA, "services").split("\n")[1]
    assert chat.desk_command(DANA, "subscribe emial") == \
        "No service 'emial'. Did you mean email? `/desk services` lists them."


def test_a_declared_outage_reaches_every_platforms_channels_and_each_subscriber_directly(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url, platforms=ALL_PLATFORMS))
    chat.desk_command(KIM, "subscribe email")
    chat.desk_command(person("Dana", platform="slack"), "subscribe email")
    chat.desk_command(KIM, "subscribe wifi")
    answer = chat.desk_command(LEE, DECLARE)
    assert answer.startswith("OUT-1 declared: e-mail outage.")
    banners = rows(chat.desk, title_starts="OUT-1 · e-mail outage: Outlook cannot connect")
    assert places(banners) == {
        ("console", "it-help", ""), ("slack", "C-EMAIL", ""), ("discord", "555", ""),  # the service's channels
        ("console", "it-triage", ""), ("slack", "it-triage", ""), ("discord", "it-triage", ""),  # its owner team
        ("console", "", "kim"), ("slack", "", "dana"),  # each subscriber, where they subscribed
    }
    assert ["Impact", "everyone in Berlin"] in banners[0].card["fields"]
    assert len({r.card_key for r in banners}) == len(banners)  # each place its own living card


def test_channels_of_platforms_the_desk_does_not_run_get_nothing(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    chat.desk_command(LEE, DECLARE)
    assert {r.platform for r in rows(chat.desk, title_starts="OUT-1")} == {"console"}


def test_an_update_edits_the_banner_in_place_and_adds_a_line_in_its_thread(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    messenger = RecordingMessenger()
    chat.desk_command(LEE, DECLARE)
    deliver(chat.desk, messenger, clock)
    [posted] = [d for d in messenger.delivered if d.destination.channel == "it-help"]
    assert posted.replaces_message_id == ""
    posted_id = f"msg-{messenger.delivered.index(posted) + 1}"

    chat.desk_command(LEE, 'outage update OUT-1 "Microsoft is rolling back a faulty update"')
    deliver(chat.desk, messenger, clock)
    edit, line = [d for d in messenger.delivered[2:] if d.destination.channel == "it-help"]
    assert edit.replaces_message_id == posted_id
    assert ["Latest", "Mon 2 Mar 09:00 UTC: Microsoft is rolling back a faulty update"] in \
        [[f.label, f.value] for f in edit.card.fields]
    assert (line.destination.thread, line.card.text) == \
        (posted_id, "Update from Lee: Microsoft is rolling back a faulty update")


def test_a_line_written_before_its_banner_was_posted_waits_for_it_and_goes_in_its_thread(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    chat.desk_command(LEE, DECLARE)
    chat.desk_command(LEE, 'outage update OUT-1 "fix is rolling out"')
    messenger = RecordingMessenger()
    deliver(chat.desk, messenger, clock)
    here = [d for d in messenger.delivered if d.destination.channel == "it-help"]
    assert [d.card.title[:5] or d.card.text for d in here] == ["OUT-1", "Update from Lee: fix is rolling out"]
    assert here[1].destination.thread == f"msg-{messenger.delivered.index(here[0]) + 1}"


def test_a_report_naming_the_service_by_a_misspelt_alias_is_a_known_issue_and_subscribes_its_reporter(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    chat.desk_command(LEE, 'outage declare wifi "Access points in building B reboot"')
    root = chat.say(DANA, "the wirless keeps dropping in the meeting room")  # category network, not wifi
    [known] = rows(chat.desk, text_has="Known issue")
    assert known.card["text"] == "Known issue: Wi-Fi outage (OUT-1). We will tell you when it is fixed."
    assert (known.channel, known.thread) == ("it-help", root)
    assert "subscribed" in chat.desk_command(DANA, "services").split("\n")[2]
    [card] = [r for r in rows(chat.desk, title_starts="INC-1 ·")][-1:]
    assert ["Known issue", "OUT-1: Access points in building B reboot (active)"] in card.card["fields"]


def test_a_report_filed_under_the_services_category_is_linked_without_naming_it(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    chat.desk_command(LEE, DECLARE)
    chat.say(DANA, "my calendar invites are not working")  # category email: the email service
    chat.say(KIM, "the printer on floor 3 is broken")
    chat.say(BEN, "I need a new mailbox for the interns")  # a request is not a report of the outage
    assert len(rows(chat.desk, text_has="Known issue")) == 1
    assert [t["key"] for t in tickets(chat.desk)] == ["INC-1", "INC-2", "REQ-3"]


def test_resolving_an_outage_resolves_each_linked_report_in_its_own_thread(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    chat.desk_command(LEE, DECLARE)
    threads = [chat.say(who, text) for who, text in ((DANA, "outlook not working"),
                                                      (KIM, "outlook is not working since 9"),
                                                      (BEN, "my outlook won't connect"))]
    assert len(rows(chat.desk, text_has="Known issue: e-mail outage (OUT-1)")) == 3
    assert chat.desk_command(LEE, 'outage resolve OUT-1 "Mail flows again"') == \
        "OUT-1 resolved; 3 linked reports resolved with it."
    assert [t["status"] for t in tickets(chat.desk)] == ["resolved"] * 3
    told = rows(chat.desk, title_starts="INC-")
    asked = [r for r in told if r.card["title"].endswith("is resolved. Is it fixed?")]
    assert [(r.thread, r.card["title"]) for r in asked] == [
        (root, f"INC-{n} is resolved. Is it fixed?") for n, root in enumerate(threads, 1)]
    assert "Resolution: The e-mail outage (OUT-1) is over: Mail flows again" in asked[0].card["text"]
    assert rows(chat.desk, title_starts="Resolved: OUT-1 · e-mail outage")
    assert "operational" in chat.desk_command(DANA, "services").split("\n")[1]


def test_a_second_outage_of_one_service_and_a_requester_declaring_are_refused(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    assert chat.desk_command(DANA, DECLARE).startswith("Only IT agents can use `/desk outage declare`.")
    chat.desk_command(SAM, DECLARE)
    assert chat.desk_command(LEE, 'outage declare outlook "again"') == \
        "e-mail already has an active outage, OUT-1: `/desk outage update OUT-1 TEXT` adds to it."
    assert chat.desk_command(LEE, "outage update OUT-9 hello").startswith("No outage OUT-9.")
    chat.desk_command(LEE, "outage resolve OUT-1 fixed")
    assert chat.desk_command(LEE, "outage resolve OUT-1 fixed") == "OUT-1 is already resolved."


def _banner_in_help_channel(chat: Chat, messenger: RecordingMessenger, clock: ManualClock) -> str:
    chat.desk_command(LEE, DECLARE)
    deliver(chat.desk, messenger, clock)
    [posted] = [d for d in messenger.delivered if d.destination.channel == "it-help" and d.card.title.startswith(
        "OUT-1")]
    return f"msg-{messenger.delivered.index(posted) + 1}"


def test_a_reply_under_an_outage_banner_is_answered_once_and_its_writer_told_when_it_ends(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    messenger = RecordingMessenger()
    banner = _banner_in_help_channel(chat, messenger, clock)

    chat.say(BEN, "same here, can't send anything", thread=banner)
    chat.say(BEN, "any news?", thread=banner)
    [answer] = rows(chat.desk, text_has="Thanks, Ben")
    assert (answer.channel, answer.thread, answer.card["text"]) == (
        "it-help", banner, "Thanks, Ben: IT is working on OUT-1 (e-mail). I will tell you directly when it is fixed.")
    assert tickets(chat.desk) == []  # talk under a banner is not a report
    assert "subscribed" in chat.desk_command(BEN, "services").split("\n")[1]

    chat.desk_command(LEE, 'outage resolve OUT-1 "Mail flows again"')
    assert ("console", "", "ben") in places(rows(chat.desk, title_starts="Resolved: OUT-1"))


def test_a_reply_under_a_resolved_outage_banner_says_when_it_ended(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    messenger = RecordingMessenger()
    banner = _banner_in_help_channel(chat, messenger, clock)
    chat.desk_command(LEE, 'outage resolve OUT-1 "Mail flows again"')

    chat.say(BEN, "still broken for me", thread=banner)
    [answer] = rows(chat.desk, text_has="was resolved")
    assert answer.thread == banner
    assert answer.card["text"].startswith("OUT-1 (e-mail) was resolved Mon 2 Mar 09:00 UTC. If it still fails")


def test_a_reply_under_an_ordinary_message_in_the_help_channel_changes_nothing(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(itsm_desk(make_desk, database_url))
    before = len(rows(chat.desk))
    chat.say(BEN, "me too", thread="someone-elses-chatter")
    assert (len(rows(chat.desk)), tickets(chat.desk)) == (before, [])
