"""A form: the questions a verb still needs answered, as plain data that each surface renders (a chat
platform's modal, a web page). Its answers come back by field name, each read by its parameter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.commands.params import Choices, Env, FieldKind, Param, Value
from core.commands.syntax import Syntax


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    required: bool
    choices: Choices = ()
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """`command` is the line the answers complete (`resolve INC-42`): it travels with the form and comes
    back with its answers."""

    command: str
    fields: tuple[FormField, ...]


def form_field(param: Param, env: Env, *, label: str = "") -> FormField:
    choices = param.choices(env)
    kind: FieldKind = "choice" if choices else param.field_kind
    if kind == "choice" and not choices:
        kind = "text"
    return FormField(name=param.name, label=label or param.question, kind=kind, required=param.required,
                     choices=choices, hint=param.hint)


def form_for(syntax: Syntax, env: Env, *, command: str, given: Mapping[str, Value], prompt: str = "") -> Form:
    """The fields for every parameter a form may ask that `given` does not hold: what a line writes as
    words first, then its options. `prompt` labels the first required one (or the first, when none is
    required)."""
    open_ = [p for p in syntax.params if p.in_forms and not p.is_given(given.get(p.name))]
    asked = [p for p in open_ if not p.option] + [p for p in open_ if p.option]  # free text first
    headed = next((p for p in asked if p.required), asked[0] if asked else None)
    return Form(command=command, fields=tuple(
        form_field(p, env, label=prompt if p is headed and prompt else "") for p in asked))
