"""Every `/desk` verb, declared once with its handler. A handler's docstring is its help text."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import process

from core.cards import Reply
from core.context import Ctx
from core.desk.grammar import Args
from core.desk.permissions import AGENTS, Allow

Handler = Callable[[Ctx, Args], Reply]


@dataclass(frozen=True)
class Verb:
    name: str
    usage: str
    examples: tuple[str, ...]
    allow: Allow
    handler: Handler
    reads_only: bool = False

    @property
    def help(self) -> str:
        return inspect.cleandoc(self.handler.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.help.splitlines()[0] if self.help else ""


VERBS: dict[str, Verb] = {}


def verb(
    name: str, *, usage: str, examples: tuple[str, ...] = (), allow: Allow = AGENTS, reads_only: bool = False,
) -> Callable[[Handler], Handler]:
    """Declare a verb. `allow`: who may run it (core/desk/permissions.py), checked before the handler
    runs. A verb that `reads_only` (and at most sends) runs without holding the write lock: what it sends
    is stored after."""

    def register(handler: Handler) -> Handler:
        if not handler.__doc__:
            raise TypeError(f"/desk {name} needs a docstring: it is the command's help")
        VERBS[name] = Verb(name=name, usage=usage, examples=examples, allow=allow, handler=handler,
                           reads_only=reads_only)
        return handler

    return register


def closest(name: str) -> str | None:
    match = process.extractOne(name, list(VERBS), score_cutoff=55)
    return match[0] if match else None
