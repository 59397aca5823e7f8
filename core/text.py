"""Helpers for text that travels back into chat."""

from __future__ import annotations

import re

ZERO_WIDTH = "\u200b"
_PINGS = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def defuse_mentions(text: str) -> str:
    """Break every broadcast or user mention so that echoing user text never pings anyone."""
    text = _PINGS.sub(lambda m: "@" + ZERO_WIDTH + m.group(1), text)
    return text.replace("<!", "<" + ZERO_WIDTH + "!").replace("<@", "<" + ZERO_WIDTH + "@")


def clean_input(text: str) -> str:
    """Make any incoming text safe to store: valid Unicode without control characters."""
    if isinstance(text, bytes):  # pragma: no cover - adapters hand us str, this guards the edge
        text = text.decode("utf-8", errors="replace")
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def shorten(text: str, limit: int, *, pointer: str = "") -> str:
    if len(text) <= limit:
        return text
    tail = f"\u2026 (more: {pointer})" if pointer else "\u2026"
    return text[: max(0, limit - len(tail))].rstrip() + tail
