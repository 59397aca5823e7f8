"""Moving a ticket between lines of support, by hand or at an SLA breach. The history is the audit trail."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import select

from core.cards import Card, Field
from core.config.sla import Team
from core.context import Ctx
from core.due import ticket_time_zone, update_due_dates
from core.errors import DeskError
from core.notify import audit, refresh_cards, tell_agents, tell_requester
from core.settings import DeskSettings
from core.storage.models import AuditRow, CommentRow, TicketRow
from core.team_reach import on_call_mention, team_channels
from core.teams import first_line, next_in_line, pick_for, team_named, team_of
from core.views import agent_buttons, sla_due_text, who

MISSPELT_TEAM_SIMILARITY = 75


def escalate(ctx: Ctx, ticket: TicketRow, team: Team, *, reason: str) -> None:
    """Hand `ticket` to `team`: audit, internal note, a card in the team's channels (its on-call person
    mentioned), the requester told who has it now, and the due dates in the new team's calendar."""
    old = team_of(ctx.settings, ticket)
    audit(ctx, ticket, "escalate", field="team", old=ticket.team or (old.name if old else ""), new=team.name)
    ticket.team, ticket.tier, ticket.updated_at = team.name, team.tier, ctx.now
    note = f"Escalated to {team.title} (tier {team.tier})" + (f": {reason}" if reason else ".")
    author = ctx.actor.id if ctx.actor else None
    ctx.session.add(CommentRow(ticket_id=ticket.id, author_id=author, body=note, internal=True,
                               platform=ctx.platform, created_at=ctx.now))
    update_due_dates(ctx, ticket)
    post_to_team(ctx, ticket, team, title=f"Escalated to {team.title}: {ticket.key} · {ticket.title}",
                 why=reason)
    tell_requester(ctx, ticket, f"Your ticket has been escalated to the {team.title} team.")
    tell_agents(ctx, ticket, f"{ticket.key} is now with {team.title} (tier {team.tier})"
                + (f": {reason}" if reason else "."))
    refresh_cards(ctx, ticket)


def post_to_team(ctx: Ctx, ticket: TicketRow, team: Team | None, *, title: str, why: str,
                 tone: str = "danger", mention_on_call: bool = True) -> None:
    """A card about `ticket` in each channel of `team`; `mention_on_call` pages its on-call person."""
    fields = [
        Field("Requester", ticket.requester.display_name),
        Field("Priority", ticket.priority),
        Field("Category", ticket.category),
        Field("Assignee", who(ticket)),
    ]
    due = sla_due_text(ticket, now=ctx.now, time_zone=ticket_time_zone(ctx.settings, ticket, around=ctx.now))
    if due:
        fields.append(Field("SLA due", due))
    if why:
        fields.append(Field("Why", why))
    text = ticket.description if ticket.description != ticket.title else ""
    triage = set(ctx.deps.routes.triage)
    for place in team_channels(ctx, team):
        card = Card(title=title, text=text, fields=tuple(fields), buttons=agent_buttons(ticket),
                    tone=tone,  # type: ignore[arg-type]
                    more_command=f"/desk show {ticket.key}",
                    mentions=on_call_mention(ctx, team, place.platform) if mention_on_call else ())
        # Replies under the card become internal notes; the triage channel keeps the one thread it has.
        ctx.outbox.send(place, card, ticket_id=ticket.id, ticket_key=ticket.key,
                        thread_audience="" if place in triage else "agents")


def escalate_by_hand(ctx: Ctx, ticket: TicketRow, *, target: str, reason: str) -> str:
    if not ticket.state.is_open:
        raise DeskError(f"{ticket.key} is {ticket.state.label}; only open tickets can be escalated.")
    team = _target_team(ctx, ticket, target)
    current = team_of(ctx.settings, ticket)
    if current is not None and team.name == current.name:
        raise DeskError(f"{ticket.key} already is with {team.title}.")
    if team.tier < ticket.tier:
        raise DeskError(f"{team.title} is tier {team.tier}, below {ticket.key}'s tier {ticket.tier}: "
                        f"`/desk deescalate {ticket.key}` hands it back.")
    escalate(ctx, ticket, team, reason=reason)
    return f"{ticket.key} escalated to {team.title} (tier {team.tier})."


def _target_team(ctx: Ctx, ticket: TicketRow, target: str) -> Team:
    settings = ctx.settings
    if not settings.teams:
        raise DeskError("No teams are configured (desk.teams in the config): there is nowhere to escalate.")
    if not target:
        team = next_in_line(settings, ticket)
        if team is None:
            raise DeskError(f"{ticket.key} is with the top tier (tier {ticket.tier}); there is no one above. "
                            f"Name a team: {_team_names(ctx)}.")
        return team
    tier = _tier_number(target)
    if tier is not None:
        same_tier = [t for t in settings.teams if t.tier == tier]
        if not same_tier:
            raise DeskError(f"No team has tier {tier}. Teams: {_team_names(ctx)}.")
        return pick_for(same_tier, ticket.category) or same_tier[0]
    team = team_named(settings, target)
    if team is None:
        raise DeskError(f"No team {target!r}. Teams: {_team_names(ctx)}.")
    return team


def _tier_number(text: str) -> int | None:
    word = text.lower().removeprefix("tier").removeprefix("t").strip()
    return int(word) if word.isdigit() else None


def _team_names(ctx: Ctx) -> str:
    return ", ".join(f"{t.name} (tier {t.tier})" for t in ctx.settings.teams)


def is_team_or_tier(settings: DeskSettings, word: str) -> bool:
    return team_named(settings, word) is not None or _tier_number(word) is not None


def refuse_misspelt_team(ctx: Ctx, ticket: TicketRow, word: str, reason: str) -> None:
    """A first word that is nearly a team's name was meant as one: refuse it with that name, rather than
    escalate to whoever is next in line with the typo as the reason."""
    names = {name: team.name for team in ctx.settings.teams for name in (team.name, team.title.lower())}
    needle = word.lower()
    started = [name for name in names if len(needle) >= 4 and name.startswith(needle)]
    match = process.extractOne(needle, list(names), scorer=fuzz.ratio, score_cutoff=MISSPELT_TEAM_SIMILARITY)
    if not started and match is None:
        return
    meant = names[started[0] if started else match[0]]  # type: ignore[index]
    rest = f" {reason}" if reason else ""
    raise DeskError(f"No team {word!r}. Did you mean {meant}? `/desk escalate {ticket.key} {meant}{rest}`. "
                    f"Teams: {_team_names(ctx)}.")


def deescalate(ctx: Ctx, ticket: TicketRow, *, reason: str) -> str:
    """Back to the team that had it before the last escalation (the first line if the trail says nothing)."""
    if not ticket.state.is_open:
        raise DeskError(f"{ticket.key} is {ticket.state.label}; only open tickets can be handed back.")
    current = team_of(ctx.settings, ticket)
    previous = _previous_team(ctx, ticket)
    if previous is None and ticket.tier > 1:
        previous = first_line(ctx.settings, ticket.category)
    if previous is None or current is None or previous.name == current.name:
        raise DeskError(f"{ticket.key} is with the first line already; nothing to hand back.")
    audit(ctx, ticket, "deescalate", field="team", old=current.name, new=previous.name)
    ticket.team, ticket.tier, ticket.updated_at = previous.name, previous.tier, ctx.now
    note = f"Handed back to {previous.title} (tier {previous.tier})" + (f": {reason}" if reason else ".")
    ctx.session.add(CommentRow(ticket_id=ticket.id, author_id=ctx.actor.id if ctx.actor else None, body=note,
                               internal=True, platform=ctx.platform, created_at=ctx.now))
    update_due_dates(ctx, ticket)
    post_to_team(ctx, ticket, previous,
                 title=f"Handed back to {previous.title}: {ticket.key} · {ticket.title}",
                 why=reason, tone="warning", mention_on_call=False)
    tell_requester(ctx, ticket, f"Your ticket is now with the {previous.title} team.")
    tell_agents(ctx, ticket, note.replace("Handed back", f"{ticket.key} handed back", 1))
    refresh_cards(ctx, ticket)
    return f"{ticket.key} is back with {previous.title} (tier {previous.tier})."


def _previous_team(ctx: Ctx, ticket: TicketRow) -> Team | None:
    """Walk the escalation trail backwards: each escalation into the current team names where it came from."""
    rows = ctx.session.execute(
        select(AuditRow.action, AuditRow.old, AuditRow.new)
        .where(AuditRow.ticket_id == ticket.id, AuditRow.action.in_(("escalate", "deescalate")))
        .order_by(AuditRow.id.desc())
    ).all()
    for action, old, new in rows:
        if action == "escalate" and new == ticket.team and old:
            found = team_named(ctx.settings, old)
            if found is not None and found.tier <= ticket.tier:
                return found
    return None
