"""Outgoing webhooks: ticket, order and outage events POSTed as JSON to each configured URL, signed with HMAC-SHA256,
and retried through the outbox like any notification (backoff, Retry-After, dead letters).

A feed job (on the leading process, every 2 seconds) reads the audit trail and the outages' updates past
where it last stopped, and writes one outbox notification per event and hook in the same transaction that
moves its mark: an event is queued once. It takes only rows at least SETTLE old, so that a transaction that
took a lower id but committed later (PostgreSQL) is not passed by. Internal notes are not events."""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.web.settings import Hook
from core.cards import Card
from core.delivery import Delivered, Delivery, DeliveryFailed, Destination
from core.outbox import Outbox
from core.scheduling.jobs import LoopJob
from core.storage.access_models import EventFeedRow
from core.storage.catalog_models import OrderRow
from core.storage.itsm_models import OutageRow, OutageUpdateRow
from core.storage.models import AuditRow, TicketRow

PLATFORM = "webhook"
FEED = "webhooks"
BATCH = 500
SETTLE = timedelta(seconds=2)
TIMEOUT_SECONDS = 10.0
OUTAGE_EVENTS = {"declared": "outage.declared", "update": "outage.updated", "resolved": "outage.resolved"}
PRIVATE_ACTIONS = {"note"}
# The steps of a catalog order, from its ticket's audit trail (its opening and status changes stay ticket.*).
ORDER_EVENTS = {"ordered": "order.placed", "approval_asked": "order.approval_asked",
                "approve": "order.approval_given", "approved": "order.approved", "reject": "order.rejected",
                "approval_expired": "order.expired", "task_opened": "order.task_opened",
                "task_done": "order.task_done", "task_cancelled": "order.task_cancelled"}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What X-Spoc-Signature carries: HMAC-SHA256 over "TIMESTAMP.BODY" with the hook's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def ticket_event(action: str, field: str) -> str:
    if action in ORDER_EVENTS:
        return ORDER_EVENTS[action]
    if action == "opened":
        return "ticket.opened"
    if action == "comment":
        return "ticket.commented"
    if field == "status" or action == "status":
        return "ticket.status_changed"
    if action in ("assign", "unassign"):
        return "ticket.assigned"
    return "ticket.updated"


def _wanted(hook: Hook, event: str) -> bool:
    return any(fnmatch.fnmatchcase(event, pattern) for pattern in hook.events)


def _mark(session: Session, source: str) -> EventFeedRow:
    row = session.get(EventFeedRow, (FEED, source), with_for_update=True)
    if row is None:
        # A new feed starts now: what happened before hooks were configured is not sent.
        newest = session.scalar(select(AuditRow.id if source == "audit" else OutageUpdateRow.id)
                                .order_by((AuditRow.id if source == "audit" else OutageUpdateRow.id).desc()).limit(1))
        row = EventFeedRow(name=FEED, source=source, last_id=newest or 0)
        session.add(row)
        session.flush()
    return row


Event = tuple[int, Any, str, dict[str, Any]]  # row id, when, event name ("" for none), payload


def _ticket_events(session: Session, after: int) -> list[Event]:
    found = []
    rows = session.execute(select(AuditRow, TicketRow, OrderRow).join(TicketRow, TicketRow.id == AuditRow.ticket_id)
                           .outerjoin(OrderRow, OrderRow.ticket_id == TicketRow.id)
                           .where(AuditRow.id > after).order_by(AuditRow.id).limit(BATCH))
    for audit, ticket, order in rows:
        if audit.action in PRIVATE_ACTIONS:
            found.append((audit.id, audit.at, "", {}))
            continue
        event = ticket_event(audit.action, audit.field)
        found.append((audit.id, audit.at, event, {
            "event": event, "id": f"audit-{audit.id}", "at": audit.at.isoformat(),
            "ticket": {"key": ticket.key, "kind": ticket.kind, "status": ticket.status, "priority": ticket.priority,
                       "title": ticket.title, "category": ticket.category, "service": ticket.service},
            "change": {"action": audit.action, "field": audit.field, "old": audit.old, "new": audit.new},
            "actor": audit.actor.display_name if audit.actor else None,
            **({"order": {"key": ticket.key, "item": order.item, "item_name": order.item_name, "state": order.state}}
               if order is not None else {})}))
    return found


def _outage_events(session: Session, after: int) -> list[Event]:
    rows = session.execute(select(OutageUpdateRow, OutageRow).join(OutageRow, OutageRow.id == OutageUpdateRow.outage_id)
                           .where(OutageUpdateRow.id > after).order_by(OutageUpdateRow.id).limit(BATCH))
    found = []
    for update, outage in rows:
        event = OUTAGE_EVENTS.get(update.kind, "outage.updated")
        found.append((update.id, update.at, event, {
            "event": event, "id": f"outage-update-{update.id}", "at": update.at.isoformat(), "text": update.text,
            "outage": {"key": outage.key, "service": outage.service, "summary": outage.summary,
                       "impact": outage.impact, "status": outage.status}}))
    return found


def feed_hooks(session: Session, hooks: tuple[Hook, ...], *, now: Any) -> int:
    """Queue the events since the last pass for every hook that wants them; returns how many were queued."""
    outbox = Outbox(session, now=now, platforms=frozenset({PLATFORM}))
    queued = 0
    for source, read in (("audit", _ticket_events), ("outage_updates", _outage_events)):
        mark = _mark(session, source)
        for row_id, at, event, payload in read(session, mark.last_id):
            if at > now - SETTLE:
                break
            mark.last_id = row_id
            if not event:
                continue
            body = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
            for hook in hooks:
                if _wanted(hook, event):
                    ticket_key = payload.get("ticket", {}).get("key", "")
                    outbox.send(Destination(PLATFORM, hook.name), Card(title=event, text=body), ticket_key=ticket_key)
                    queued += 1
    outbox.write()
    return queued


def feed_job(hooks: tuple[Hook, ...], *, db: Any, clock: Any, poke: Any) -> LoopJob:
    import asyncio

    async def run(_runner: Any) -> None:
        queued = await asyncio.to_thread(db.run, lambda s: feed_hooks(s, hooks, now=clock.now()))
        if queued:
            poke()

    return LoopJob(name="webhook feed", every=timedelta(seconds=2), run=run)


class HookMessenger:
    """Delivers a queued event to its hook's URL. 2xx is delivered; 429 and 5xx and network faults are retried
    (Retry-After obeyed); any other answer is permanent (a dead letter, `spoc outbox retry` sends it again)."""

    platform = PLATFORM

    def __init__(self, hooks: tuple[Hook, ...], *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.hooks = {hook.name: hook for hook in hooks}
        self.timeout = timeout

    async def deliver(self, delivery: Delivery) -> Delivered:
        hook = self.hooks.get(delivery.destination.channel)
        if hook is None:
            raise DeliveryFailed(f"no webhook {delivery.destination.channel!r} in web.webhooks", permanent=True)
        body = delivery.card.text.encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": "spoc-webhooks",
                   "X-Spoc-Event": delivery.card.title, "X-Spoc-Delivery": str(delivery.outbox_id),
                   "X-Spoc-Timestamp": stamp}
        if hook.secret:
            headers["X-Spoc-Signature"] = signature(hook.secret, stamp, body)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session, \
                    session.post(hook.url, data=body, headers=headers, allow_redirects=False) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryFailed(f"{hook.url}: {type(error).__name__}: {error}") from None
        if 200 <= status < 300:
            return Delivered(message_id=str(delivery.outbox_id), channel=hook.name)
        if status == 429 or status >= 500 or status == 408:
            wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None
            raise DeliveryFailed(f"{hook.url} answered {status}", retry_after=wait)
        raise DeliveryFailed(f"{hook.url} answered {status}", permanent=True)
