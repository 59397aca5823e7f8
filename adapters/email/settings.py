"""The `email:` section of the config, validated by the e-mail adapter itself."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PLATFORM = "email"
ADDRESS = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
DOMAIN = re.compile(r"(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
Security = Literal["tls", "starttls", "none"]
MB = 1024 * 1024


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ImapSettings(Frozen):
    """The mailbox spoc reads. IDLE when the server offers it (`idle: false` polls instead)."""

    host: str = ""
    port: int = Field(default=0, ge=0, le=65535)  # 0: 993 with tls, 143 otherwise
    security: Security = "tls"
    username: str = ""
    password: str = ""
    mailbox: str = "INBOX"
    idle: bool = True
    poll_seconds: float = Field(default=60, gt=0)
    idle_seconds: float = Field(default=600, gt=0, le=1740)  # servers drop an IDLE after 30 minutes
    ca_file: str = ""  # a private CA's certificate (PEM) to trust besides the system's
    timeout_seconds: float = Field(default=60, gt=0)

    @property
    def real_port(self) -> int:
        return self.port or (993 if self.security == "tls" else 143)


class SmtpSettings(Frozen):
    """The server spoc sends through."""

    host: str = ""
    port: int = Field(default=0, ge=0, le=65535)  # 0: 465 with tls, 587 with starttls, 25 otherwise
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    ca_file: str = ""
    timeout_seconds: float = Field(default=30, gt=0)

    @property
    def real_port(self) -> int:
        return self.port or {"tls": 465, "starttls": 587, "none": 25}[self.security]


class ListenerSettings(Frozen):
    """An SMTP server of spoc's own that the site's mail server forwards the desk's mail to (push)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=2525, ge=0, le=65535)
    # Addresses of the mail servers allowed to hand mail over (empty: any that can reach the port).
    trusted_peers: tuple[str, ...] = ()


class AttachmentSettings(Frozen):
    max_mb: float = Field(default=25, gt=0)
    # Content types kept (a trailing /* matches a family). A file whose bytes say it is something else
    # (an executable named report.pdf) is refused whatever its name or declared type.
    allowed_types: tuple[str, ...] = (
        "image/*", "text/plain", "text/csv", "application/pdf", "application/zip", "message/rfc822",
        "application/vnd.openxmlformats-officedocument.*", "application/vnd.oasis.opendocument.*",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/json", "application/xml", "text/xml",
    )

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * MB)


class EmailSettings(Frozen):
    # The desk's address: people write to it, and every mail spoc sends comes from it.
    address: str = ""
    display_name: str = "IT Service Desk"
    # Other addresses that reach the desk (aliases the mail server delivers to the same mailbox).
    aliases: tuple[str, ...] = ()
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    listener: ListenerSettings = ListenerSettings()
    # Senders whose domain is listed here may open tickets (*.example.com covers subdomains); empty: anyone.
    allowed_domains: tuple[str, ...] = ()
    # Receiving servers whose Authentication-Results headers are believed (their authserv-id, e.g.
    # mx.example.com). A sender's address is verified only by a DMARC pass, or a DKIM pass for the From
    # domain, recorded by one of them; the server must remove such headers that arrive from outside.
    trusted_authserv_ids: tuple[str, ...] = ()
    max_message_mb: float = Field(default=35, gt=0)
    attachments: AttachmentSettings = AttachmentSettings()
    # A longer text (after quoted history and signatures are taken off) is cut; the original is kept whole.
    max_body_chars: int = Field(default=20000, ge=1000)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not ADDRESS.fullmatch(value):
            raise ValueError(f"{value!r} is not an e-mail address (e.g. it@example.com)")
        return value

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(a.strip().lower() for a in value if a.strip())
        for alias in cleaned:
            if not ADDRESS.fullmatch(alias):
                raise ValueError(f"{alias!r} is not an e-mail address")
        return cleaned

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(d.strip().lower().lstrip("@") for d in value if d.strip())
        for domain in cleaned:
            if not DOMAIN.fullmatch(domain):
                raise ValueError(f"{domain!r} is not a domain (e.g. example.com or *.example.com)")
        return cleaned

    @field_validator("trusted_authserv_ids")
    @classmethod
    def _authserv(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().lower() for v in value if v.strip())

    @model_validator(mode="after")
    def _domain_known(self) -> EmailSettings:
        if (self.imap.host or self.listener.enabled) and not self.address:
            raise ValueError("address: the desk's own address is needed to receive mail (e.g. it@example.com)")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.address and (self.imap.host or self.listener.enabled))

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def max_message_bytes(self) -> int:
        return int(self.max_message_mb * MB)

    def desk_addresses(self) -> frozenset[str]:
        return frozenset({self.address, *self.aliases} - {""})

    def run_problems(self) -> list[tuple[str, str]]:
        """What `spoc run --adapter email` would miss: (key in this section, what is needed)."""
        problems: list[tuple[str, str]] = []
        if not self.address:
            problems.append(("address", "the e-mail adapter needs the desk's address, e.g. it@example.com"))
        if not self.imap.host and not self.listener.enabled:
            problems.append(("imap.host", "mail comes in by IMAP (imap.host) or by the SMTP listener "
                                          "(listener.enabled: true); set one"))
        if self.imap.host and not self.imap.username:
            problems.append(("imap.username", "the IMAP login name of the desk's mailbox"))
        if self.imap.host and not self.imap.password:
            problems.append(("imap.password", "the IMAP password of the desk's mailbox"))
        if not self.smtp.host:
            problems.append(("smtp.host", "answers go out through an SMTP server (its host name)"))
        if self.smtp.username and not self.smtp.password:
            problems.append(("smtp.password", "smtp.username is set, so the SMTP password is needed"))
        return problems


def list_problems(lists: dict[str, str]) -> list[tuple[str, str]]:
    """Mailing lists named as the desk's channels on e-mail (a service's announcements, a team's posts) that
    are no address: (the key naming it, what is wrong)."""
    return [(where, f"{address!r} is not an e-mail address (e.g. all-staff@example.com)")
            for address, where in lists.items() if not ADDRESS.fullmatch(address.strip())]
