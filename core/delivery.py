"""The port through which notifications leave spoc: each chat adapter implements `Messenger`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.cards import Card


@dataclass(frozen=True)
class Destination:
    """Where a card goes: a channel (and thread in it), or a person directly when `user_id` is set.
    `fallback_user_id` is whom to write directly when the thread can no longer be reached."""

    platform: str
    channel: str = ""
    thread: str = ""
    user_id: str = ""
    fallback_user_id: str = ""

    def describe(self) -> str:
        if self.user_id:
            return f"{self.platform}:@{self.user_id}"
        return f"{self.platform}:{self.channel}" + (f"/{self.thread}" if self.thread else "")


@dataclass(frozen=True)
class File:
    """An attachment's bytes, read from the database for its delivery."""

    name: str
    media_type: str
    data: bytes

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(frozen=True)
class Delivery:
    """One notification to send, with the bytes of the files its card carries (`files`, in the card's
    order; one whose bytes are gone is left out). `channel_last_sent_at` is when any worker last sent to
    its channel, so that a platform's pace per channel holds across workers, not only within one. A `quiet`
    delivery is a lightweight acknowledgement to `destination.user_id` about the message `destination.thread`
    (an ephemeral message, a reaction): it uses none of the channel's pace."""

    outbox_id: int
    destination: Destination
    card: Card
    ticket_key: str = ""
    replaces_message_id: str = ""
    channel_last_sent_at: datetime | None = None
    files: tuple[File, ...] = ()
    quiet: bool = False
    queued_at: datetime | None = None  # when the notification was written (the same on every attempt)
    # When an earlier attempt began whose outcome was never recorded (the process died, or the platform's
    # answer was lost or an error): the message may be there already, so the messenger looks for it before
    # sending it again, and returns the one it finds.
    unconfirmed_since: datetime | None = None

    @property
    def image(self) -> File | None:
        """The first image the card carries (a report's chart), shown with the card."""
        return next((f for f in self.files if f.is_image), None)


@dataclass(frozen=True)
class Delivered:
    message_id: str
    channel: str = ""


class DeliveryFailed(Exception):
    """Raised by a messenger. `permanent` failures are dead-lettered at once; `retry_after` is obeyed."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Messenger(Protocol):
    platform: str

    async def deliver(self, delivery: Delivery) -> Delivered:
        """Send the delivery's card, unless `delivery.unconfirmed_since` says it may be there already and the
        platform shows it is (then the message found)."""
        ...
