"""The desk's own settings: validated once, frozen. Platform sections live with their adapters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from core.config.catalog import CatalogSettings
from core.config.reports import ReportSettings
from core.config.services import ApprovalRule, RecurringSettings, Service, check_services, default_services
from core.config.sla import SlaSettings, Team, check_teams, default_teams
from core.lifecycle import Kind
from core.priority import DEFAULT_MATRIX

Role = Literal["requester", "agent", "admin"]
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryRule(Frozen):
    name: str
    phrases: tuple[str, ...] = ()
    service: str = ""


class KindRules(Frozen):
    # Words that say something is broken. Built in, they are strong evidence of an incident until agents'
    # corrections teach otherwise; written in a config file, they decide.
    incident: tuple[str, ...] = (
        "not working", "doesn't work", "does not work", "don't work", "isn't working", "won't", "wont",
        "can't", "cannot", "can not", "unable", "not able", "broken", "broke", "error", "errors", "issue",
        "issues", "problem", "problems", "fail", "fails", "failed", "failing", "failure", "crash", "crashed",
        "crashes", "crashing", "down", "slow", "stuck", "wrong", "incorrect", "bug", "outage", "stopped",
        "no longer", "freeze", "freezes", "freezing", "frozen", "timeout", "timed out", "not receiving",
        "not received", "not loading", "not opening", "not saving", "not saved", "not showing",
        "not displaying", "denied", "lost", "missing", "disconnect", "disconnects", "disconnected",
        "disconnecting", "dropping", "dropped", "keeps dropping", "locked out", "blue screen", "unexpected",
        "invalid", "keeps", "keep crashing", "disappeared", "gone", "lag", "laggy", "lagging", "flicker",
        "flickers", "flickering", "jam", "jams", "jammed", "no sound", "no signal", "no audio", "no internet",
        "bounce", "bounces", "bouncing", "bounced", "reboots", "rebooting", "restarts", "restarting",
        "overheats", "overheating", "hot", "loud", "noisy", "crackles", "crackling", "patchy", "spotty", "flaky",
        "unstable", "intermittent", "glitch", "weird", "strange", "black screen", "blank", "corrupt",
        "corrupted", "beeping", "jumps", "double", "dead",
    )
    # Words of someone asking for something: hints the model starts from; written in a config file, they decide.
    request: tuple[str, ...] = (
        "need", "request", "access to", "install", "new", "please give", "can i get", "could i get",
        "can you add", "order", "permission", "set up", "setup", "would like", "want", "add me",
        "license", "onboard", "new hire", "create", "provision",
    )


class LevelRules(Frozen):
    high: tuple[str, ...] = ()
    medium: tuple[str, ...] = ()


class ExtraPhrases(Frozen):
    """Phrases added to the built-in lists (which stay). Kind phrases written here decide over the model."""

    incident: tuple[str, ...] = ()
    request: tuple[str, ...] = ()
    impact_high: tuple[str, ...] = ()
    impact_medium: tuple[str, ...] = ()
    urgency_high: tuple[str, ...] = ()
    urgency_medium: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhraseRules:
    """The phrase lists in effect, told apart by who wrote them: an admin's phrases (in the config file)
    decide; built-in ones are what the triage model starts from."""

    incident_markers: tuple[str, ...]
    request_hints: tuple[str, ...]
    admin_incident: tuple[str, ...]
    admin_request: tuple[str, ...]
    categories: tuple[CategoryRule, ...]
    categories_replaced: bool
    category_hints: dict[str, tuple[str, ...]]
    admin_categories: dict[str, tuple[str, ...]]
    impact: LevelRules
    urgency: LevelRules


def _default_categories() -> tuple[CategoryRule, ...]:
    return (
        CategoryRule(name="network", service="network",
                     phrases=("vpn", "wifi", "wi-fi", "wireless", "internet", "network", "ethernet", "dns")),
        CategoryRule(name="hardware", service="workplace",
                     phrases=("laptop", "computer", "pc", "printer", "monitor", "screen", "keyboard", "mouse",
                              "battery", "dock", "docking", "headset", "charger", "turn on", "boot")),
        CategoryRule(name="email", service="email",
                     phrases=("outlook", "email", "e-mail", "mail", "calendar", "inbox", "mailbox")),
        CategoryRule(name="accounts", service="identity",
                     phrases=("password", "login", "log in", "sign in", "mfa", "2fa", "locked", "account",
                              "authenticator")),
        CategoryRule(name="software", service="workplace",
                     phrases=("install", "software", "app", "application", "excel", "word", "teams", "zoom",
                              "update", "license")),
        CategoryRule(name="access", service="identity",
                     phrases=("access to", "share", "shared drive", "folder", "permission", "group", "repo")),
    )


class Classification(Frozen):
    kinds: KindRules = KindRules()
    categories: tuple[CategoryRule, ...] = Field(default_factory=_default_categories)
    extra_phrases: ExtraPhrases = ExtraPhrases()
    # Added to the categories; one named like an existing category adds its phrases (and service) to it.
    extra_categories: tuple[CategoryRule, ...] = ()
    default_category: str = "general"
    # impact, urgency when no phrase says otherwise: a typical single report lands on P3, a request on P4
    default_levels: dict[Kind, tuple[int, int]] = Field(
        default_factory=lambda: {Kind.INCIDENT: (2, 2), Kind.REQUEST: (3, 3)}
    )
    impact: LevelRules = LevelRules(
        high=("everyone", "whole office", "all users", "entire company", "company-wide", "nobody can",
              "whole building", "all of us"),
        medium=("our team", "the team", "several", "department", "a few of us", "we all", "colleagues"),
    )
    urgency: LevelRules = LevelRules(
        high=("urgent", "asap", "immediately", "emergency", "critical", "can't work", "cannot work",
              "production", "right now"),
        medium=("today", "soon", "blocking", "blocked", "deadline", "this afternoon", "meeting"),
    )
    _phrases: PhraseRules = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        self._phrases = _phrase_rules(self)

    @property
    def phrases(self) -> PhraseRules:
        return self._phrases


def _phrase_rules(rules: Classification) -> PhraseRules:
    written = rules.model_fields_set
    kinds_written = rules.kinds.model_fields_set if "kinds" in written else set()
    extra = rules.extra_phrases
    replaced = "categories" in written
    categories = {c.name: c for c in rules.categories}
    admin_categories = {c.name: c.phrases for c in rules.categories} if replaced else {}
    for added in rules.extra_categories:
        known = categories.get(added.name)
        categories[added.name] = CategoryRule(
            name=added.name, phrases=(known.phrases if known else ()) + added.phrases,
            service=added.service or (known.service if known else ""))
        admin_categories[added.name] = admin_categories.get(added.name, ()) + added.phrases
    return PhraseRules(
        incident_markers=() if "incident" in kinds_written else rules.kinds.incident,
        request_hints=() if "request" in kinds_written else rules.kinds.request,
        admin_incident=(rules.kinds.incident if "incident" in kinds_written else ()) + extra.incident,
        admin_request=(rules.kinds.request if "request" in kinds_written else ()) + extra.request,
        categories=tuple(categories.values()),
        categories_replaced=replaced,
        category_hints={} if replaced else {c.name: c.phrases for c in rules.categories},
        admin_categories={name: phrases for name, phrases in admin_categories.items() if phrases},
        impact=LevelRules(high=rules.impact.high + extra.impact_high, medium=rules.impact.medium + extra.impact_medium),
        urgency=LevelRules(high=rules.urgency.high + extra.urgency_high,
                           medium=rules.urgency.medium + extra.urgency_medium),
    )


class Person(Frozen):
    """Someone the config names. Bound to chat accounts by `ids` (platform -> user id) or by `email` (joined
    only when the platform vouches for the address); `name` is what others read and type, never a binding."""

    name: str
    email: str = ""
    role: Role = "requester"
    team: str = ""
    ids: dict[str, str] = Field(default_factory=dict)
    # Their manager (another entry's name): the people directory that catalog approvals ask.
    manager: str = ""

    @field_validator("ids")
    @classmethod
    def _ids_are_strings(cls, value: dict[str, str]) -> dict[str, str]:
        ids = {str(k).strip(): str(v).strip() for k, v in value.items()}
        empty = [platform for platform, user_id in ids.items() if not user_id]
        if empty:
            raise ValueError(f"the id for {empty[0]!r} is empty")
        return ids

    @field_validator("email")
    @classmethod
    def _email_looks_right(cls, value: str) -> str:
        value = value.strip()
        if value and not EMAIL.fullmatch(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _bound_to_someone(self) -> Person:
        if not self.ids and not self.email:
            raise ValueError(f"{self.name!r} names neither ids nor an email: a person is bound to chat accounts by "
                             "ids (platform: user id, e.g. ids: {console: sam}) or a verified e-mail, never by a name")
        return self


def check_people(people: tuple[Person, ...]) -> None:
    """Two entries must never claim one name (approvers and on-call people are named), e-mail or account."""
    seen: dict[object, str] = {}
    for entry in people:
        claims = [("name", entry.name.strip().lower())] + ([("email", entry.email.lower())] if entry.email else [])
        claims += [("account", f"{platform} {user_id}") for platform, user_id in entry.ids.items()]
        for kind, value in claims:
            if (kind, value) in seen:
                raise ValueError(f"{entry.name!r} and {seen[(kind, value)]!r} share the {kind} {value!r}")
            seen[(kind, value)] = entry.name


class DeskSettings(Frozen):
    name: str = "IT Service Desk"
    priority_matrix: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_MATRIX))
    classification: Classification = Classification()
    duplicate_window_minutes: int = Field(default=60, ge=0)
    duplicate_similarity: int = Field(default=85, ge=50, le=100)
    # A channel of a platform that paces its channels with this many messages waiting is in a storm: new
    # reports go on one storm card and their reporters are acknowledged quietly (core/storms.py). 0: never.
    storm_backlog: int = Field(default=5, ge=0)
    people: tuple[Person, ...] = ()
    sla: SlaSettings = SlaSettings()
    teams: tuple[Team, ...] = Field(default_factory=default_teams)
    reports: ReportSettings = ReportSettings()
    # Outages, problems and changes (see config.example.yaml).
    services: tuple[Service, ...] = Field(default_factory=default_services)
    recurring_incidents: RecurringSettings = RecurringSettings()
    change_approvers: tuple[str, ...] = ()
    change_approval: ApprovalRule = "any"
    change_notice_hours: tuple[float, ...] = (24, 1)
    catalog: CatalogSettings = CatalogSettings()

    @field_validator("people")
    @classmethod
    def _people_apart(cls, value: tuple[Person, ...]) -> tuple[Person, ...]:
        check_people(value)
        return value

    @field_validator("people")
    @classmethod
    def _managers_are_people(cls, value: tuple[Person, ...]) -> tuple[Person, ...]:
        known = {p.name.lower() for p in value}
        for entry in value:
            if entry.manager and entry.manager.lower() not in known:
                raise ValueError(f"{entry.name!r}: manager {entry.manager!r} is not a name in desk.people")
            if entry.manager and entry.manager.lower() == entry.name.lower():
                raise ValueError(f"{entry.name!r} cannot be their own manager")
        return value

    @field_validator("teams")
    @classmethod
    def _teams_work(cls, value: tuple[Team, ...], info: ValidationInfo) -> tuple[Team, ...]:
        if "sla" in info.data and "people" in info.data:  # else those keys have errors of their own
            check_teams(value, sla=info.data["sla"], people={p.name.lower() for p in info.data["people"]})
        return value

    @field_validator("services")
    @classmethod
    def _services_work(cls, value: tuple[Service, ...], info: ValidationInfo) -> tuple[Service, ...]:
        if "teams" in info.data:
            check_services(value, teams={t.name for t in info.data["teams"]})
        return value

    @field_validator("change_approvers")
    @classmethod
    def _approvers_are_people(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        known = {p.name.lower() for p in info.data.get("people", ())}
        for name in value:
            if "people" in info.data and name.lower() not in known:
                raise ValueError(f"{name!r} is not a name in desk.people")
        return value

    @field_validator("change_notice_hours")
    @classmethod
    def _notices_ahead(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(hours <= 0 for hours in value):
            raise ValueError("hours before a change's window are more than 0, e.g. [24, 1]")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("priority_matrix")
    @classmethod
    def _matrix_is_complete(cls, value: dict[str, str]) -> dict[str, str]:
        merged = dict(DEFAULT_MATRIX) | value
        for cell, priority in merged.items():
            if cell not in DEFAULT_MATRIX:
                raise ValueError(f"cell {cell!r} is not 'impact,urgency' with each 1..3")
            if priority not in ("P1", "P2", "P3", "P4"):
                raise ValueError(f"cell {cell!r}: priority {priority!r} must be one of P1, P2, P3, P4")
        return merged

    def channels_on(self, platform: str) -> dict[str, str]:
        """Every channel the desk posts to on `platform` by its config: channel id -> the key naming it."""
        found: dict[str, str] = {}
        for team in self.teams:
            if team.channels.get(platform):
                found.setdefault(team.channels[platform], f"desk.teams[{team.name}].channels.{platform}")
        for service in self.services:
            for channel in service.channels.get(platform, ()):
                found.setdefault(channel, f"desk.services[{service.name}].channels.{platform}")
        if self.reports.leads_channels.get(platform):
            found.setdefault(self.reports.leads_channels[platform], f"desk.reports.leads_channels.{platform}")
        return found

    def category_names(self) -> list[str]:
        return [c.name for c in self.classification.phrases.categories] + [self.classification.default_category]
