"""Verbs of the numbers: a report for IT leads, and the requester's rating of a closed ticket."""

from __future__ import annotations

from dataclasses import replace

from core.cards import Card, Reply
from core.commands.params import Number, Text, Word
from core.context import Ctx
from core.delivery import Destination
from core.desk.params import TICKET
from core.desk.permissions import REQUESTER
from core.desk.registry import verb
from core.errors import UsageError
from core.reports import charts
from core.reports.card import report_card
from core.reports.period import PeriodError, parse_chat_period
from core.reports.report import Report, build_report
from core.reports.satisfaction import rate as record_rating
from core.reports.scope import FilterError, read_filters
from core.storage.models import TicketRow


def _filter(name: str) -> Word:
    return Word(name=name, option=True, required=False, shown=name[0].upper())


@verb("report", Word(name="period", required=False), _filter("team"), _filter("agent"), _filter("kind"),
      _filter("category"), _filter("service"), _filter("platform"), exact=True, strict=True, reads_only=True,
      examples=("report 30d", "report 7d --team network", "report 2026-02-01..2026-03-01 --kind incident"))
def report(ctx: Ctx, *, period: str, team: str, agent: str, kind: str, category: str, service: str,
           platform: str) -> Reply:
    """The desk's numbers over a period (default 30d; or 7d, 12h, a date, or FROM..TO): tickets opened and
    resolved, MTTA and MTTR in business and wall-clock time, SLA met by priority, first-contact resolution,
    deflection, CSAT and backlog by age. The chart of tickets per day comes to you directly."""
    chosen = {"team": team, "agent": agent, "kind": kind, "category": category, "service": service,
              "platform": platform}
    try:
        span = parse_chat_period(period, now=ctx.now)
        scope = read_filters(ctx.session, ctx.settings, dict(chosen), typed_on=ctx.platform)
    except (PeriodError, FilterError) as error:
        raise UsageError(str(error)) from None
    found = build_report(ctx.session, ctx.settings, period=span, filters=scope.filters, now=ctx.now,
                         scope=scope.words)
    card = report_card(found)
    if _send_chart(ctx, found):
        card = replace(card, footer=f"The chart of tickets per day is on its way to you. {card.footer}")
    return Reply(card=card)


def _send_chart(ctx: Ctx, found: Report) -> bool:
    """Draw the main chart and send it to the person directly (answers to commands carry no files)."""
    settings = ctx.settings.reports
    if not settings.charts or ctx.author is None or not ctx.author.user_id:
        return False
    data = charts.chat_chart(found)  # matplotlib is imported only as it draws
    if data is None:
        return False
    chart = Card(title=f"Tickets per day: {found.period.describe()}", text=f"Scope: {found.scope}.",
                 attachments=(ctx.outbox.attach(name=charts.CHAT_CHART, media_type=charts.PNG, data=data),))
    return ctx.outbox.send(Destination(ctx.platform, user_id=ctx.author.user_id), chart)


@verb("rate", TICKET,
      Number(name="score", low=1, high=5, ask="Your score, from 1 (very poor) to 5 (excellent)",
             missing="Give a score from 1 to 5, e.g. `/desk rate {ticket} 4 quick and friendly`."),
      Text(name="comment", required=False, ask="A comment (optional)"),
      allow=REQUESTER.refusing("Only the person who reported {key} can rate it."),
      examples=("rate INC-42 5", "rate INC-42 3 fixed, but it took a week"))
def rate(ctx: Ctx, *, ticket: TicketRow, score: int, comment: str) -> Reply:
    """Say how well IT handled your closed ticket, from 1 (very poor) to 5 (excellent), with an optional
    comment (the twin of the survey's buttons). Rating again replaces your answer."""
    return Reply(record_rating(ctx, ticket, score=score, comment=comment))
