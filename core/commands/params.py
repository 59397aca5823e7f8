"""The parameters a verb declares. Each knows how a `/desk` line writes it (`usage`), how a form asks for it
(`ask`, `choices`), and how one answer becomes its typed value (`read` for text, `accept` for a value that
arrives typed, as from a REST body)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from core.errors import UsageError
from core.lifecycle import parse_key
from core.settings import DeskSettings

Value = str | int | bool | date | datetime | tuple[str, ...] | None
FieldKind = Literal["text", "paragraph", "choice", "date", "datetime"]
Choices = tuple[tuple[str, str], ...]  # (value, what a form shows)


@dataclass(frozen=True)
class Env:
    """What reading an answer needs: the desk's settings and its time zone (a time written without an
    offset is in it)."""

    settings: DeskSettings
    zone: str = "UTC"
    now: datetime | None = None

    @property
    def today(self) -> date | None:
        """Today where the desk is (its time zone), when the time is known."""
        return self.now.astimezone(ZoneInfo(self.zone)).date() if self.now else None


class BadAnswer(UsageError):
    """An answer a parameter cannot read. `usage`: the command's usage line belongs after it."""

    def __init__(self, text: str, *, usage: bool = False) -> None:
        super().__init__(text)
        self.usage = usage


def or_list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


@dataclass(frozen=True, kw_only=True)
class Param:
    """`name` is the handler's keyword, a form field's id and a REST body's key. `what` names it in
    answers ("ticket key (like INC-42)"); `ask` is a form's question; `shown` writes its value in the
    usage line (KEY, REASON). An `option` is written `--name value` anywhere before free text; a
    `trailing` option may also follow it (`... --impact TEXT`). `missing` is what a person is told when a
    required parameter is not given (other values fill `{name}` slots)."""

    name: str
    what: str = ""
    ask: str = ""
    shown: str = ""
    required: bool = True
    option: bool = False
    trailing: bool = False
    missing: str = ""
    in_forms: bool = True
    options_from: Callable[[Env], Choices] | None = None
    hint: str = ""

    field_kind: ClassVar[FieldKind] = "text"
    empty: ClassVar[Value] = ""

    @property
    def noun(self) -> str:
        return self.what or self.name

    @property
    def named(self) -> str:
        """How an answer about it names it: `--risk` for an option, else what it is."""
        return f"--{self.name}" if self.option else self.noun

    @property
    def question(self) -> str:
        return self.ask or self.noun[:1].upper() + self.noun[1:]

    @property
    def usage(self) -> str:
        value = self.shown or self.name.upper()
        token = f"--{self.name} {value}" if self.option else value
        return token if self.required else f"[{token}]"

    def read(self, text: str, env: Env) -> Value:
        """One answer, as text; BadAnswer when it cannot be this parameter."""
        return text.strip()

    def accept(self, value: object, env: Env) -> Value:
        """A value from a form or a REST body: text is read as one answer; a typed value is checked."""
        if isinstance(value, str):
            return self.read(value, env)
        return self.check(value, env)

    def check(self, value: object, env: Env) -> Value:
        raise BadAnswer(f"{self.named} is text, not {type(value).__name__}.")

    def choices(self, env: Env) -> Choices:
        """The answers a form offers (none: the person writes one); `options_from` reads them from the
        settings."""
        return self.options_from(env) if self.options_from else ()

    def is_given(self, value: Value) -> bool:
        return value is not None and value != "" and value != ()


@dataclass(frozen=True, kw_only=True)
class TicketKey(Param):
    """A ticket's key (INC-42). The desk hands the handler the ticket itself, locked for the change."""

    what: str = "ticket key (like INC-42)"
    ask: str = "Ticket"
    shown: str = "KEY"

    def read(self, text: str, env: Env) -> Value:
        return text.strip()


@dataclass(frozen=True, kw_only=True)
class Word(Param):
    """One word. `accepts`: an optional word on a line is taken only when it accepts it (a team's name)."""

    lower: bool = False
    accepts: Callable[[str, Env], bool] | None = None

    def read(self, text: str, env: Env) -> Value:
        text = text.strip()
        return text.lower() if self.lower else text


@dataclass(frozen=True, kw_only=True)
class Text(Param):
    """Free text, kept as the person wrote it: on a line, the rest of it."""

    many_lines: bool = True

    @property
    def field_kind(self) -> FieldKind:  # type: ignore[override]
        return "paragraph" if self.many_lines else "text"


@dataclass(frozen=True, kw_only=True)
class Number(Param):
    """A whole number from `low` to `high` (no top when `high` is None)."""

    low: int
    high: int | None = None
    empty: ClassVar[Value] = None

    def read(self, text: str, env: Env) -> Value:
        token = text.strip()
        if token.isdigit() and self.low <= int(token) and (self.high is None or int(token) <= self.high):
            return int(token)
        if self.high is None:
            raise BadAnswer(f"A {self.noun} is a number from {self.low}, not {token!r}", usage=True)
        raise BadAnswer(f"{self.named} must be a number from {self.low} to {self.high}, not {token!r}", usage=True)

    def check(self, value: object, env: Env) -> Value:
        if isinstance(value, bool) or not isinstance(value, int):
            return super().check(value, env)
        return self.read(str(value), env)

    def choices(self, env: Env) -> Choices:
        """A short range is offered to choose from; a long one is written."""
        if self.high is None or self.high - self.low >= 25:
            return ()
        return tuple((str(n), str(n)) for n in range(self.low, self.high + 1))


@dataclass(frozen=True, kw_only=True)
class Choice(Param):
    """One of a few answers: `options` are (value, what a form shows). `listed` is how an answer lists
    them (default: the values, "low, medium or high")."""

    options: tuple[tuple[str | int, str], ...]
    listed: str = ""
    field_kind: ClassVar[FieldKind] = "choice"

    @property
    def usage(self) -> str:
        value = self.shown or "|".join(str(v) for v, _ in self.options)
        token = f"--{self.name} {value}" if self.option else value
        return token if self.required else f"[{token}]"

    @property
    def empty(self) -> Value:  # type: ignore[override]
        return None if isinstance(self.options[0][0], int) else ""

    def read(self, text: str, env: Env) -> Value:
        token = text.strip()
        for value, _shown in self.options:
            if str(value).lower() == token.lower():
                return value
        listed = self.listed or or_list([str(v) for v, _ in self.options])
        named = self.named if self.option else self.named[:1].upper() + self.named[1:]
        raise BadAnswer(f"{named} is {listed}, not {token!r}.")

    def check(self, value: object, env: Env) -> Value:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.read(str(value), env)
        return super().check(value, env)

    def choices(self, env: Env) -> Choices:
        return tuple((str(value), shown) for value, shown in self.options)


@dataclass(frozen=True, kw_only=True)
class When(Param):
    """A date and time. Written without an offset, it is the desk's local time (its default calendar)."""

    shown: str = "ISO"
    field_kind: ClassVar[FieldKind] = "datetime"
    empty: ClassVar[Value] = None

    def read(self, text: str, env: Env) -> Value:
        try:
            value = datetime.fromisoformat(text.strip().replace(" ", "T"))
        except ValueError:
            raise BadAnswer(f"{self.named} {text!r} is not a date and time: write it like 2026-03-07T22:00 "
                            "(the desk's time zone) or 2026-03-07T22:00+01:00.") from None
        return self.check(value, env)

    def check(self, value: object, env: Env) -> Value:
        if not isinstance(value, datetime):
            return super().check(value, env)
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(env.zone))
        return value.astimezone(UTC)


@dataclass(frozen=True, kw_only=True)
class Day(Param):
    """A date (YYYY-MM-DD). With a `marker`, a line writes it after that word: `until 2026-03-09`."""

    marker: str = ""
    field_kind: ClassVar[FieldKind] = "date"
    empty: ClassVar[Value] = None
    SHAPE: ClassVar[re.Pattern[str]] = re.compile(r"\d{4}-\d{2}-\d{2}")

    @property
    def usage(self) -> str:
        token = f"{self.marker} {self.shown or 'YYYY-MM-DD'}".strip()
        return token if self.required else f"[{token}]"

    def read(self, text: str, env: Env) -> Value:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            example = f"{self.marker} 2026-03-09".strip()
            raise BadAnswer(f"{text.strip()!r} is not a date: write it as YYYY-MM-DD, e.g. {example}.") from None

    def check(self, value: object, env: Env) -> Value:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        return super().check(value, env)


@dataclass(frozen=True, kw_only=True)
class Flag(Param):
    """An option without a value (`--draft`): given or not."""

    option: bool = True
    required: bool = False
    in_forms: bool = False
    empty: ClassVar[Value] = False
    field_kind: ClassVar[FieldKind] = "choice"

    @property
    def usage(self) -> str:
        return f"[--{self.name}]"

    def read(self, text: str, env: Env) -> Value:
        return text.strip().lower() in ("1", "true", "yes", "on", self.name)

    def check(self, value: object, env: Env) -> Value:
        if isinstance(value, bool):
            return value
        return super().check(value, env)

    def is_given(self, value: Value) -> bool:
        return value is True


@dataclass(frozen=True, kw_only=True)
class Keys(Param):
    """Ticket keys: on a line, the words after everything else."""

    shown: str = "INC-N ..."
    empty: ClassVar[Value] = ()

    @property
    def usage(self) -> str:
        return self.shown if self.required else f"[{self.shown}]"

    def read(self, text: str, env: Env) -> Value:
        words = text.replace(",", " ").split()
        for word in words:
            if parse_key(word) is None:
                raise BadAnswer(self.missing or f"{word!r} is not a ticket key: name {self.noun} like INC-42.")
        return tuple(words)

    def check(self, value: object, env: Env) -> Value:
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return self.read(" ".join(value), env)
        return super().check(value, env)
