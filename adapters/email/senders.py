"""Who sent a mail, as far as it can be believed.

The From header is written by the sender and proves nothing. An address is verified only when a receiving
server the config trusts (`email.trusted_authserv_ids`) recorded in an Authentication-Results header a DMARC
pass for the From domain, or a DKIM pass by the From domain (or a parent of it). A verified address is the
sender's identity and joins the person with that address; an unverified one is an account apart, never
joined to anyone and never an agent, so a forged From cannot act for someone else."""

from __future__ import annotations

import re

from adapters.email.parse import Mail
from adapters.email.settings import PLATFORM
from core.messages import Author

UNVERIFIED = "unverified"
COMMENT = re.compile(r"\([^()]*\)")


def verified(mail: Mail, *, trusted: tuple[str, ...]) -> bool:
    domain = mail.sender_domain
    if not domain or not trusted:
        return False
    for header in mail.headers("Authentication-Results"):
        authserv, results = _parse(header)
        if authserv not in trusted:
            continue
        for method, result, properties in results:
            if result != "pass":
                continue
            if method == "dmarc" and properties.get("header.from", domain) == domain:
                return True
            if method == "dkim" and _aligned(properties.get("header.d", "")
                                              or properties.get("header.i", "").rpartition("@")[2], domain):
                return True
    return False


def _aligned(signer: str, domain: str) -> bool:
    return bool(signer) and (domain == signer or domain.endswith("." + signer))


def _parse(header: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """`mx.example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com` ->
    ('mx.example.com', [('dkim', 'pass', {...}), ('dmarc', 'pass', {...})])."""
    text = " ".join(COMMENT.sub(" ", header).split()).lower()
    parts = [p.strip() for p in text.split(";")]
    authserv = parts[0].split(" ")[0] if parts and parts[0] else ""
    results: list[tuple[str, str, dict[str, str]]] = []
    for part in parts[1:]:
        words = part.split(" ")
        method, _, result = words[0].partition("=")
        if not result:
            continue
        properties = {}
        for word in words[1:]:
            key, _, value = word.partition("=")
            if value:
                properties[key] = value.strip('"')
        results.append((method.partition("/")[0], result, properties))
    return authserv, results


def domain_allowed(domain: str, allowed: tuple[str, ...]) -> bool:
    """Empty `allowed`: every domain. `example.com` is that domain; `*.example.com` its subdomains."""
    if not allowed:
        return True
    for entry in allowed:
        if entry.startswith("*.") and domain.endswith(entry[1:]):
            return True
        if domain == entry:
            return True
    return False


def mail_author(mail: Mail, *, is_verified: bool) -> Author:
    """The account behind a mail. A verified address is an account of the desk's own organisation whose
    e-mail the desk may believe; an unverified one lives apart (workspace `unverified`), so it never joins
    the person who owns that address and never holds a role. Mail grants no agents' role by itself."""
    return Author(platform=PLATFORM, user_id=mail.sender, display_name=shown_name(mail),
                  email=mail.sender if is_verified else None, is_agent=False, roles_known=True,
                  workspace="" if is_verified else UNVERIFIED)


def shown_name(mail: Mail) -> str:
    """`Dana Smith <dana@example.com>`: the name is the sender's own choice, so the address always goes with
    it (a From named "IT Support" cannot pass for the desk in an agent's card)."""
    name = " ".join(mail.sender_name.replace("<", "").replace(">", "").replace('"', "").split())[:100]
    return f"{name} <{mail.sender}>" if name and name.lower() != mail.sender else mail.sender
