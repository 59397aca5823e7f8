"""A verb's syntax: its parameters in order, and how the typed `Command` is built from a line, from a
form's answers or from a REST body (or from a line completed by answers: a button that asks first)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from core.commands.line import Cursor
from core.commands.params import BadAnswer, Day, Env, Flag, Keys, Param, Text, Value, Word, or_list
from core.errors import UsageError
from core.lifecycle import parse_key


@dataclass(frozen=True)
class Command:
    """A verb with its values by parameter name, typed: what every way of asking builds."""

    verb: str
    values: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Syntax:
    """`exact`: nothing may follow the last parameter (else extra words are ignored, as people add
    thanks and afterthoughts). `strict`: an unknown `--option` is refused (else it starts the free text).
    `missing`: one answer naming everything missing (`{missing}`), instead of the first one's."""

    verb: str
    params: tuple[Param, ...] = ()
    exact: bool = False
    strict: bool = False
    missing: str = ""

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(names) != len(set(names)):
            raise TypeError(f"/desk {self.verb}: two parameters share a name")

    @property
    def usage(self) -> str:
        return " ".join([self.verb, *(p.usage for p in self.params)])

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def command(self, env: Env, *, text: str = "", answers: Mapping[str, object] | None = None) -> Command:
        """The typed command from the words after the verb and/or answers by parameter name; UsageError
        (one line, saying what to do) when something is wrong or missing."""
        values = self.read_answers(env, answers or {})
        values.update(self.read_line(env, text, given=values))
        self.check_complete(values)
        return Command(self.verb, {p.name: values.get(p.name, p.empty) for p in self.params})

    def read_answers(self, env: Env, answers: Mapping[str, object]) -> dict[str, Value]:
        values: dict[str, Value] = {}
        for name, answer in answers.items():
            param = self.param(name)
            if param is None:
                known = ", ".join(p.name for p in self.params) or "none"
                raise UsageError(f"/desk {self.verb} has no {name!r} to answer (it takes: {known}).")
            value = self._read(lambda param=param, answer=answer: param.accept(answer, env))
            if param.is_given(value):
                values[name] = value
        return values

    def read_line(self, env: Env, text: str, *, given: Mapping[str, Value] | None = None) -> dict[str, Value]:
        """What a line says, for the parameters not `given` already."""
        given = given or {}
        cursor = Cursor(text)
        options = {p.name: p for p in self.params if p.option}
        queue = [p for p in self.params if not p.option and p.name not in given]
        values: dict[str, Value] = {}
        while (word := cursor.peek()) is not None:
            written, meant = word
            if written.startswith("--"):
                option = options.get(meant[2:].lower())
                if option is not None:
                    cursor.take()
                    values[option.name] = self._option_value(option, cursor, env)
                    continue
                if self.strict:
                    names = [f"--{p.name}" for p in self.params if p.option and not isinstance(p, Flag)]
                    names += [f"--{p.name}" for p in self.params if isinstance(p, Flag)]
                    raise UsageError(f"Unknown option {meant}: use {or_list(names)}.")
            if not queue:
                if self.exact:
                    raise self._fail(f"Unexpected {cursor.rest()!r}")
                break
            param = queue.pop(0)
            if isinstance(param, Day) and param.marker:
                if meant.lower() == param.marker and (after := cursor.peek_second()) and Day.SHAPE.match(after):
                    cursor.take()
                    cursor.take()
                    values[param.name] = self._read(lambda p=param, a=after: p.read(a, env))
                continue
            if isinstance(param, Word) and param.accepts is not None and not param.accepts(meant, env):
                continue
            if isinstance(param, Text):
                keys = queue[0] if queue and isinstance(queue[0], Keys) else None
                end = self._text_end(cursor)
                if keys is not None:
                    end, found = _trailing_keys(cursor.raw, cursor.pos, end)
                    if found:
                        values[keys.name] = found
                    queue.pop(0)
                values[param.name] = cursor.text_until(end)
                continue
            if isinstance(param, Keys):
                values[param.name] = self._read(lambda p=param: p.read(cursor.rest(), env))
                cursor.pos = len(cursor.raw)
                continue
            cursor.take()
            values[param.name] = self._read(lambda p=param, m=meant: p.read(m, env))
        return {name: value for name, value in values.items() if value != ""}  # empty free text: not given

    def _option_value(self, option: Param, cursor: Cursor, env: Env) -> Value:
        if isinstance(option, Flag):
            return True
        if isinstance(option, Text) and option.trailing:
            text = cursor.rest()
            cursor.pos = len(cursor.raw)
            if not text:
                raise self._fail(f"Missing {option.named}")
            return Cursor(text).text_until(len(text))
        written = cursor.take()
        if written is None:
            raise self._fail(f"Missing {option.named}")
        return self._read(lambda: option.read(written, env))

    def _text_end(self, cursor: Cursor) -> int:
        """Free text runs to the end of the line, or to the first option that may trail it."""
        trailing = [p.name for p in self.params if p.option and p.trailing]
        if not trailing:
            return len(cursor.raw)
        found = re.compile(r"(?:^|\s)--(?:" + "|".join(map(re.escape, trailing)) + r")(?=\s)", re.IGNORECASE
                           ).search(cursor.raw, cursor.pos)
        return found.start() if found else len(cursor.raw)

    def _read(self, read: Callable[[], Value]) -> Value:
        """`read()`'s value; a bad answer becomes the one line a person reads (with the usage if it helps)."""
        try:
            return read()
        except BadAnswer as bad:
            raise self._fail(str(bad)) if bad.usage else UsageError(str(bad)) from None

    def check_complete(self, values: Mapping[str, Value]) -> None:
        missing = [p for p in self.params if p.required and not p.is_given(values.get(p.name))]
        if not missing:
            return
        first = missing[0]
        shown = {name: "" if value is None else value for name, value in values.items()}
        if first.missing:
            raise UsageError(first.missing.format_map(_Blank(shown)))
        if self.missing:
            raise UsageError(self.missing.format(missing=", ".join(p.named for p in missing)))
        raise self._fail(f"Missing {first.named}")

    def _fail(self, what: str) -> UsageError:
        return UsageError(f"{what}. Usage: `/desk {self.usage}`")


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def _trailing_keys(raw: str, start: int, end: int) -> tuple[int, tuple[str, ...]]:
    """Where free text ends once the ticket keys written after it are taken off, and those keys."""
    words = list(re.finditer(r"\S+", raw[start:end]))
    keys: list[str] = []
    cut = end
    while words and "-" in words[-1].group() and parse_key(words[-1].group()) is not None:
        word = words.pop()
        keys.insert(0, word.group())
        cut = start + word.start()
    return cut, tuple(keys)

