"""Checking the answers to an item's form all at once, each field's problem on its own line: what a web form
shows beside each field and what the REST API names per field, before the order is placed (which reads the
answers again by the same rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.orm import Session

from core.catalog.form import field_param
from core.commands.params import Env
from core.config.catalog import CatalogItem, ItemField
from core.errors import DeskError
from core.person_lookup import one_person


def answer_problems(session: Session, env: Env, item: CatalogItem, answers: Mapping[str, object], *,
                    platform: str) -> dict[str, str]:
    """Why each answer cannot be used, by field name; empty when the order can be placed. A required field
    left empty, a value its kind refuses (a choice not offered, a date in the past, a number out of range),
    someone the desk does not know, and a field the item does not ask each get one line."""
    problems = {name: f"{item.name} asks no {name!r}; its fields are {', '.join(f.name for f in item.fields)}."
                for name in answers if item.field(name) is None}
    for field in item.fields:
        value = answers.get(field.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                problems[field.name] = f"{_label(field)} is required."
            continue
        problem = _problem(session, env, item, field, value, platform=platform)
        if problem:
            problems[field.name] = problem
    return problems


def _problem(session: Session, env: Env, item: CatalogItem, field: ItemField, value: object, *,
             platform: str) -> str:
    # Named by its label here (the line's `--name` means nothing beside a form's field).
    param = replace(field_param(field), option=False)
    try:
        param.accept(value, env)
        if field.kind == "person":
            one_person(session, str(value), platform=platform, any_name=True)
    except DeskError as bad:
        return str(bad)
    return ""


def _label(field: ItemField) -> str:
    return field.label.rstrip("?:").strip() or field.name
