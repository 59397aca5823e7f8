"""Verbs of services and their outages."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.cards import Card, Reply
from core.context import Ctx
from core.desk.grammar import Args
from core.desk.permissions import ANYONE
from core.desk.registry import verb
from core.itsm import outages
from core.itsm.audience import find_service, subscribe, unsubscribe
from core.storage.itsm_models import SubscriptionRow

_IMPACT = re.compile(r"^(.*?)\s*--impact\s+(.+)$", re.DOTALL)


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text


@verb("services", usage="services", examples=("services",), allow=ANYONE)
def services(ctx: Ctx, args: Args) -> Reply:
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


@verb("subscribe", usage="subscribe SERVICE", examples=("subscribe email",), allow=ANYONE)
def subscribe_(ctx: Ctx, args: Args) -> Reply:
    """Be told directly when a service has an outage or a planned change."""
    service = find_service(ctx, args.rest("service", required=True))
    if not subscribe(ctx, service, ctx.person(), platform=ctx.platform):
        return Reply(f"You are already subscribed to {service.title}.")
    return Reply(f"Subscribed: you will be told directly about {service.title}. "
                 f"`/desk unsubscribe {service.name}` stops it.")


@verb("unsubscribe", usage="unsubscribe SERVICE", examples=("unsubscribe email",), allow=ANYONE)
def unsubscribe_(ctx: Ctx, args: Args) -> Reply:
    """Stop being told directly about a service."""
    service = find_service(ctx, args.rest("service", required=True))
    if not unsubscribe(ctx, service, ctx.person()):
        return Reply(f"You were not subscribed to {service.title}.")
    return Reply(f"Unsubscribed from {service.title}.")


@verb("outage declare", usage='outage declare SERVICE "SUMMARY" [--impact TEXT]',
      examples=('outage declare email "Outlook cannot connect"',
                'outage declare vpn "VPN drops every few minutes" --impact "everyone working from home"'))
def outage_declare(ctx: Ctx, args: Args) -> Reply:
    """Declare an outage of a service: its channels and subscribers on every platform get a banner, and new
    reports about it are linked to it as a known issue."""
    service = find_service(ctx, args.word("service"))
    text = args.rest("summary", required=True)
    found = _IMPACT.match(text)
    summary, impact = (found.group(1), found.group(2)) if found else (text, "")
    outage = outages.declare(ctx, service, summary=_unquote(summary), impact=_unquote(impact))
    return Reply(f"{outage.key} declared: {service.title} outage. Subscribers are being told; "
                 f"`/desk outage update {outage.key} TEXT` and `/desk outage resolve {outage.key} TEXT` "
                 "follow up.")


@verb("outage update", usage='outage update OUT-N "TEXT"',
      examples=('outage update OUT-3 "Microsoft is rolling back the faulty update"',))
def outage_update(ctx: Ctx, args: Args) -> Reply:
    """Tell everyone affected how an outage is going: its banner is edited, the text added in its thread."""
    outage = outages.get_outage(ctx, args.word("outage key (like OUT-3)"), for_update=True)
    places = outages.post_update(ctx, outage, args.rest("update", required=True))
    return Reply(f"{outage.key} updated in {places} place{'s' * (places != 1)}.")


@verb("outage resolve", usage='outage resolve OUT-N "TEXT"',
      examples=('outage resolve OUT-3 "Mail flows again; delayed messages are arriving"',))
def outage_resolve(ctx: Ctx, args: Args) -> Reply:
    """End an outage: banners say so, and every report linked to it is resolved in its requester's thread."""
    outage = outages.get_outage(ctx, args.word("outage key (like OUT-3)"), for_update=True)
    resolved = outages.resolve_outage(ctx, outage, args.rest())
    return Reply(f"{outage.key} resolved; {resolved} linked report{'s' * (resolved != 1)} resolved with it.")
