"""Storms: reports arriving faster than a chat channel can show them.

A chat platform may pace each channel (about one message a second), so a burst of reports would queue a card
per report behind one another, and the last reporter would wait minutes to hear anything. When a channel of
a paced platform already has `storm_backlog` messages waiting, a new report is collapsed instead: agents see
it on the triage channel's one living storm card (edited in place: how many, the newest first with their
titles, the keys of all the others), which goes out before the channel's other waiting messages, and its
reporter gets an immediate lightweight acknowledgement (`quiet`: an ephemeral message, a reaction) that uses
none of the channel's pace. The full reply still goes out as the pace allows; the ticket gets a card of its
own when something happens to it. A storm of a channel goes on while reports keep coming; after `STORM_GAP`
of quiet, or once its card lists `CARD_HOLDS` reports (what a platform shows on one card), the next one
starts a new card.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from core.cards import Button, Card, text_card
from core.context import Ctx
from core.delivery import Destination
from core.lifecycle import format_key
from core.outbox import PENDING, drawn_when_leased
from core.storage.models import OutboxRow, PersonRow, TicketRow
from core.storage.storm_models import StormMemberRow
from core.storage.writes import append_unless_taken

STORM_GAP = timedelta(minutes=10)
KEY_PREFIX = "storm:"
SHOWN = 15  # the newest reports shown with their titles
CARD_HOLDS = 100  # reports on one card: the keys of the earlier ones fit one block of text beside the titles
KEYS_SHOWN = 2 * CARD_HOLDS  # workers adding reports at once may overfill a card a little; never by this much
TITLE_SHOWN = 50
# Built once: every report to a paced platform asks the first; every report of a storm the others.
WAITING = (select(OutboxRow.id).where(OutboxRow.platform == bindparam("platform"),
                                      OutboxRow.channel == bindparam("channel"), OutboxRow.user_id == "",
                                      OutboxRow.status == PENDING)
           .limit(bindparam("backlog")))
LAST_STORM = (select(StormMemberRow.storm, StormMemberRow.at)
              .where(StormMemberRow.platform == bindparam("platform"), StormMemberRow.channel == bindparam("channel"))
              .order_by(StormMemberRow.storm.desc(), StormMemberRow.ticket_id.desc()).limit(1))
MEMBERS = (select(TicketRow.id, TicketRow.kind, TicketRow.title, PersonRow.display_name)
           .select_from(StormMemberRow)
           .join(TicketRow, TicketRow.id == StormMemberRow.ticket_id)
           .join(PersonRow, PersonRow.id == TicketRow.requester_id)
           .where(StormMemberRow.platform == bindparam("platform"), StormMemberRow.channel == bindparam("channel"),
                  StormMemberRow.storm == bindparam("storm"))
           .order_by(StormMemberRow.ticket_id.desc()).limit(SHOWN + KEYS_SHOWN))
# A version of a storm card that no worker has leased yet: it is drawn afresh when it goes out, so a report
# that finds one needs no version of its own. Locked, so that a worker leasing it now (and drawing it without
# this report) is waited for, after which it no longer qualifies and the report writes the next version.
UNSENT_VERSION = (select(OutboxRow.id)
                  .where(OutboxRow.card_key == bindparam("card_key"), OutboxRow.status == PENDING,
                         or_(OutboxRow.locked_until.is_(None), OutboxRow.locked_until < bindparam("now")))
                  .limit(1).with_for_update())
MEMBER_COUNT = (select(func.count()).select_from(StormMemberRow)
                .where(StormMemberRow.platform == bindparam("platform"), StormMemberRow.channel == bindparam("channel"),
                       StormMemberRow.storm == bindparam("storm")))


def outpaced(ctx: Ctx, place: Destination) -> bool:
    """Whether `place` (a channel) of a paced platform has so many messages waiting that a new one would
    wait behind them all."""
    backlog = ctx.settings.storm_backlog
    if not backlog or place.platform not in ctx.deps.paced or not place.channel:
        return False
    waiting = ctx.session.execute(WAITING, {"platform": place.platform, "channel": place.channel,
                                            "backlog": backlog}).all()
    return len(waiting) >= backlog


def show_in_storm(ctx: Ctx, ticket: TicketRow, route: Destination) -> None:
    """List a new ticket on the storm card of the triage channel `route` (the card is edited in place)."""
    place = {"platform": route.platform, "channel": route.channel}
    last = ctx.session.execute(LAST_STORM, place).first()
    storm = 1 if last is None else last.storm + (0 if ctx.now - last.at < STORM_GAP else 1)
    if last is not None and storm == last.storm and \
            (ctx.session.scalar(MEMBER_COUNT, place | {"storm": storm}) or 0) >= CARD_HOLDS:
        storm += 1
    append_unless_taken(ctx.session, StormMemberRow, unique=("ticket_id", "platform", "channel"),
                        ticket_id=ticket.id, storm=storm, at=ctx.now, **place)
    card_key = f"{KEY_PREFIX}{route.platform}:{route.channel}:{storm}"
    if ctx.session.execute(UNSENT_VERSION, {"card_key": card_key, "now": ctx.now}).first() is not None:
        return
    card = storm_card(ctx.session, platform=route.platform, channel=route.channel, storm=storm)
    ctx.outbox.send(route, card, card_key=card_key, ahead=True)


@drawn_when_leased(KEY_PREFIX)
def _drawn_afresh(session: Session, card_key: str) -> Card:
    """Workers write versions of one storm card at once, each seeing only the reports committed before it:
    the card that goes out is drawn again then, with every report committed by that time."""
    platform, rest = card_key.removeprefix(KEY_PREFIX).split(":", 1)
    channel, storm = rest.rsplit(":", 1)
    return storm_card(session, platform=platform, channel=channel, storm=int(storm))


def storm_card(session: Session, *, platform: str, channel: str, storm: int) -> Card:
    place = {"platform": platform, "channel": channel, "storm": storm}
    rows = session.execute(MEMBERS, place).all()
    total = session.scalar(MEMBER_COUNT, place) or 0
    # Newest first: where a platform cuts a long card short, what it cuts is the oldest.
    lines = [f"{format_key(kind, number)} · {_short(title)} ({name})" for number, kind, title, name in rows[:SHOWN]]
    earlier = [format_key(kind, number) for number, kind, _title, _name in rows[SHOWN:]]
    if earlier:
        more = total - len(rows)
        lines.append("Earlier: " + ", ".join(earlier) + (f" and {more} more" if more > 0 else ""))
    return Card(title=f"Storm: {total} reports, faster than this channel can show them one by one",
                text="\n".join(lines), tone="warning",
                buttons=(Button("Show the queue", "queue"),),
                footer="Each gets a card of its own when something happens to it. `/desk claim KEY` takes one.")


def acknowledge_quietly(ctx: Ctx, ticket: TicketRow, *, user_id: str) -> None:
    """Tell the reporter at once that their report is a ticket, without waiting for the channel's pace."""
    if not (ticket.origin_channel and ticket.origin_message and user_id):
        return
    place = Destination(ticket.origin_platform, ticket.origin_channel, ticket.origin_message, user_id=user_id)
    ctx.outbox.send(place, text_card(f"Got it: {ticket.key}. Many reports are coming in at the moment; "
                                     "the full answer follows in this thread."),
                    ticket_id=ticket.id, ticket_key=ticket.key, quiet=True)


def _short(title: str) -> str:
    return title if len(title) <= TITLE_SHOWN else title[:TITLE_SHOWN - 1].rstrip() + "\u2026"
