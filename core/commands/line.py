"""How a `/desk` line is written: the verb, then words; a quoted string is one word; free text is kept as
the person typed it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|\S+)")


def unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return token


def strip_prefix(line: str) -> str:
    text = line.strip()
    for prefix in ("/desk", "desk"):
        if text.lower().startswith(prefix + " ") or text.lower() == prefix:
            return text[len(prefix):].strip()
    return text


def split_verb(line: str, verbs: Iterable[str]) -> tuple[str, str]:
    """The longest known verb at the start (`kb search` before `kb`), and the raw rest of the line."""
    known = set(verbs)
    text = strip_prefix(line)
    words = text.split(None, 2)
    if len(words) >= 2 and f"{words[0].lower()} {words[1].lower()}" in known:
        return f"{words[0].lower()} {words[1].lower()}", words[2] if len(words) == 3 else ""
    if not words:
        return "", ""
    return words[0].lower(), text[len(words[0]):].strip()


@dataclass
class Cursor:
    """A position in the words after the verb."""

    raw: str
    pos: int = 0

    def peek(self) -> tuple[str, str] | None:
        """The next word as written (quotes and all) and as meant (unquoted); None at the end."""
        match = TOKEN.match(self.raw, self.pos)
        return (match.group(1), unquote(match.group(1))) if match else None

    def take(self) -> str | None:
        match = TOKEN.match(self.raw, self.pos)
        if not match:
            return None
        self.pos = match.end()
        return unquote(match.group(1))

    def peek_second(self) -> str | None:
        first = TOKEN.match(self.raw, self.pos)
        second = TOKEN.match(self.raw, first.end()) if first else None
        return unquote(second.group(1)) if second else None

    def rest(self) -> str:
        return self.raw[self.pos:].strip()

    def text_until(self, end: int) -> str:
        """The words up to `end` as written; a single quoted string loses its quotes."""
        text = self.raw[self.pos:end].strip()
        self.pos = end
        return unquote(text) if TOKEN.fullmatch(text) else text
