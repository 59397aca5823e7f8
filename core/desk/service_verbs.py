"""Verbs of services and their outages."""

from __future__ import annotations

from sqlalchemy import select

from core.cards import Card, Reply
from core.commands.params import Text, Word
from core.context import Ctx
from core.desk.params import service_choices
from core.desk.permissions import ANYONE
from core.desk.registry import verb
from core.itsm import outages
from core.itsm.audience import find_service, subscribe, unsubscribe
from core.storage.itsm_models import SubscriptionRow

SERVICE = Text(name="service", many_lines=False, options_from=service_choices)
OUTAGE = Word(name="outage", what="outage key (like OUT-3)", shown="OUT-N")


@verb("services", allow=ANYONE, examples=("services",))
def services(ctx: Ctx) -> Reply:
    """The services IT looks after, whether each is working, and which you are subscribed to."""
    if not ctx.settings.services:
        return Reply("No services are configured (desk.services in the config).")
    active = {o.service: o for o in outages.active_outages(ctx)}
    mine = set(ctx.session.scalars(select(SubscriptionRow.service).where(
        SubscriptionRow.person_id == ctx.person().id)))
    lines = []
    for service in ctx.settings.services:
        outage = active.get(service.name)
        status = f"OUTAGE ({outage.key}: {outage.summary})" if outage else "operational"
        also = f" (also: {', '.join(service.aliases)})" if service.aliases else ""
        mark = ", subscribed" if service.name in mine else ""
        lines.append(f"{service.name}: {service.title}{also}, {status}{mark}")
    return Reply(card=Card(title="Services", text="\n".join(lines),
                           footer="`/desk subscribe SERVICE` tells you directly about its outages and changes."))


@verb("subscribe", SERVICE, allow=ANYONE, examples=("subscribe email",))
def subscribe_(ctx: Ctx, *, service: str) -> Reply:
    """Be told directly when a service has an outage or a planned change."""
    found = find_service(ctx, service)
    if not subscribe(ctx, found, ctx.person(), platform=ctx.platform):
        return Reply(f"You are already subscribed to {found.title}.")
    return Reply(f"Subscribed: you will be told directly about {found.title}. "
                 f"`/desk unsubscribe {found.name}` stops it.")


@verb("unsubscribe", SERVICE, allow=ANYONE, examples=("unsubscribe email",))
def unsubscribe_(ctx: Ctx, *, service: str) -> Reply:
    """Stop being told directly about a service."""
    found = find_service(ctx, service)
    if not unsubscribe(ctx, found, ctx.person()):
        return Reply(f"You were not subscribed to {found.title}.")
    return Reply(f"Unsubscribed from {found.title}.")


@verb("outage declare", Word(name="service", options_from=service_choices),
      Text(name="summary", shown='"SUMMARY"', many_lines=False, ask="What is wrong?"),
      Text(name="impact", option=True, trailing=True, required=False, shown="TEXT", ask="Who is affected?"),
      examples=('outage declare email "Outlook cannot connect"',
                'outage declare vpn "VPN drops every few minutes" --impact "everyone working from home"'))
def outage_declare(ctx: Ctx, *, service: str, summary: str, impact: str) -> Reply:
    """Declare an outage of a service: its channels and subscribers on every platform get a banner, and new
    reports about it are linked to it as a known issue."""
    found = find_service(ctx, service)
    outage = outages.declare(ctx, found, summary=summary, impact=impact)
    return Reply(f"{outage.key} declared: {found.title} outage. Subscribers are being told; "
                 f"`/desk outage update {outage.key} TEXT` and `/desk outage resolve {outage.key} TEXT` "
                 "follow up.")


@verb("outage update", OUTAGE, Text(name="update", shown='"TEXT"', ask="How is it going?"),
      examples=('outage update OUT-3 "Microsoft is rolling back the faulty update"',))
def outage_update(ctx: Ctx, *, outage: str, update: str) -> Reply:
    """Tell everyone affected how an outage is going: its banner is edited, the text added in its thread."""
    found = outages.get_outage(ctx, outage, for_update=True)
    places = outages.post_update(ctx, found, update)
    return Reply(f"{found.key} updated in {places} place{'s' * (places != 1)}.")


@verb("outage resolve", OUTAGE, Text(name="resolution", shown='"TEXT"', required=False, ask="What fixed it?"),
      examples=('outage resolve OUT-3 "Mail flows again; delayed messages are arriving"',))
def outage_resolve(ctx: Ctx, *, outage: str, resolution: str) -> Reply:
    """End an outage: banners say so, and every report linked to it is resolved in its requester's thread."""
    found = outages.get_outage(ctx, outage, for_update=True)
    resolved = outages.resolve_outage(ctx, found, resolution)
    return Reply(f"{found.key} resolved; {resolved} linked report{'s' * (resolved != 1)} resolved with it.")
