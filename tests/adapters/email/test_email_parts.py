"""The e-mail adapter's parts on their own: who a sender is, what a person wrote, what a reply word means,
and the config section."""

from __future__ import annotations

import pytest

from adapters.email.cleanup import html_to_text, strip_reply
from adapters.email.files import judge
from adapters.email.parse import MailFile, read_mail
from adapters.email.senders import domain_allowed, mail_author, verified
from adapters.email.settings import AttachmentSettings
from adapters.email.words import read_answer, reply_word
from bot.config import ConfigError, parse_config
from core.cards import Button
from tests.adapters.email.conftest import TRUSTED, mail


def results(header: str, *, sender: str = "sam@example.com") -> bool:
    raw = mail(sender=sender, headers={"Authentication-Results": header})
    return verified(read_mail(raw), trusted=(TRUSTED,))


def test_a_sender_is_verified_only_by_a_trusted_servers_dmarc_or_aligned_dkim_pass() -> None:
    assert results(f"{TRUSTED}; dmarc=pass (p=reject) header.from=example.com")
    assert results(f"{TRUSTED} 1; dkim=pass header.d=example.com header.s=sel")
    assert results(f"{TRUSTED}; dkim=pass header.d=example.com", sender="sam@eu.example.com")
    assert not results(f"{TRUSTED}; dkim=pass header.d=attacker.test")
    assert not results(f"{TRUSTED}; spf=pass smtp.mailfrom=sam@example.com")
    assert not results(f"{TRUSTED}; dmarc=fail header.from=example.com")
    assert not results(f"{TRUSTED}; dmarc=pass header.from=attacker.test")
    assert not results("mx.attacker.test; dmarc=pass header.from=example.com")
    assert not verified(read_mail(mail(verified=True)), trusted=())


def test_an_unverified_address_is_an_account_apart_that_joins_nobody() -> None:
    forged = mail_author(read_mail(mail(sender="Sam@Example.com", name="Sam")), is_verified=False)
    assert forged.user_id == "sam@example.com" and forged.email is None and not forged.is_agent
    real = mail_author(read_mail(mail(sender="sam@example.com", verified=True)), is_verified=True)
    assert real.email == "sam@example.com"
    assert forged.workspace == "unverified" and real.workspace == ""


def test_allowed_domains_match_exactly_or_by_subdomain_pattern() -> None:
    assert domain_allowed("anything.test", ())
    assert domain_allowed("example.com", ("example.com",))
    assert not domain_allowed("badexample.com", ("example.com",))
    assert domain_allowed("eu.example.com", ("*.example.com",))
    assert not domain_allowed("example.com.attacker.test", ("*.example.com",))


def test_quoted_history_in_each_clients_style_is_taken_off() -> None:
    assert strip_reply("Thanks, works.\n\nOn Mon, 2 Mar 2026 at 09:00, IT <it@example.com> wrote:\n> old") \
        == "Thanks, works."
    assert strip_reply("Danke\n\nAm 02.03.2026 um 09:00 schrieb IT <it@example.com>:\n> alt") == "Danke"
    assert strip_reply("still broken\n\n-----Original Message-----\nFrom: IT\nSent: Monday\nTo: Dana") \
        == "still broken"
    assert strip_reply("still broken\n________________________________\nFrom: IT\nSent: Monday") == "still broken"
    assert strip_reply("see below\n\nFrom: IT Service Desk\nSent: Monday, March 2\nTo: Dana\nSubject: x\n\nold") \
        == "see below"
    assert strip_reply("first\n> quoted\nanswer inline") == "first\nanswer inline"
    assert strip_reply("ok\n\nSent from my iPhone") == "ok"
    assert strip_reply("ok\n-- \nDana Smith\nFinance") == "ok"
    forwarded = "FYI\n\n---------- Forwarded message ---------\nFrom: printer@example.com\n\nToner low"
    assert strip_reply(forwarded) == forwarded
    assert strip_reply("> everything quoted") == "> everything quoted"


def test_html_becomes_plain_text_with_links_but_no_scripts_styles_or_dangerous_urls() -> None:
    text = html_to_text('<style>x{}</style><p>Hi&nbsp;there</p><script>evil()</script>'
                        '<a href="https://wiki.example.com/vpn">the guide</a> '
                        '<a href="javascript:alert(1)">click</a><ul><li>one</li><li>two</li></ul>')
    assert "evil" not in text and "x{}" not in text and "javascript" not in text
    assert "the guide <https://wiki.example.com/vpn>" in text
    assert "- one\n- two" in text
    assert html_to_text("<p>unclosed <b>tags <i>everywhere") == "unclosed tags everywhere"


def test_files_are_judged_by_size_type_and_their_first_bytes() -> None:
    small = AttachmentSettings(max_mb=1)
    assert judge(MailFile("a.png", "image/png", b"\x89PNG\r\n\x1a\n..."), small) == ("image/png", "")
    assert judge(MailFile("a.bin", "application/octet-stream", b"%PDF-1.4 ..."), small) == ("application/pdf", "")
    assert judge(MailFile("r.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          b"PK\x03\x04..."), small)[1] == ""
    assert "not accepted" in judge(MailFile("x.exe", "application/pdf", b"MZ..."), small)[1]
    assert "not accepted" in judge(MailFile("x.pdf", "application/pdf", b"\x7fELF..."), small)[1]
    assert "claims" in judge(MailFile("x.pdf", "application/pdf", b"<html>"), small)[1]
    assert "over the" in judge(MailFile("big.txt", "text/plain", b"a" * (2 * 1024 * 1024)), small)[1]
    assert "not accepted" in judge(MailFile("x.html", "text/html", b"<html>"), small)[1]


def test_reply_words_answer_only_what_the_ticket_is_waiting_for() -> None:
    assert reply_word(Button("Yes, it's fixed", "confirm INC-4")) == "yes"
    assert reply_word(Button("No", "reject INC-4", prompt="What?")) == "no"
    assert reply_word(Button("5", "rate INC-4 5")) == "5"
    assert reply_word(Button("Solved", "kb solved INC-4 vpn")) == "/desk kb solved INC-4 vpn"
    assert read_answer("Yes, thanks!", key="INC-4", status="resolved").text == "confirm INC-4"  # type: ignore[union-attr]
    assert read_answer("no - still slow", key="INC-4", status="resolved").text == "reject INC-4 still slow"  # type: ignore[union-attr]
    assert read_answer("yes", key="INC-4", status="in_progress") is None
    assert read_answer("4 good", key="INC-4", status="closed").text == "rate INC-4 4 good"  # type: ignore[union-attr]
    assert read_answer("4 printers broken", key="INC-4", status="resolved") is None
    assert read_answer("/desk mine", key="", status="").text == "mine"  # type: ignore[union-attr]
    assert read_answer("yes", key="", status="") is None


def test_the_email_section_is_validated_and_secrets_come_from_the_environment() -> None:
    config = parse_config("email:\n  address: IT@Example.com\n  imap: {host: imap.example.com, username: it}\n"
                          "  smtp: {host: smtp.example.com}\n",
                          environ={"EMAIL_IMAP_PASSWORD": "pw"})
    assert config.email.address == "it@example.com" and config.email.imap.password == "pw"
    assert config.email.imap.real_port == 993 and config.email.smtp.real_port == 587
    assert config.adapters() == ("email",)
    assert config.run_problems() == []
    missing = parse_config("email:\n  address: it@example.com\n  imap: {host: imap.example.com}\n", environ={})
    assert [p.path for p in missing.run_problems()] == ["email.imap.username", "email.imap.password",
                                                        "email.smtp.host"]
    assert "EMAIL_IMAP_PASSWORD" in str(missing.run_problems()[1])
    lists = parse_config("email: {address: it@example.com, listener: {enabled: true}, smtp: {host: smtp.example.com}}\n"
                         "desk:\n  services:\n    - {name: email, channels: {email: [all-staff@example.com]}}\n"
                         "    - {name: vpn, channels: {email: [all-staff]}}\n", environ={})
    (wrong,) = lists.run_problems()
    assert wrong.path == "desk.services[vpn].channels.email" and "'all-staff' is not an e-mail address" in str(wrong)
    assert lists.run_problems(("console",)) == []
    for bad, where in (("email: {address: not-an-address}", "email.address"),
                       ("email: {allowed_domains: ['exa mple']}", "email.allowed_domains"),
                       ("email: {imap: {security: ssl}}", "email.imap.security"),
                       ("email: {imap: {password: hunter2}}", "email.imap.password"),
                       ("email: {listener: {enabled: true}}", "email"),
                       ("email: {smpt: {}}", "email.smpt")):
        with pytest.raises(ConfigError) as error:
            parse_config(bad, environ={})
        assert where in [p.path for p in error.value.problems], (bad, error.value.problems)
