"""A message in the thread under an outage's banner: its writer hears what IT knows, and while the
outage lasts is told directly when it ends. Nothing said under a banner goes unanswered."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from core.business_time.wording import local_time
from core.cards import text_card
from core.context import Ctx
from core.delivery import Destination
from core.itsm.audience import subscribe
from core.itsm.outages import ACTIVE, LIVING_PREFIX, service_of
from core.storage.itsm_models import OutageRow
from core.storage.models import CardMessageRow
from core.teams import default_calendar

# Built once: every reply in a thread that is not a ticket's asks it.
LIVING_CARD_AT = select(CardMessageRow.card_key).where(
    CardMessageRow.platform == bindparam("platform"), CardMessageRow.channel == bindparam("channel"),
    CardMessageRow.message_id == bindparam("message"))


def answer_under_banner(ctx: Ctx, *, platform: str, channel: str, thread: str) -> None:
    """Answer a message written under an outage's banner (nothing when `thread` is not under one)."""
    card_key = ctx.session.scalar(LIVING_CARD_AT, {"platform": platform, "channel": channel, "message": thread})
    outage = _outage_of(ctx, card_key or "")
    if outage is None:
        return
    service = service_of(ctx, outage)
    here = Destination(platform, channel, thread)
    name = ctx.person().display_name
    if outage.status == ACTIVE:
        # Said once per person: a conversation under the banner must not fill up with the same answer.
        if subscribe(ctx, service, ctx.person(), platform=platform):
            ctx.outbox.send(here, text_card(
                f"Thanks, {name}: IT is working on {outage.key} ({service.title}). "
                "I will tell you directly when it is fixed."))
        return
    zone = default_calendar(ctx.settings, around=ctx.now).time_zone
    ended = local_time(outage.resolved_at or ctx.now, zone)
    ctx.outbox.send(here, text_card(
        f"{outage.key} ({service.title}) was resolved {ended}. If it still fails for you, "
        "write in the IT help channel or to me directly, and IT will look at it."))


def _outage_of(ctx: Ctx, card_key: str) -> OutageRow | None:
    # A banner's key is `outage:ID:PLACE` (see core.itsm.outages).
    prefix, _, rest = card_key.partition(":")
    number = rest.partition(":")[0]
    if f"{prefix}:" != LIVING_PREFIX or not number.isdigit():
        return None
    return ctx.session.get(OutageRow, int(number))
