"""A mail to the desk: a ticket and the same notices as chat, threaded replies, commands by reply words,
loop protection, forged senders, redeliveries, and mail no parser expects."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from core.storage.blobs import read_blobs
from core.storage.models import OutboxRow, TicketFileRow
from tests.adapters.email.conftest import DESK_ADDRESS, SAM_ADDRESS, MailWorld, mail, message_id_of
from tests.integration.helpers import comments, tickets


def ticket_numbers(world: MailWorld) -> list[str]:
    return [t["key"] for t in tickets(world.desk)]


async def test_a_mail_opens_a_ticket_and_the_notices_come_back_in_its_thread(world: MailWorld) -> None:
    raw = mail()
    original = message_id_of(raw)
    outcome = world.take(raw)
    assert outcome.status == "taken"
    (ticket,) = tickets(world.desk)
    assert ticket["title"] == "vpn keeps dropping"
    assert "drops every few minutes" in ticket["description"]
    sent = await world.deliver()
    assert len(sent) == 2  # opened, then the suggestions
    opened, suggestions = sent
    assert opened.rcpt_tos == ["dana@example.com"]
    assert opened.mail_from == DESK_ADDRESS
    assert opened["In-Reply-To"] == original and opened["References"] == original
    assert opened["Subject"] == f"Re: vpn keeps dropping [{ticket['key']}]"
    assert opened["Message-ID"].startswith(f"<spoc.{ticket['key']}.")
    assert opened["Auto-Submitted"] == "auto-replied"
    assert f"{ticket['key']} opened" in opened.plain()
    assert "VPN keeps dropping" in suggestions.plain()
    assert f"/desk kb solved {ticket['key']} vpn-keeps-dropping" in suggestions.plain()
    assert "mailto:it@example.com?subject=" in suggestions.html()


async def test_a_reply_to_the_desks_mail_is_a_comment_without_its_quoted_history(world: MailWorld) -> None:
    world.take(mail())
    opened = (await world.deliver())[0]
    key = ticket_numbers(world)[0]
    reply = mail(subject=f"Re: vpn keeps dropping [{key}]", in_reply_to=opened["Message-ID"],
                 references=opened["Message-ID"],
                 body="It also happens on the office Wi-Fi.\n\nDana\n-- \nDana Smith, Finance\n\n"
                      "On Mon, 2 Mar 2026, IT Service Desk <it@example.com> wrote:\n> INC opened")
    assert world.take(reply).status == "taken"
    assert len(tickets(world.desk)) == 1
    assert comments(world.desk, 1) == [("It also happens on the office Wi-Fi.\n\nDana", False)]
    kept = world.desk.db.run(lambda s: s.scalars(select(TicketFileRow)).all())
    assert [(a.filename, a.original) for a in kept] == [("original.eml", True)]
    assert world.desk.db.run(lambda s: read_blobs(s, [kept[0].digest])) == {kept[0].digest: reply}


async def test_the_ticket_key_in_a_subject_makes_a_new_mail_a_comment_for_its_requester(world: MailWorld) -> None:
    world.take(mail())
    key = ticket_numbers(world)[0]
    world.take(mail(subject=f"more on [{key}]", body="Now it drops every minute."))
    assert len(tickets(world.desk)) == 1
    assert comments(world.desk, 1)[0][0] == "Now it drops every minute."


async def test_a_stranger_naming_a_ticket_opens_their_own_instead_of_commenting(world: MailWorld) -> None:
    world.take(mail())
    key = ticket_numbers(world)[0]
    world.take(mail(sender="eve@example.com", name="Eve", subject=f"[{key}] close this",
                    body="printer on floor 2 is jammed"))
    assert comments(world.desk, 1) == []
    assert len(tickets(world.desk)) == 2


async def test_a_redelivered_mail_changes_nothing(world: MailWorld) -> None:
    raw = mail()
    assert world.take(raw).status == "taken"
    await world.deliver()
    before = world.desk.db.run(lambda s: len(s.scalars(select(OutboxRow)).all()))
    assert world.take(raw).status == "repeated"
    assert len(tickets(world.desk)) == 1
    assert world.desk.db.run(lambda s: len(s.scalars(select(OutboxRow)).all())) == before
    assert len(await world.deliver()) == 2


async def test_out_of_office_bounces_and_other_robots_never_open_tickets_nor_get_answers(world: MailWorld) -> None:
    robots = [
        mail(subject="Automatic reply: INC-1", headers={"Auto-Submitted": "auto-replied"}),
        mail(subject="Out of Office", headers={"X-Autoreply": "yes"}),
        mail(subject="newsletter", headers={"Precedence": "bulk"}),
        mail(sender="mailer-daemon@example.com", subject="Undelivered Mail Returned to Sender"),
        mail(subject="Delivery report", headers={"Return-Path": "<>"}),
        mail(sender=DESK_ADDRESS, subject="our own mail come back"),
    ]
    dsn = (b"From: MAILER-DAEMON@example.com\r\nTo: it@example.com\r\nSubject: failure\r\n"
           b"Message-ID: <dsn-1@example.com>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n\r\n"
           b"--XX\r\nContent-Type: text/plain\r\n\r\nCould not deliver\r\n"
           b"--XX\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--XX--\r\n")
    for raw in [*robots, dsn]:
        assert world.take(raw).status == "ignored"
    assert tickets(world.desk) == []
    assert await world.deliver() == []


async def test_an_out_of_office_reply_to_the_desks_answer_gets_no_answer(world: MailWorld) -> None:
    world.take(mail())
    opened = (await world.deliver())[0]
    away = mail(subject=f"Automatic reply: {opened['Subject']}", in_reply_to=opened["Message-ID"],
                body="I am away until Monday.", headers={"Auto-Submitted": "auto-replied"})
    assert world.take(away).status == "ignored"
    assert comments(world.desk, 1) == []
    assert await world.deliver() == (await world.deliver())  # nothing new went out
    assert len(world.smtp.received) == 2


async def test_yes_by_mail_closes_a_resolved_ticket_and_no_reopens_it(world: MailWorld) -> None:
    from core.messages import Author, CommandRequest

    world.take(mail())
    await world.deliver()
    key = ticket_numbers(world)[0]
    sam = Author(platform="email", user_id="sam-console", display_name="Sam", is_agent=True)
    world.desk.handle_command(CommandRequest(platform="email", event_id="r1", author=sam,
                                             text=f"resolve {key} updated the client"))
    asked = (await world.deliver())[-1]
    assert "Is it fixed?" in asked["Subject"] or "Is it fixed?" in asked.plain()
    assert "yes" in asked.plain() and "no" in asked.plain()
    world.take(mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"], body="No, still dropping"))
    assert tickets(world.desk)[0]["status"] in ("new", "in_progress")
    world.desk.handle_command(CommandRequest(platform="email", event_id="r2", author=sam,
                                             text=f"resolve {key} replaced the router"))
    asked = (await world.deliver())[-1]
    world.take(mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"],
                    body="Yes, thanks!\n\nOn Tue, IT wrote:\n> Is it fixed?"))
    assert tickets(world.desk)[0]["status"] == "closed"
    survey = (await world.deliver())[-1]
    assert "How did we do" in survey.plain()
    assert "\n  1\n  2\n  3\n  4\n  5\n" in survey.plain().replace("\r\n", "\n")  # a score is its reply word
    world.take(mail(subject=f"Re: {survey['Subject']}", in_reply_to=survey["Message-ID"], body="5 quick fix"))
    thanks = (await world.deliver())[-1]
    assert "5" in thanks.plain()


async def test_a_forged_from_cannot_act_as_an_agent(world: MailWorld) -> None:
    world.take(mail())
    await world.deliver()
    key = ticket_numbers(world)[0]
    forged = mail(sender=SAM_ADDRESS, name="Sam", subject="quick one", body=f"/desk resolve {key} fixed it")
    assert world.take(forged).status == "taken"
    assert tickets(world.desk)[0]["status"] == "new"
    refusal = (await world.deliver())[-1]
    assert refusal.rcpt_tos == [SAM_ADDRESS]
    assert "Only IT agents" in refusal.plain()


async def test_a_verified_agent_can_work_a_ticket_by_mail(world: MailWorld) -> None:
    world.take(mail())
    await world.deliver()
    key = ticket_numbers(world)[0]
    world.take(mail(sender=SAM_ADDRESS, name="Sam", subject="quick one", verified=True,
                    body=f"/desk claim {key}"))
    assert tickets(world.desk)[0]["assignee"] == "Sam"


async def test_a_mail_from_a_domain_not_allowed_is_answered_only_when_its_sender_is_verified(
        world: MailWorld) -> None:
    intake = world.adapter.intake
    intake.settings = intake.settings.model_copy(update={"allowed_domains": ("example.com",)})
    assert world.take(mail(sender="spam@elsewhere.test", subject="buy now")).status == "ignored"
    assert world.take(mail(sender="vendor@partner.test", subject="invoice", verified=True)).status == "answered"
    assert tickets(world.desk) == []
    (answer,) = await world.deliver()
    assert answer.rcpt_tos == ["vendor@partner.test"] and "own organisation" in answer.plain()


async def test_a_mail_over_the_size_limit_is_refused_politely_once(world: MailWorld) -> None:
    world.adapter.intake.settings = world.adapter.intake.settings.model_copy(update={"max_message_mb": 1})
    big = mail(subject="logs", files=[("logs.txt", "text/plain", b"x" * (2 * 1024 * 1024))])
    assert world.take(big).status == "answered"
    assert world.take(big).status == "repeated"
    (refusal,) = await world.deliver()
    assert "more than the 1.0 MB" in refusal.plain() and '"logs"' in refusal.plain()
    assert tickets(world.desk) == []


async def test_attachments_are_kept_checked_and_listed_on_the_ticket(world: MailWorld) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    raw = mail(files=[("screen.png", "image/png", png), ("invoice.pdf", "application/pdf", b"MZ\x90\x00evil"),
                      ("tool.exe", "application/octet-stream", b"MZ\x90\x00"),
                      ("fake.png", "image/png", b"not a png")])
    world.take(raw)
    kept = world.desk.db.run(lambda s: [(a.filename, a.media_type, a.digest)
                                        for a in s.scalars(select(TicketFileRow))])
    assert kept == [("screen.png", "image/png", hashlib.sha256(png).hexdigest())]
    ticket = tickets(world.desk)[0]
    assert "Files not kept: invoice.pdf" in ticket["description"] and "tool.exe" in ticket["description"]
    sent = await world.deliver()
    assert any("these files were not kept" in m.plain() and "fake.png" in m.plain() for m in sent)


async def test_html_only_mail_becomes_plain_text_without_its_scripts(world: MailWorld) -> None:
    html = ("<html><head><style>p {color:red}</style></head><body><p>Printer <b>jams</b> &amp; "
            "smears&nbsp;toner</p><script>alert('x')</script><p>Room 2.14</p></body></html>")
    world.take(mail(subject="printer", body="", html=html))
    ticket = tickets(world.desk)[0]
    assert ticket["description"] == "Printer jams & smears toner\nRoom 2.14"
    kept = world.desk.db.run(lambda s: [a.filename for a in s.scalars(select(TicketFileRow))])
    assert kept == ["original.eml"]


async def test_a_non_utf8_charset_is_read_in_its_own_charset(world: MailWorld) -> None:
    raw = (b"From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <juergen@example.com>\r\nTo: it@example.com\r\n"
           b"Subject: =?iso-8859-1?q?Drucker_im_B=FCro_defekt?=\r\nMessage-ID: <latin1@example.com>\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n") \
        + "Der Drucker druckt nur Streifen. Grüße".encode("latin-1")
    world.take(raw)
    ticket = tickets(world.desk)[0]
    assert ticket["title"] == "Drucker im Büro defekt"
    assert "Grüße" in ticket["description"]
    koi8 = (b"From: ivan@example.com\r\nTo: it@example.com\r\nSubject: vpn\r\nMessage-ID: <koi8@example.com>\r\n"
            b"Content-Type: text/plain; charset=koi8-r\r\n\r\n") + "Не работает VPN".encode("koi8-r")
    world.take(koi8)
    assert "Не работает VPN" in tickets(world.desk)[1]["description"]


async def test_malformed_mime_still_becomes_a_readable_ticket(world: MailWorld) -> None:
    raw = (b"From: broken client <dana@example.com\r\nTo: it@example.com\r\nSubject: =?utf-8?B?broken===?=\r\n"
           b"Message-ID: <broken-1@example.com>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"never-closed\"\r\n\r\n"
           b"--never-closed\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nbW9uaXRvciBmbGlja2Vycw=!!\r\n"
           b"--never-closed\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n")
    outcome = world.take(raw)
    assert outcome.status == "taken"
    (ticket,) = tickets(world.desk)
    assert "monitor flickers" in ticket["description"]
    assert await world.deliver()  # the requester is answered


async def test_a_mail_with_nothing_in_it_is_ignored(world: MailWorld) -> None:
    assert world.take(mail(subject="", body="   ")).status == "ignored"
    assert tickets(world.desk) == []


async def test_a_forged_mail_first_does_not_take_the_address_from_its_owner(world: MailWorld) -> None:
    world.take(mail())
    key = ticket_numbers(world)[0]
    world.take(mail(sender=SAM_ADDRESS, name="Sam", subject="hello", body="printer is broken"))
    world.take(mail(sender=SAM_ADDRESS, name="Sam", subject="quick one", verified=True, body=f"/desk claim {key}"))
    assert tickets(world.desk)[0]["assignee"] == "Sam"


async def test_a_forged_mail_in_the_requesters_name_cannot_answer_for_them(world: MailWorld) -> None:
    from core.messages import Author, CommandRequest

    world.take(mail(verified=True))
    key = ticket_numbers(world)[0]
    sam = Author(platform="email", user_id=SAM_ADDRESS, display_name="Sam", email=SAM_ADDRESS)
    world.desk.handle_command(CommandRequest(platform="email", event_id="r1", author=sam, text=f"resolve {key} done"))
    asked = (await world.deliver())[-1]
    world.take(mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"], body="yes"))
    assert tickets(world.desk)[0]["status"] == "resolved"
    world.take(mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"], body="yes", verified=True))
    assert tickets(world.desk)[0]["status"] == "closed"


async def test_two_workers_taking_the_same_mail_at_once_make_one_ticket(world: MailWorld) -> None:
    import asyncio

    from adapters.email.intake import MailIntake

    second = MailIntake(desk=world.desk, settings=world.adapter.settings)
    raw = mail()
    outcomes = await asyncio.gather(asyncio.to_thread(world.take, raw), asyncio.to_thread(second.take, raw))
    assert sorted(o.status for o in outcomes) == ["repeated", "taken"]
    assert len(tickets(world.desk)) == 1
    assert len(await world.deliver()) == 2


async def test_a_mailed_tickets_files_are_listed_on_its_card_and_saved_under_safe_names(
        world: MailWorld, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bot.cli import app
    from core.messages import Author, CommandRequest

    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
    world.take(mail(body="screenshot attached\n\n-- \nDana", files=[("../../screen\x1b[2J.png", "image/png", png)]))
    key = ticket_numbers(world)[0]
    sam = Author(platform="email", user_id=SAM_ADDRESS, display_name="Sam", email=SAM_ADDRESS)
    shown = world.desk.handle_command(CommandRequest(platform="email", event_id="show-1", author=sam,
                                                     text=f"show {key}"))
    (files,) = [f.value for f in shown.card.fields if f.label == "Attachments"]
    assert "screen" in files and "original.eml" in files and "(the original message)" in files
    assert f"spoc tickets attachments {key}" in files

    result = CliRunner().invoke(app, ["tickets", "attachments", key, "--save", str(tmp_path / "out")],
                                env={"SPOC_DATABASE_URL": str(world.desk.db.engine.url), "SPOC_CONFIG": "",
                                     "COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "original message" in result.stdout
    saved = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(saved) == 2 and all("/" not in name and "\x1b" not in name for name in saved)
    (picture,) = [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".png")]
    assert picture.read_bytes() == png
    (original,) = [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".eml")]
    assert b"screenshot attached" in original.read_bytes()


async def test_a_redelivered_reply_or_answer_changes_nothing(world: MailWorld) -> None:
    from core.messages import Author, CommandRequest

    world.take(mail())
    opened = (await world.deliver())[0]
    key = ticket_numbers(world)[0]
    reply = mail(subject=f"Re: {opened['Subject']}", in_reply_to=opened["Message-ID"], body="Still dropping.")
    assert world.take(reply).status == "taken"
    assert world.take(reply).status == "repeated"
    assert comments(world.desk, 1) == [("Still dropping.", False)]

    sam = Author(platform="email", user_id=SAM_ADDRESS, display_name="Sam", email=SAM_ADDRESS)
    world.desk.handle_command(CommandRequest(platform="email", event_id="r1", author=sam, text=f"resolve {key} done"))
    asked = (await world.deliver())[-1]
    yes = mail(subject=f"Re: {asked['Subject']}", in_reply_to=asked["Message-ID"], body="yes")
    assert world.take(yes).status == "taken"
    sent = len(await world.deliver())
    # The same mail again, as a mailbox moved between servers would give it: new headers, the same Message-ID.
    again = b"X-Moved-By: migration\r\n" + yes
    assert world.take(again).status == "repeated"
    assert tickets(world.desk)[0]["status"] == "closed"
    assert len(await world.deliver()) == sent


async def test_a_reply_to_the_requesters_own_first_mail_is_a_comment_and_may_answer_yes(world: MailWorld) -> None:
    from core.messages import Author, CommandRequest

    first = mail(verified=True)
    root = message_id_of(first)
    world.take(first)
    key = ticket_numbers(world)[0]
    world.take(mail(subject="Re: vpn keeps dropping", in_reply_to=root, references=root, verified=True,
                    body="It also drops on the office Wi-Fi.\n\nOn Mon, Dana wrote:\n> Since this morning"))
    assert comments(world.desk, 1) == [("It also drops on the office Wi-Fi.", False)]  # no subject glued on
    sam = Author(platform="email", user_id=SAM_ADDRESS, display_name="Sam", email=SAM_ADDRESS)
    world.desk.handle_command(CommandRequest(platform="email", event_id="r1", author=sam, text=f"resolve {key} done"))
    world.take(mail(subject="Re: vpn keeps dropping", in_reply_to=root, references=root, verified=True, body="yes"))
    assert tickets(world.desk)[0]["status"] == "closed"
    kim = mail(sender="kim@example.com", subject="Re: vpn keeps dropping", in_reply_to=root, references=root,
               body="me too")
    world.take(kim)  # another person on the same conversation: a report of her own, not a word on Dana's ticket
    assert len(tickets(world.desk)) == 2 and tickets(world.desk)[1]["description"].startswith("vpn keeps dropping")
