"""A received mail, read as far as it can be: headers, the text to show, its files. Malformed MIME, unknown
charsets and broken encodings give what can be recovered, never an exception."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from adapters.email.cleanup import html_to_text

MESSAGE_ID = re.compile(r"<([^<>\s]{1,990})>")
MAX_REFERENCES = 50
# Charsets that Python does not know under these names but mail clients write.
CHARSET_ALIASES = {"x-unknown": "latin-1", "unknown-8bit": "latin-1", "ks_c_5601-1987": "cp949",
                   "x-mac-roman": "mac_roman", "windows-874": "cp874", "gb2312": "gb18030", "gbk": "gb18030"}


@dataclass(frozen=True)
class MailFile:
    filename: str
    declared_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    raw: bytes
    message: Message
    message_id: str
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str
    from_html: bool
    files: tuple[MailFile, ...] = ()
    defects: tuple[str, ...] = field(default=())

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]

    def header(self, name: str) -> str:
        return header_text(self.message, name)

    def headers(self, name: str) -> list[str]:
        return [_as_text(value) for value in (self.message.get_all(name) or [])]


def read_mail(raw: bytes) -> Mail:
    # Read as a stream: parsing the whole mail as one decoded string would hold several copies of it at once.
    message = BytesParser(policy=policy.compat32).parse(io.BytesIO(raw))
    name, sender = parseaddr(header_text(message, "From"))
    text, from_html, files = _contents(message)
    defects = [type(d).__name__ for part in message.walk() for d in getattr(part, "defects", [])]
    return Mail(
        raw=raw, message=message, message_id=_message_id(message, raw), sender=sender.strip().lower(),
        sender_name=name.strip(), recipients=_recipients(message), subject=_one_line(header_text(message, "Subject")),
        in_reply_to=tuple(_ids(header_text(message, "In-Reply-To"))[:1]),
        references=tuple(_ids(header_text(message, "References"))[-MAX_REFERENCES:]),
        text=text, from_html=from_html, files=tuple(files), defects=tuple(defects),
    )


def header_text(message: Message, name: str) -> str:
    """A header decoded from RFC 2047 words in any charset; '' when it is missing or unreadable."""
    value = message.get(name)
    return "" if value is None else _as_text(value)


def _as_text(value: object) -> str:
    raw = str(value)
    try:
        return str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError, AssertionError):
        pieces = []
        for chunk, charset in decode_header(raw):
            if isinstance(chunk, bytes):
                pieces.append(_decode(chunk, charset))
            else:
                pieces.append(chunk)
        return "".join(pieces)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ids(text: str) -> list[str]:
    return MESSAGE_ID.findall(text)


def _message_id(message: Message, raw: bytes) -> str:
    found = _ids(header_text(message, "Message-ID"))
    if found:
        return found[0]
    # No Message-ID: the same bytes delivered twice are still one message.
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id"


def _recipients(message: Message) -> tuple[str, ...]:
    values = [header_text(message, name) for name in ("To", "Cc", "Delivered-To", "X-Original-To")]
    return tuple(dict.fromkeys(addr.strip().lower() for _name, addr in getaddresses(values) if "@" in addr))


def _decode(data: bytes, charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return data.decode(name, errors="replace")
    except LookupError:  # a charset Python has never heard of: readable Latin-1 rather than nothing
        return data.decode("utf-8", errors="strict") if _is_utf8(data) else data.decode("latin-1")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _payload(part: Message) -> bytes:
    body = part.get_payload()
    if isinstance(body, str) and part.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
        try:  # directly: the line breaks are skipped without a copy of every line (a 20 MB file is 270k lines)
            return base64.b64decode(body)
        except (binascii.Error, ValueError):
            pass  # bad padding or stray bytes: the lenient way below
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding: take the part as it stands
        data = None
    if isinstance(data, bytes):
        return data
    body = part.get_payload()
    return body.encode("utf-8", errors="replace") if isinstance(body, str) else b""


def _text_of(part: Message) -> str:
    return _decode(_payload(part), part.get_content_charset() or part.get_charset() or "utf-8")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (LookupError, UnicodeError, ValueError):
        name = ""
    return _as_text(name) if name else ""


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or bool(_filename(part))


def _contents(message: Message) -> tuple[str, bool, list[MailFile]]:
    """The text (plain preferred, else HTML made plain) and the files, walking the MIME tree ourselves so
    that an attached mail stays one file instead of its parts being read as this mail's."""
    plain: list[str] = []
    html: list[str] = []
    files: list[MailFile] = []

    def visit(part: Message, depth: int) -> None:
        if depth > 20:  # a bomb of nested parts
            return
        content_type = part.get_content_type()
        if part.is_multipart() and content_type != "message/rfc822":
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    visit(child, depth + 1)
            return
        if content_type == "message/rfc822":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner and isinstance(inner[0], Message) \
                else _payload(part)
            files.append(MailFile(filename=_filename(part) or "attached-message.eml",
                                  declared_type="message/rfc822", data=data))
            return
        if _is_attachment(part):
            files.append(MailFile(filename=_filename(part) or "attachment", declared_type=content_type,
                                  data=_payload(part)))
        elif content_type == "text/plain":
            plain.append(_text_of(part))
        elif content_type == "text/html":
            html.append(_text_of(part))
        elif content_type.startswith(("image/", "application/", "audio/", "video/")):
            files.append(MailFile(filename="attachment", declared_type=content_type, data=_payload(part)))

    visit(message, 0)
    if any(text.strip() for text in plain):
        return "\n\n".join(text for text in plain if text.strip()), False, files
    if html:
        return "\n\n".join(html_to_text(text) for text in html), True, files
    return "", False, files

