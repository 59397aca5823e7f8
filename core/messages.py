"""What adapters hand to the core: platform-neutral, with the platform's identifiers as opaque strings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Author:
    """Who wrote, as the platform says. `display_name` is chosen by the person and decides nothing."""

    platform: str
    user_id: str
    display_name: str
    # Only an address the platform vouches for (a verified member of the desk's own workspace), else None.
    email: str | None = None
    # The platform's agents' group or role holds this account; `roles_known` is False when the platform
    # could not be asked, and then the role stays as it was.
    is_agent: bool = False
    roles_known: bool = True
    # "" for the desk's own workspace; another organisation's id (a channel shared with it) otherwise.
    workspace: str = ""


@dataclass(frozen=True)
class InboundFile:
    """A file that came with a message. `original` marks the whole message itself, kept because the text
    handed to the desk was shortened (quoted history, a signature) or converted."""

    filename: str
    media_type: str
    data: bytes
    original: bool = False


@dataclass(frozen=True)
class ReadMark:
    """Where a message can be read again (`place`: a channel or thread the adapter can page through) and
    its `position` there, in the platform's order of messages as a whole number."""

    place: str
    position: int


@dataclass(frozen=True)
class Inbound:
    """A chat message. `thread` is the root message of the thread it was written in, if any. `ticket_key`
    is the ticket the message says it belongs to (a key its platform carried beside the text); it is taken
    as a comment there only from the ticket's requester or an agent."""

    platform: str
    event_id: str
    channel: str
    message_id: str
    author: Author
    text: str
    thread: str | None = None
    is_direct: bool = False
    is_intake: bool = False
    ticket_key: str = ""
    files: tuple[InboundFile, ...] = ()
    mark: ReadMark | None = None


@dataclass(frozen=True)
class CommandRequest:
    """A command. `text` is a `/desk` line as typed, or a pressed button's twin; or, when `verb` is given,
    the words after that verb. `answers` are values by parameter name (a form's fields, a REST body), each
    read by its parameter and never written into a line: text as it was entered, or a typed value (a
    number, a date, an instant)."""

    platform: str
    event_id: str
    author: Author
    text: str = ""
    channel: str = ""
    thread: str | None = None
    verb: str = ""
    answers: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageChanged:
    """The original message of a ticket was edited (`text` set) or deleted (`text` None)."""

    platform: str
    event_id: str
    channel: str
    message_id: str
    text: str | None
