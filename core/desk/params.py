"""Parameters many verbs share."""

from __future__ import annotations

from core.commands.params import Choices, Env, Text, TicketKey

TICKET = TicketKey(name="ticket")
REASON = Text(name="reason", required=False, ask="Why?")


def service_choices(env: Env) -> Choices:
    """The services of the catalog, for a form to offer."""
    return tuple((s.name, s.title) for s in env.settings.services)
