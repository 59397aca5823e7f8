"""A received mail becomes a ticket, a comment, a command, a polite refusal, or nothing (a robot wrote it).

Every path is one unit of work of the desk under the mail's own event id (its Message-ID), so a mail
delivered twice changes nothing; the caller marks it seen only once this returns."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from adapters.email.automatic import automatic_reason
from adapters.email.cleanup import strip_reply
from adapters.email.files import Refused, sort_files
from adapters.email.parse import Mail, read_mail
from adapters.email.senders import domain_allowed, mail_author, verified
from adapters.email.settings import PLATFORM, EmailSettings
from adapters.email.words import read_answer
from core.cards import Card, Reply, text_card
from core.delivery import Destination
from core.lifecycle import KEY_PREFIXES
from core.messages import Author, CommandRequest, Inbound, InboundFile
from core.refs import TicketRef
from core.service import Desk
from core.ticket_files import readable_size

log = logging.getLogger(__name__)
KEYS = "|".join(KEY_PREFIXES.values())
SUBJECT_KEY = re.compile(rf"\[\s*((?:{KEYS})-\d+)\s*\]", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    """What became of a mail: `taken` (a ticket, a comment or a command), `answered` (refused with an
    answer), `ignored` (a robot's, or nothing in it), or `repeated` (handled before)."""

    status: str
    detail: str = ""


class MailIntake:
    def __init__(self, *, desk: Desk, settings: EmailSettings) -> None:
        self.desk = desk
        self.settings = settings
        self.own_ids = re.compile(rf"^spoc\.((?:{KEYS})-\d+)\.\d+\.[0-9a-f]+@{re.escape(settings.domain)}$",
                                  re.IGNORECASE)

    def take(self, raw: bytes) -> Outcome:
        """Work one mail through the desk (synchronous: call it from a worker thread)."""
        if len(raw) > self.settings.max_message_bytes:
            return self.refuse_oversize(raw, size=len(raw))
        mail = read_mail(raw)
        event_id = f"mail:{mail.message_id}"
        robot = automatic_reason(mail, desk_addresses=self.settings.desk_addresses(), desk_domain=self.settings.domain)
        if robot:
            log.info("mail %s from %s not taken: %s", mail.message_id, mail.sender or "-", robot)
            return Outcome("ignored", robot)
        is_verified = verified(mail, trusted=self.settings.trusted_authserv_ids)
        if not domain_allowed(mail.sender_domain, self.settings.allowed_domains):
            return self._refuse_domain(mail, event_id=event_id, is_verified=is_verified)
        author = mail_author(mail, is_verified=is_verified)
        ref = self._ticket_named(mail)
        # A reply in the requester's own thread (to their first mail, say): the desk takes it as a comment.
        in_thread = None if ref is not None else self._ticket_of_thread(mail)
        about = ref or in_thread
        body = strip_reply(mail.text)
        answer = read_answer(body, key=about.key if about else "", status=about.status if about else "")
        if answer is not None:
            reply = self.desk.handle_command(CommandRequest(
                platform=PLATFORM, event_id=event_id, author=author, text=answer.text, channel=mail.sender,
                thread=mail.message_id))
            if reply.outcome == "repeated":
                return Outcome("repeated")
            if reply.outcome == "refused" or not answer.quiet:
                self._answer(mail, event_id=f"{event_id}:answer", card=_reply_card(reply))
            return Outcome("taken", f"command {answer.text.split(' ')[0]}")
        return self._message(mail, event_id=event_id, author_ref=ref, body=body, author=author,
                             comment=about is not None)

    def _message(self, mail: Mail, *, event_id: str, author_ref: TicketRef | None, body: str,
                 author: Author, comment: bool) -> Outcome:
        files, refused = sort_files(mail.files, self.settings.attachments)
        limit = self.settings.max_body_chars
        shortened = mail.from_html or body != mail.text.strip() or len(body) > limit
        if len(body) > limit:
            body = body[:limit].rstrip() + "\u2026 (cut; the whole message is attached)"
        if shortened:
            files.append(InboundFile(filename="original.eml", media_type="message/rfc822", data=mail.raw,
                                    original=True))
        text = body if comment else _with_subject(mail.subject, body)
        if refused:
            text += "\n\n(Files not kept: " + "; ".join(r.describe() for r in refused) + ")"
        if not text.strip() and files:
            text = "(sent " + ", ".join(f.filename for f in files if not f.original) + ")"
        thread = _thread_of(mail)
        taken = self.desk.handle_message(Inbound(
            platform=PLATFORM, event_id=event_id, channel=mail.sender, message_id=mail.message_id,
            author=author, text=text, thread=thread, is_direct=True, is_intake=True,
            ticket_key=author_ref.key if author_ref else "", files=tuple(files)))
        if not taken:
            return Outcome("repeated" if text.strip() else "ignored", "" if text.strip() else "nothing in it")
        if refused:
            self._answer(mail, event_id=f"{event_id}:files", card=_files_refused_card(refused, self.settings))
        return Outcome("taken", f"{len(files)} file(s) kept" if files else "")

    def _ticket_named(self, mail: Mail) -> TicketRef | None:
        """The ticket a reply is about: one of the desk's own Message-IDs it answers, else [INC-42] in its
        subject."""
        for message_id in (*mail.in_reply_to, *reversed(mail.references)):
            found = self.own_ids.match(message_id)
            if found:
                ref = self.desk.ticket_ref(found.group(1))
                if ref is not None:
                    return ref
        tagged = SUBJECT_KEY.search(mail.subject)
        return self.desk.ticket_ref(tagged.group(1).upper()) if tagged else None

    def _ticket_of_thread(self, mail: Mail) -> TicketRef | None:
        thread = _thread_of(mail)
        return self.desk.thread_ref(platform=PLATFORM, channel=mail.sender, thread=thread) if thread else None

    def refuse_oversize(self, head: bytes, *, size: int) -> Outcome:
        """A mail over the size limit is not taken; its sender is told why, once (read from its headers)."""
        mail = read_mail(head)
        robot = automatic_reason(mail, desk_addresses=self.settings.desk_addresses(), desk_domain=self.settings.domain)
        if robot or not domain_allowed(mail.sender_domain, self.settings.allowed_domains):
            return Outcome("ignored", robot or "sender's domain not allowed")
        limit = readable_size(self.settings.max_message_bytes)
        card = text_card(
            f"Your message \"{mail.subject or '(no subject)'}\" is {readable_size(size)}, more than the {limit} "
            f"the IT desk accepts, so it was not taken. Please send it again without the large files "
            f"(a link to them is fine).", tone="warning")
        sent = self._answer(mail, event_id=f"mail:{mail.message_id}", card=card)
        return Outcome("answered" if sent else "repeated", "over the size limit")

    def _refuse_domain(self, mail: Mail, *, event_id: str, is_verified: bool) -> Outcome:
        # Only a verified sender is answered: an answer to a forged address would be mail to a stranger.
        if not is_verified:
            return Outcome("ignored", f"{mail.sender_domain} is not an allowed domain")
        card = text_card(f"The IT desk at {self.settings.address} takes requests from its own organisation only, "
                         f"so your message \"{mail.subject or '(no subject)'}\" was not taken. "
                         "Please contact your own IT support or your contact person here.", tone="warning")
        sent = self._answer(mail, event_id=event_id, card=card)
        return Outcome("answered" if sent else "repeated", f"{mail.sender_domain} is not an allowed domain")

    def _answer(self, mail: Mail, *, event_id: str, card: Card) -> bool:
        if not mail.sender:
            return False
        return self.desk.answer(platform=PLATFORM, event_id=event_id, card=card,
                                to=Destination(PLATFORM, channel=mail.sender, thread=mail.message_id))


def _thread_of(mail: Mail) -> str | None:
    """The root of the conversation a mail answers: the first of its References, else what it replies to."""
    return (mail.references[:1] or mail.in_reply_to[:1] or [None])[0]


def _with_subject(subject: str, body: str) -> str:
    subject = REPLY_PREFIX.sub("", subject).strip()
    if not subject or subject.lower() in body[:len(subject) + 40].lower():
        return body
    return f"{subject}\n\n{body}".strip()


def _reply_card(reply: Reply) -> Card:
    if reply.card is not None:
        if reply.text:
            return Card(title=reply.card.title, text=f"{reply.text}\n\n{reply.card.text}".strip(),
                        fields=reply.card.fields, buttons=reply.card.buttons, footer=reply.card.footer,
                        tone=reply.card.tone, more_command=reply.card.more_command)
        return reply.card
    return text_card(reply.text.replace("`", ""), tone="warning" if reply.outcome == "refused" else "info")


def _files_refused_card(refused: list[Refused], settings: EmailSettings) -> Card:
    lines = "\n".join(f"- {r.describe()}" for r in refused)
    return text_card(f"Your message was taken, but these files were not kept:\n{lines}\n"
                     f"Files up to {readable_size(settings.attachments.max_bytes)} of common document and "
                     "image types are kept.", tone="warning")
