"""Errors a person can cause. Each carries the one-line answer they get; raising one changes nothing."""

from __future__ import annotations


class DeskError(Exception):
    """Refused: the message says what to do instead. The unit of work is rolled back."""


class UnknownTicket(DeskError):
    def __init__(self, key: str) -> None:
        super().__init__(f"No ticket {key.strip().upper() or '(none given)'}. `/desk mine` lists yours.")


class NotAllowed(DeskError):
    pass


class UsageError(DeskError):
    pass
