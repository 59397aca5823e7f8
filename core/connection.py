"""How an adapter tells the process that its platform connection has ended."""

from __future__ import annotations


class ConnectionFailed(Exception):
    """Raised by an adapter's `run` when its connection to the platform ends against its will.

    `permanent`: no retry can help (the token was refused, a permission or intent is missing, the
    connection stayed lost past its retry budget); the process stops and says `reason` in one line.
    Otherwise the process tries again with backoff."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
