"""What adapters hand to the core: platform-neutral, with the platform's identifiers as opaque strings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Author:
    platform: str
    user_id: str
    display_name: str
    email: str | None = None
    is_agent: bool = False


@dataclass(frozen=True)
class Inbound:
    """A chat message. `thread` is the root message of the thread it was written in, if any."""

    platform: str
    event_id: str
    channel: str
    message_id: str
    author: Author
    text: str
    thread: str | None = None
    is_direct: bool = False
    is_intake: bool = False


@dataclass(frozen=True)
class CommandRequest:
    """A `/desk ...` command or a pressed button (whose command is its `/desk` twin)."""

    platform: str
    event_id: str
    author: Author
    text: str
    channel: str = ""
    thread: str | None = None


@dataclass(frozen=True)
class MessageChanged:
    """The original message of a ticket was edited (`text` set) or deleted (`text` None)."""

    platform: str
    event_id: str
    channel: str
    message_id: str
    text: str | None
