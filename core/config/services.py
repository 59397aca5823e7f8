"""The `desk.services:` catalog and the other settings of outages, problems and changes."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Service(Frozen):
    """A service people depend on. `channels` are where its announcements go on each platform (channel
    ids); people who `/desk subscribe` it are told directly."""

    name: str
    display: str = ""
    aliases: tuple[str, ...] = ()
    owner: str = ""
    channels: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value) is None:
            raise ValueError(f"{value!r}: a service name is lowercase letters, digits, - or _ (e.g. email)")
        return value

    @field_validator("aliases")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(alias.strip().lower() for alias in value if alias.strip())

    @field_validator("channels", mode="before")
    @classmethod
    def _channel_ids_are_strings(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        return {str(platform): tuple(str(c) for c in (ids if isinstance(ids, list | tuple) else [ids]))
                for platform, ids in value.items()}

    @property
    def title(self) -> str:
        return self.display or self.name

    @property
    def words(self) -> tuple[str, ...]:
        """Every way people name it: its name, its display name and its aliases."""
        return tuple(dict.fromkeys((self.name, self.title.lower(), *self.aliases)))


def default_services() -> tuple[Service, ...]:
    """A starting catalog; the console's channel gets every announcement so that the demo shows them."""
    console = {"console": ("it-help",)}
    return (
        Service(name="email", display="e-mail", owner="infrastructure", channels=console,
                aliases=("e-mail", "mail", "outlook", "exchange", "calendar", "mailbox")),
        Service(name="network", display="network and VPN", owner="network", channels=console,
                aliases=("vpn", "internet", "ethernet", "dns")),
        Service(name="wifi", display="Wi-Fi", owner="network", channels=console,
                aliases=("wi-fi", "wireless", "wlan")),
        Service(name="workplace", display="workplace devices", owner="workplace", channels=console,
                aliases=("laptop", "printer", "printers", "monitor", "dock")),
        Service(name="identity", display="sign-in", owner="infrastructure", channels=console,
                aliases=("login", "sso", "mfa", "password", "sign in")),
    )


class RecurringSettings(Frozen):
    """`count` similar incidents (same category, text at least `similarity` alike) within `window_hours`
    make a "possible problem" card for the agents. `count: 0` turns it off."""

    count: int = Field(default=3, ge=0)
    window_hours: float = Field(default=24, gt=0)
    similarity: int = Field(default=75, ge=50, le=100)


ApprovalRule = Literal["any", "all"]


def check_services(services: tuple[Service, ...], *, teams: set[str]) -> None:
    """Raise ValueError naming the first service that cannot work."""
    seen: dict[str, str] = {}
    for service in services:
        if service.owner and service.owner not in teams:
            raise ValueError(f"service {service.name!r}: owner {service.owner!r} is not a team in desk.teams")
        for word in (service.name, *service.aliases):
            if word in seen and seen[word] != service.name:
                raise ValueError(f"service {service.name!r}: {word!r} already names {seen[word]!r}")
            seen[word] = service.name


def service_named(services: tuple[Service, ...], text: str) -> Service | None:
    """The service `text` names exactly: its name, display name or an alias (any case)."""
    needle = text.strip().lower()
    return next((s for s in services if needle in s.words), None)


def closest_service(services: tuple[Service, ...], text: str) -> Service | None:
    """The service `text` most likely meant, for a "Did you mean" answer."""
    from rapidfuzz import fuzz, process  # here: every command reads the config, few ever ask this

    choices = {word: s for s in services for word in s.words}
    found = process.extractOne(text.strip().lower(), list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return choices[found[0]] if found else None
