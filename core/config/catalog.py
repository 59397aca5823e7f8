"""The service catalog as settings: items people can order, the questions each asks, who approves it and
which teams fulfil it. Items come from Markdown files with YAML front matter (`catalog/items/*.md`, and
the directories `desk.catalog.dirs` names) or from the config itself (`desk.catalog.items`)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.lifecycle import Kind

FieldKind = Literal["text", "paragraph", "choice", "person", "date", "number"]
ApproverKind = Literal["manager", "people", "group"]
Rule = Literal["any", "all"]
Audience = Literal["anyone", "agents"]
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
PRIORITIES = ("P1", "P2", "P3", "P4")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemField(Frozen):
    """One question of an item's form. A `date` is today or later unless `past: true`; a `number` runs from
    `min` to `max`; a `person` is someone the desk knows (an @mention, an e-mail or a name)."""

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()
    min: int = 0
    max: int | None = None
    past: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if FIELD_NAME.fullmatch(value) is None:
            raise ValueError(f"{value!r}: a field name is lowercase letters, digits and _ (e.g. share_path)")
        if value in ("item", "answers"):
            raise ValueError(f"{value!r} is taken by the order itself; name the field otherwise")
        return value

    @model_validator(mode="after")
    def _choices_fit(self) -> ItemField:
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r} is a choice: list its `choices`")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"field {self.name!r} has choices but is a {self.kind}: make it `kind: choice`")
        if self.max is not None and self.max < self.min:
            raise ValueError(f"field {self.name!r}: max {self.max} is below min {self.min}")
        return self


class ApprovalStep(Frozen):
    """One step of an approval chain: the requester's manager, named people (desk.people names), or a group
    (desk.catalog.groups); `rule` says whether any one or all of them must approve."""

    approver: ApproverKind
    people: tuple[str, ...] = ()
    group: str = ""
    rule: Rule = "any"

    @model_validator(mode="after")
    def _names_someone(self) -> ApprovalStep:
        if self.approver == "people" and not self.people:
            raise ValueError("an approval step by `people` lists them, e.g. people: [lee]")
        if self.approver == "group" and not self.group:
            raise ValueError("an approval step by `group` names it, e.g. group: security")
        return self

    @property
    def shown(self) -> str:
        if self.approver == "manager":
            return "the requester's manager"
        names = ", ".join(self.people) if self.approver == "people" else f"the {self.group} group"
        return f"{'any one of' if self.rule == 'any' else 'all of'} {names}"


class TaskTemplate(Frozen):
    """The work one team does for an order: a TSK ticket with its checklist. `on_field`: a date field of the
    form; the task waits until that day (a leaver's last day)."""

    team: str
    title: str
    checklist: tuple[str, ...] = ()
    priority: str = ""
    on_field: str = ""

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: str) -> str:
        if value and value not in PRIORITIES:
            raise ValueError(f"priority {value!r} is one of {', '.join(PRIORITIES)}")
        return value


class Licence(Frozen):
    """A licence with a number of seats: an approved order takes one; with none left the order waits for a
    seat (`when_full: queue`) or is refused (`refuse`)."""

    name: str
    seats: int = Field(ge=0)
    when_full: Literal["queue", "refuse"] = "queue"


class CatalogItem(Frozen):
    slug: str
    name: str
    description: str = ""
    category: str = "general"
    also_asked_as: tuple[str, ...] = ()
    fields: tuple[ItemField, ...] = ()
    who: Audience = "anyone"
    approval: tuple[ApprovalStep, ...] = ()
    fallback: str = ""
    tasks: tuple[TaskTemplate, ...] = ()
    priority: str = "P4"
    licence: Licence | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if SLUG.fullmatch(value) is None:
            raise ValueError(f"{value!r}: a slug is lowercase letters, digits and - (e.g. vpn-access)")
        return value

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: str) -> str:
        if value not in PRIORITIES:
            raise ValueError(f"priority {value!r} is one of {', '.join(PRIORITIES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CatalogItem:
        names = [f.name for f in self.fields]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"field {twice[0]!r} is declared twice")
        if not self.tasks:
            raise ValueError("an item needs at least one task: which team does the work?")
        dates = {f.name for f in self.fields if f.kind == "date"}
        for task in self.tasks:
            if task.on_field and task.on_field not in dates:
                raise ValueError(f"task {task.title!r}: on_field {task.on_field!r} is not a date field of this item")
        return self

    @property
    def kind(self) -> Kind:
        return Kind.REQUEST

    def field(self, name: str) -> ItemField | None:
        return next((f for f in self.fields if f.name == name), None)


class CatalogSettings(Frozen):
    """`items` written in the config join those read from files: the starter items (`load_starter`) and
    every `*.md` in `dirs`. A later item with a slug replaces an earlier one."""

    load_starter: bool = True
    dirs: tuple[str, ...] = ()
    items: tuple[CatalogItem, ...] = ()
    # Approver groups by name, their members names in desk.people; an empty group asks the fallback.
    groups: dict[str, tuple[str, ...]] = Field(default_factory=lambda: {"security": ()})
    fallback_approvers: tuple[str, ...] = ()
    remind_after_hours: float = Field(default=24, gt=0)
    expire_after_hours: float = Field(default=120, gt=0)
    offer_threshold: int = Field(default=80, ge=50, le=100)

    def item(self, slug: str) -> CatalogItem | None:
        needle = slug.strip().lower()
        return next((i for i in self.items if i.slug == needle or i.name.lower() == needle), None)

    def visible_to(self, *, agent: bool) -> list[CatalogItem]:
        """The items someone may order: agents every one, anyone else those for anyone."""
        return [i for i in self.items if i.who == "anyone" or agent]

    def with_items(self, items: tuple[CatalogItem, ...]) -> CatalogSettings:
        by_slug = {i.slug: i for i in items}
        by_slug.update({i.slug: i for i in self.items})
        return self.model_copy(update={"items": tuple(by_slug.values())})


def check_catalog(catalog: CatalogSettings, *, people: set[str], teams: set[str]) -> list[str]:
    """What cannot work in the catalog as a whole: names of people, groups and teams it needs. `people`:
    lowercased names in desk.people."""
    problems: list[str] = []
    for group, members in catalog.groups.items():
        problems += [f"groups.{group}: {m!r} is not a name in desk.people" for m in members if m.lower() not in people]
    problems += [f"fallback_approvers: {n!r} is not a name in desk.people"
                 for n in catalog.fallback_approvers if n.lower() not in people]
    for item in catalog.items:
        for step in item.approval:
            problems += [f"item {item.slug}: approver {n!r} is not a name in desk.people"
                         for n in step.people if n.lower() not in people]
            if step.group and step.group not in catalog.groups:
                problems.append(f"item {item.slug}: no group {step.group!r} in desk.catalog.groups")
        if item.fallback and item.fallback.lower() not in people:
            problems.append(f"item {item.slug}: fallback {item.fallback!r} is not a name in desk.people")
        problems += [f"item {item.slug}: no team {t.team!r} in desk.teams" for t in item.tasks if t.team not in teams]
    return problems
