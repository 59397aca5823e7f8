"""An item's form as typed parameters: each field of the item is a parameter of `/desk order ITEM`, so a
line, a chat platform's modal and a field-by-field prompt are all read by the same rules."""

from __future__ import annotations

from dataclasses import dataclass

from core.commands.params import BadAnswer, Choice, Day, Env, Number, Param, Text, Value
from core.config.catalog import CatalogItem, ItemField


@dataclass(frozen=True, kw_only=True)
class ItemDay(Day):
    """A date of an order: today or later, unless the field allows the past."""

    past: bool = False

    def read(self, text: str, env: Env) -> Value:
        day = super().read(text, env)
        today = env.today
        if not self.past and today is not None and day is not None and day < today:  # type: ignore[operator]
            raise BadAnswer(f"{self.question} {text.strip()} is in the past: give today ({today.isoformat()}) "
                            "or a later date.")
        return day


@dataclass(frozen=True, kw_only=True)
class PersonName(Text):
    """Someone the desk knows, as an @mention, an e-mail or a name: looked up when the order is placed."""

    many_lines: bool = False
    what: str = "a person (@mention, e-mail or name)"


def field_param(field: ItemField) -> Param:
    common = dict(name=field.name, ask=field.label, required=field.required, option=True, hint=field.help,
                  what=field.label.rstrip("?").strip() or field.name)
    if field.kind == "choice":
        return Choice(options=tuple((choice, choice) for choice in field.choices), **common)  # type: ignore[arg-type]
    if field.kind == "number":
        return Number(low=field.min, high=field.max, **common)  # type: ignore[arg-type]
    if field.kind == "date":
        return ItemDay(past=field.past, shown="YYYY-MM-DD", **common)  # type: ignore[arg-type]
    if field.kind == "person":
        return PersonName(shown="PERSON", **common)  # type: ignore[arg-type]
    return Text(many_lines=field.kind == "paragraph", shown="TEXT", **common)  # type: ignore[arg-type]


def item_params(env: Env, named: str) -> tuple[Param, ...]:
    """The parameters an item's form adds to `/desk order`; none when `named` is no item."""
    item = env.settings.catalog.item(named)
    return tuple(field_param(f) for f in item.fields) if item else ()


def summary(item: CatalogItem, answers: dict[str, object]) -> str:
    """The answers as lines a person reads: "Which share?: finance"."""
    return "\n".join(f"{f.label.rstrip('?:')}: {answers[f.name]}" for f in item.fields
                     if answers.get(f.name) not in (None, ""))
