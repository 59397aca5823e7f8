"""Splitting a `/desk` line into its verb and arguments, keeping free text as the person typed it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.errors import UsageError

_TOKEN = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|\S+)")


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return token


def strip_prefix(line: str) -> str:
    text = line.strip()
    for prefix in ("/desk", "desk"):
        if text.lower().startswith(prefix + " ") or text.lower() == prefix:
            return text[len(prefix):].strip()
    return text


@dataclass
class Args:
    """The arguments after the verb. `word()` takes one, `rest()` takes what is left verbatim."""

    raw: str
    usage: str = ""
    _pos: int = field(default=0)

    def _fail(self, what: str) -> UsageError:
        return UsageError(f"{what}. Usage: `/desk {self.usage}`" if self.usage else what)

    def peek(self) -> str | None:
        match = _TOKEN.match(self.raw, self._pos)
        return _unquote(match.group(1)) if match else None

    def word(self, name: str = "argument") -> str:
        match = _TOKEN.match(self.raw, self._pos)
        if not match:
            raise self._fail(f"Missing {name}")
        self._pos = match.end()
        return _unquote(match.group(1))

    def optional_word(self) -> str | None:
        return self.word() if self.peek() is not None else None

    def key(self) -> str:
        return self.word("ticket key (like INC-42)")

    def number(self, name: str, *, low: int, high: int) -> int:
        token = self.word(name)
        if not token.isdigit() or not low <= int(token) <= high:
            raise self._fail(f"{name} must be a number from {low} to {high}, not {token!r}")
        return int(token)

    def rest(self, name: str = "text", *, required: bool = False) -> str:
        text = self.raw[self._pos:].strip()
        self._pos = len(self.raw)
        if required and not text:
            raise self._fail(f"Missing {name}")
        unquoted = _unquote(text)
        return unquoted if _TOKEN.fullmatch(text) else text

    def options(self, *names: str) -> dict[str, str]:
        """Leading `--name value` pairs, for the names given; stops at the first other word."""
        found: dict[str, str] = {}
        while (token := self.peek()) is not None and token.startswith("--") and token[2:] in names:
            self.word()
            found[token[2:]] = self.word(token)
        return found

    def done(self) -> None:
        if self.raw[self._pos:].strip():
            raise self._fail(f"Unexpected {self.raw[self._pos:].strip()!r}")


def split_verb(line: str, verbs: set[str]) -> tuple[str, str]:
    """The longest known verb at the start (`kb search` before `kb`), and the raw rest of the line."""
    text = strip_prefix(line)
    words = text.split(None, 2)
    if len(words) >= 2 and f"{words[0].lower()} {words[1].lower()}" in verbs:
        return f"{words[0].lower()} {words[1].lower()}", text.split(None, 2)[2] if len(words) == 3 else ""
    if not words:
        return "", ""
    return words[0].lower(), text[len(words[0]):].strip()
