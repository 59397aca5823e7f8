"""Every `/desk` verb, declared once: its parameters (`core.commands`), who may run it (`allow`, see
core/desk/permissions.py), examples, and its handler, whose docstring is its help text.

    @verb("hold", TicketKey(name="ticket"), Day(name="until", marker="until", required=False),
          Text(name="reason"), examples=("hold INC-42 waiting for the vendor",))
    def hold(ctx: Ctx, *, ticket: TicketRow, until: date | None, reason: str) -> Reply:

The handler takes the parameters by name, typed: a ticket key arrives as the ticket itself, locked.
Usage lines, help, the README reference, forms and the chat platforms' command trees are generated
from this.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rapidfuzz import process

from core.cards import Reply
from core.commands.line import split_verb
from core.commands.params import Env, Param, TicketKey
from core.commands.syntax import Syntax
from core.desk.permissions import AGENTS, Allow
from core.errors import UsageError

Handler = Callable[..., Reply]
# The parameters that follow from the value of a verb's first one (an order's item gives its form's fields).
More = Callable[[Env, str], tuple[Param, ...]]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"])")


@dataclass(frozen=True)
class Verb:
    syntax: Syntax
    allow: Allow
    handler: Handler
    examples: tuple[str, ...] = ()
    reads_only: bool = False
    more: More | None = None
    opens_form: bool = False

    def syntax_for(self, env: Env, *, text: str, answers: Mapping[str, object]) -> Syntax:
        """The verb's syntax with the parameters its first one's value brings (`more`): read leniently
        first to learn that value, from the answers or the line."""
        if self.more is None:
            return self.syntax
        first = self.syntax.params[0]
        value = answers.get(first.name)
        if not isinstance(value, str) or not value:
            try:
                value = str(self.syntax.read_line(env, text).get(first.name) or "")
            except UsageError:
                value = ""
        extra = self.more(env, value) if value else ()
        return Syntax(verb=self.name, params=self.syntax.params + extra, exact=self.syntax.exact,
                      strict=bool(extra), missing=self.syntax.missing)

    @property
    def name(self) -> str:
        return self.syntax.verb

    @property
    def usage(self) -> str:
        return self.syntax.usage

    @property
    def params(self) -> tuple[Param, ...]:
        return self.syntax.params

    @property
    def tickets(self) -> tuple[TicketKey, ...]:
        """The parameters that name tickets; the first is the ticket the permission speaks of."""
        return tuple(p for p in self.params if isinstance(p, TicketKey))

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
    name: str, *params: Param, allow: Allow = AGENTS, examples: tuple[str, ...] = (), reads_only: bool = False,
    exact: bool = False, strict: bool = False, missing: str = "", more: More | None = None,
    opens_form: bool = False,
) -> Callable[[Handler], Handler]:
    """Declare a verb. `params` in the order a line writes them; `exact`, `strict` and `missing` shape
    how a line is read (core/commands/syntax.py). A verb that `reads_only` (and at most sends) runs
    without holding the write lock: what it sends is stored after. `more` gives the parameters that
    follow from the first one's value; the handler takes their values as `answers`, by name. A verb that
    `opens_form` is asked as a form when a line leaves any of its required parameters unanswered."""
    syntax = Syntax(verb=name, params=params, exact=exact, strict=strict, missing=missing)

    def register(handler: Handler) -> Handler:
        if not handler.__doc__:
            raise TypeError(f"/desk {name} needs a docstring: it is the command's help")
        declared = sorted([p.name for p in params] + (["answers"] if more else []))
        taken = sorted(p.name for p in inspect.signature(handler).parameters.values()
                       if p.kind is inspect.Parameter.KEYWORD_ONLY)
        if declared != taken:
            raise TypeError(f"/desk {name}: the handler takes {taken}, the verb declares {declared}")
        if allow.needs_ticket and not any(isinstance(p, TicketKey) for p in params):
            raise TypeError(f"/desk {name}: who may run it depends on a ticket, and it names none")
        VERBS[name] = Verb(syntax=syntax, allow=allow, handler=handler, examples=examples, reads_only=reads_only,
                           more=more, opens_form=opens_form)
        return handler

    return register


def find(line: str) -> tuple[str, Verb | None, str]:
    """The verb a `/desk` line starts with (the name as typed when unknown), and the words after it."""
    name, rest = split_verb(line, VERBS)
    return name, VERBS.get(name), rest


def closest(name: str, *, agent: bool = True) -> str | None:
    """The verb `name` most likely meant, among those the person may use."""
    usable = [v.name for v in VERBS.values() if agent or not v.allow.staff_only]
    match = process.extractOne(name, usable, score_cutoff=55)
    return match[0] if match else None
