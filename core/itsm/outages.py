"""Outages: declared, updated and resolved by IT, told to everyone who depends on the service, and linked to
the reports that arrive meanwhile."""

from __future__ import annotations

from sqlalchemy import select

from core import actions
from core.business_time.wording import local_time
from core.cards import Card, Field, text_card
from core.config.services import Service, service_named
from core.context import Ctx
from core.errors import DeskError
from core.itsm.audience import broadcast, subscribe
from core.itsm.matching import matching_service
from core.lifecycle import Kind
from core.notify import audit, refresh_cards, tell_requester
from core.storage.itsm_models import OutageRow, OutageTicketRow, OutageUpdateRow
from core.storage.models import TicketRow
from core.storage.writes import append
from core.teams import default_calendar, team_named

ACTIVE, RESOLVED = "active", "resolved"
LIVING_PREFIX = "outage:"  # a banner's card key: the prefix, the outage's id, then where it is posted
ACTIVE_OUTAGES = select(OutageRow).where(OutageRow.status == ACTIVE).order_by(OutageRow.id)
# Built once: every new incident asks it.
ACTIVE_OUTAGE_SERVICES = (select(OutageRow.service, OutageRow.id).where(OutageRow.status == ACTIVE)
                          .order_by(OutageRow.id))


def get_outage(ctx: Ctx, key: str, *, for_update: bool = False) -> OutageRow:
    shown = key.strip().upper()
    raw = shown.removeprefix("OUT-")
    lock = for_update or None
    outage = ctx.session.get(OutageRow, int(raw), with_for_update=lock) if raw.isdigit() else None
    if outage is None:
        raise DeskError(f"No outage {shown or '(none given)'}. `/desk services` shows the active ones.")
    return outage


def active_outages(ctx: Ctx) -> list[OutageRow]:
    return list(ctx.session.scalars(ACTIVE_OUTAGES))


def service_of(ctx: Ctx, outage: OutageRow) -> Service:
    return _service(ctx, outage.service)


def _service(ctx: Ctx, name: str) -> Service:
    # A service dropped from the config keeps its outages readable.
    return service_named(ctx.settings.services, name) or Service(name=name)


def declare(ctx: Ctx, service: Service, *, summary: str, impact: str = "") -> OutageRow:
    if not summary.strip():
        raise DeskError(f'Say what is wrong: `/desk outage declare {service.name} "Outlook cannot connect"`.')
    for running in active_outages(ctx):
        if running.service == service.name:
            raise DeskError(f"{service.title} already has an active outage, {running.key}: "
                            f"`/desk outage update {running.key} TEXT` adds to it.")
    outage = OutageRow(service=service.name, summary=summary.strip(), impact=impact.strip(), status=ACTIVE,
                       declared_by_id=ctx.actor.id if ctx.actor else None, declared_at=ctx.now,
                       updated_at=ctx.now)
    ctx.session.add(outage)
    ctx.session.flush()
    _note(ctx, outage, "declared", summary)
    broadcast(ctx, service, outage_card(ctx, outage), living=_living(outage), with_owner=True)
    return outage


def post_update(ctx: Ctx, outage: OutageRow, text: str) -> int:
    """Edit the outage's card everywhere and add `text` in its thread; returns to how many places."""
    if outage.status != ACTIVE:
        raise DeskError(f"{outage.key} is resolved; declare a new outage if it is broken again.")
    if not text.strip():
        raise DeskError(f'Say what changed, e.g. `/desk outage update {outage.key} "fix is rolling out"`.')
    outage.updated_at = ctx.now
    _note(ctx, outage, "update", text)
    who = ctx.actor.display_name if ctx.actor else "IT"
    return broadcast(ctx, service_of(ctx, outage), outage_card(ctx, outage), living=_living(outage),
                     thread_line=text_card(f"Update from {who}: {text.strip()}"), with_owner=True)


def resolve_outage(ctx: Ctx, outage: OutageRow, text: str) -> int:
    """End the outage: cards edited, a last line in their threads, and every linked report resolved in its
    requester's own thread (they are asked "Is it fixed?"). Returns how many reports were resolved."""
    if outage.status != ACTIVE:
        raise DeskError(f"{outage.key} is already resolved.")
    service = service_of(ctx, outage)
    outage.status, outage.resolved_at, outage.updated_at = RESOLVED, ctx.now, ctx.now
    _note(ctx, outage, "resolved", text or "Resolved.")
    said = f": {text.strip()}" if text.strip() else "."
    broadcast(ctx, service, outage_card(ctx, outage), living=_living(outage), with_owner=True,
              thread_line=text_card(f"Resolved{said}", tone="success"))
    over = f"The {service.title} outage ({outage.key}) is over{said}"
    resolved = 0
    for ticket in linked_reports(ctx, outage):
        if ticket.state.is_open:
            actions.resolve(ctx, ticket, over)
            resolved += 1
        else:
            tell_requester(ctx, ticket, over)
    return resolved


def linked_reports(ctx: Ctx, outage: OutageRow) -> list[TicketRow]:
    ids = ctx.session.scalars(select(OutageTicketRow.ticket_id).where(OutageTicketRow.outage_id == outage.id)
                              .order_by(OutageTicketRow.ticket_id)).all()
    return [t for t in (ctx.session.get(TicketRow, i, with_for_update=True) for i in ids) if t is not None]


def link_report(ctx: Ctx, ticket: TicketRow) -> OutageRow | None:
    """At intake: a new incident about a service that has an active outage is linked to it, its reporter
    told it is a known issue and subscribed to the service."""
    if ticket.kind != Kind.INCIDENT.value:
        return None
    # Asked for every new incident, and mostly there is none: plain rows first, the outage row only when linked.
    outages = dict(ctx.session.connection().execute(ACTIVE_OUTAGE_SERVICES).all())
    if not outages:
        return None
    services = [_service(ctx, name) for name in outages]
    service = matching_service(ticket.description, category_service=ticket.service, services=services)
    if service is None:
        return None
    outage = ctx.session.get_one(OutageRow, outages[service.name])
    append(ctx.session, OutageTicketRow, ticket_id=ticket.id, outage_id=outage.id)
    audit(ctx, ticket, "linked_outage", field="outage", new=outage.key)
    subscribe(ctx, service, ctx.person(), platform=ticket.origin_platform)
    tell_requester(ctx, ticket, f"Known issue: {service.title} outage ({outage.key}). "
                                "We will tell you when it is fixed.")
    refresh_cards(ctx, ticket)  # the agents' card says it is a known issue
    return outage


def outage_card(ctx: Ctx, outage: OutageRow) -> Card:
    service = service_of(ctx, outage)
    zone = default_calendar(ctx.settings, around=ctx.now).time_zone
    owner = team_named(ctx.settings, service.owner) if service.owner else None
    if outage.status == ACTIVE:
        status = f"Active since {local_time(outage.declared_at, zone)}"
    else:
        status = f"Resolved {local_time(outage.resolved_at or ctx.now, zone)}"
    fields = [Field("Status", status)]
    if outage.impact:
        fields.append(Field("Impact", outage.impact))
    if owner is not None:
        fields.append(Field("Handled by", owner.title))
    latest = _latest(ctx, outage)
    if latest is not None and latest.kind != "declared":
        fields.append(Field("Latest", f"{local_time(latest.at, zone)}: {latest.text}"))
    title = f"{outage.key} · {service.title} outage: {outage.summary}"
    return Card(title=title if outage.status == ACTIVE else f"Resolved: {title}", fields=tuple(fields),
                tone="danger" if outage.status == ACTIVE else "success",
                footer=f"`/desk subscribe {service.name}` to be told directly about {service.title}.")


def _latest(ctx: Ctx, outage: OutageRow) -> OutageUpdateRow | None:
    return ctx.session.scalar(select(OutageUpdateRow).where(OutageUpdateRow.outage_id == outage.id)
                              .order_by(OutageUpdateRow.id.desc()).limit(1))


def _note(ctx: Ctx, outage: OutageRow, kind: str, text: str) -> None:
    ctx.session.add(OutageUpdateRow(outage_id=outage.id, kind=kind, text=text.strip(),
                                    author_id=ctx.actor.id if ctx.actor else None, at=ctx.now))
    ctx.session.flush()


def _living(outage: OutageRow) -> str:
    return f"{LIVING_PREFIX}{outage.id}"
