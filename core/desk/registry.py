"""Every `/desk` verb, declared once with its handler. A handler's docstring is its help text."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import process

from core.cards import Reply
from core.context import Ctx
from core.desk.grammar import Args

Who = Literal["anyone", "owner", "agent"]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"])")
Handler = Callable[[Ctx, Args], Reply]


@dataclass(frozen=True)
class Verb:
    name: str
    usage: str
    examples: tuple[str, ...]
    who: Who
    handler: Handler
    reads_only: bool = False

    @property
    def help(self) -> str:
        return inspect.cleandoc(self.handler.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first sentence of the help, whole however the docstring wraps it."""
        paragraph = " ".join(self.help.split("\n\n")[0].split())
        return _SENTENCE_END.split(paragraph, maxsplit=1)[0]


VERBS: dict[str, Verb] = {}


def verb(
    name: str, *, usage: str, examples: tuple[str, ...] = (), who: Who = "agent", reads_only: bool = False,
) -> Callable[[Handler], Handler]:
    """Declare a verb. `who`: anyone; owner (the ticket's requester or an agent); agent. A verb that
    `reads_only` (and at most sends) runs without holding the write lock: what it sends is stored after."""

    def register(handler: Handler) -> Handler:
        if not handler.__doc__:
            raise TypeError(f"/desk {name} needs a docstring: it is the command's help")
        VERBS[name] = Verb(name=name, usage=usage, examples=examples, who=who, handler=handler,
                           reads_only=reads_only)
        return handler

    return register


def closest(name: str, *, agent: bool = True) -> str | None:
    """The verb `name` most likely meant, among those the person may use."""
    usable = [v.name for v in VERBS.values() if agent or v.who != "agent"]
    match = process.extractOne(name, usable, score_cutoff=55)
    return match[0] if match else None
