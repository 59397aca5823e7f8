"""Verbs of the numbers: a report for IT leads, and the requester's rating of a closed ticket."""

from __future__ import annotations

from dataclasses import replace

from core.cards import Card, Reply
from core.context import Ctx
from core.delivery import Destination
from core.desk.grammar import Args
from core.desk.registry import verb
from core.errors import DeskError, UsageError
from core.reports.card import report_card
from core.reports.period import PeriodError, parse_chat_period
from core.reports.report import Report, build_report
from core.reports.satisfaction import rate as record_rating
from core.reports.scope import FILTER_NAMES, FilterError, read_filters
from core.tickets import get_ticket


@verb("report", usage="report [PERIOD] [--team T] [--agent A] [--kind K] [--category C] [--service S] "
                      "[--platform P]",
      examples=("report 30d", "report 7d --team network", "report 2026-02-01..2026-03-01 --kind incident"),
      reads_only=True)
def report(ctx: Ctx, args: Args) -> Reply:
    """The desk's numbers over a period (default 30d; or 7d, 12h, a date, or FROM..TO): tickets opened and
    resolved, MTTA and MTTR in business and wall-clock time, SLA met by priority, first-contact resolution,
    deflection, CSAT and backlog by age. The chart of tickets per day comes to you directly."""
    chosen = args.options(*FILTER_NAMES)
    period_text = args.optional_word() or ""
    chosen |= args.options(*FILTER_NAMES)
    args.done()
    try:
        period = parse_chat_period(period_text, now=ctx.now)
        scope = read_filters(ctx.session, ctx.settings, dict(chosen), typed_on=ctx.platform)
    except (PeriodError, FilterError) as error:
        raise UsageError(str(error)) from None
    found = build_report(ctx.session, ctx.settings, period=period, filters=scope.filters, now=ctx.now,
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
    from core.reports.charts import main_chart  # matplotlib is imported only now

    path = main_chart(found, settings.chart_dir())
    if path is None:
        return False
    chart = Card(title=f"Tickets per day: {found.period.describe()}", text=f"Scope: {found.scope}.",
                 image_path=str(path))
    return ctx.outbox.send(Destination(ctx.platform, user_id=ctx.author.user_id), chart)


@verb("rate", usage="rate KEY SCORE [COMMENT]", examples=("rate INC-42 5", "rate INC-42 3 fixed, but it took a week"),
      who="anyone")
def rate(ctx: Ctx, args: Args) -> Reply:
    """Say how well IT handled your closed ticket, from 1 (very poor) to 5 (excellent), with an optional
    comment (the twin of the survey's buttons). Rating again replaces your answer."""
    ticket = get_ticket(ctx.session, args.key(), for_update=True)
    if args.peek() is None:
        raise DeskError(f"Give a score from 1 to 5, e.g. `/desk rate {ticket.key} 4 quick and friendly`.")
    score = args.number("score", low=1, high=5)
    return Reply(record_rating(ctx, ticket, score=score, comment=args.rest()))
