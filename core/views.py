"""Cards the core shows people. Plain words only: adapters do the formatting and escaping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.business_time.wording import describe_duration, local_date, local_time
from core.cards import Button, Card, Field
from core.knowledge import Suggestion
from core.lifecycle import Status
from core.storage.models import AuditRow, CommentRow, TicketRow
from core.ticket_files import StoredFile
from core.tickets import Page

SCORES = range(1, 6)  # a requester rates a closed ticket from 1 (very poor) to 5 (excellent)
TONE_BY_PRIORITY = {"P1": "danger", "P2": "warning", "P3": "info", "P4": "info"}


def who(ticket: TicketRow) -> str:
    return ticket.assignee.display_name if ticket.assignee else "nobody yet"


def status_line(ticket: TicketRow, *, time_zone: str = "UTC") -> str:
    status = ticket.state
    if status is Status.RESOLVED and ticket.self_service:
        return "Resolved by self-service"
    if status is Status.IN_PROGRESS and ticket.assignee:
        return f"{ticket.assignee.display_name} is on it"
    if status is Status.ON_HOLD:
        until = f" until {local_date(ticket.hold_until, time_zone)}" if ticket.hold_until else ""
        return f"On hold{until}" + (f": {ticket.hold_reason}" if ticket.hold_reason else "")
    return status.label.capitalize()


def sla_due_text(ticket: TicketRow, *, now: datetime | None = None, time_zone: str = "UTC") -> str:
    """When the ticket's clocks run out, in the team's local time; empty once it is no longer open."""
    if not ticket.state.is_open:
        return ""
    if ticket.state is Status.ON_HOLD:
        return "paused (on hold)"
    parts = []
    for label, due in (("first response", None if ticket.first_response_at else ticket.first_response_due),
                       ("resolution", ticket.resolution_due)):
        if due is None:
            continue
        late = now is not None and due <= now
        parts.append(f"{label} overdue since {local_time(due, time_zone)}" if late
                     else f"{label} by {local_time(due, time_zone)}")
    return ", ".join(parts)


def agent_buttons(ticket: TicketRow) -> tuple[Button, ...]:
    key, status = ticket.key, ticket.state
    if status is Status.NEW:
        return (
            Button("Claim", f"claim {key}", "primary"),
            Button("Assign", f"assign {key}", prompt="Assign to (name or @mention)"),
            _escalate_button(key),
            Button("Resolve", f"resolve {key}", prompt="How was it resolved?"),
        )
    if status is Status.IN_PROGRESS:
        return (
            Button("Resolve", f"resolve {key}", "primary", prompt="How was it resolved?"),
            Button("Assign", f"assign {key}", prompt="Assign to (name or @mention)"),
            Button("Hold", f"hold {key}", prompt="Why on hold?"),
            _escalate_button(key),
        )
    if status is Status.ON_HOLD:
        return (Button("Resume", f"resume {key}", "primary"),
                Button("Resolve", f"resolve {key}", prompt="How was it resolved?"))
    if status is Status.RESOLVED:
        return (Button("Reopen", f"reopen {key}", prompt="Why reopen?"),)
    return ()


def _escalate_button(key: str) -> Button:
    return Button("Escalate", f"escalate {key}",
                  prompt="Which team or tier? (none: the next up)")


def triage_card(
    ticket: TicketRow, *, suggestions: Sequence[Suggestion] = (), now: datetime | None = None,
    time_zone: str = "UTC",
) -> Card:
    fields = [
        Field("Requester", ticket.requester.display_name),
        Field("Priority", f"{ticket.priority} (impact {ticket.impact}, urgency {ticket.urgency})"),
        Field("Kind", ticket.kind),
        Field("Category", ticket.category),
    ]
    why = triage_why(ticket)
    if why:
        fields.append(Field("Why", why))
    fields += [
        Field("Status", status_line(ticket, time_zone=time_zone)),
        Field("Assignee", who(ticket)),
    ]
    due = sla_due_text(ticket, now=now, time_zone=time_zone)
    if due:
        fields.append(Field("SLA due", due))
    if ticket.tier > 1 and ticket.team:
        fields.append(Field("Team", f"{ticket.team} (tier {ticket.tier})"))
    if suggestions:
        fields.append(Field("Suggested articles", ", ".join(s.title for s in suggestions)))
    return Card(
        title=f"{ticket.key} · {ticket.title}",
        text=ticket.description if ticket.description != ticket.title else "",
        fields=tuple(fields),
        buttons=agent_buttons(ticket),
        tone="success" if not ticket.state.is_open else TONE_BY_PRIORITY.get(ticket.priority, "info"),  # type: ignore[arg-type]
        more_command=f"/desk show {ticket.key}",
    )


def files_field(files: Sequence[StoredFile], *, key: str, shown: int = 5) -> tuple[Field, ...]:
    """The files kept with a ticket, and where to fetch them; nothing when there are none."""
    if not files:
        return ()
    listed = ", ".join(f.describe() + (" (the original message)" if f.original else "") for f in files[:shown])
    more = f" and {len(files) - shown} more" if len(files) > shown else ""
    return (Field("Attachments", f"{listed}{more}. `spoc tickets attachments {key}` saves them."),)


def triage_why(ticket: TicketRow) -> str:
    """Why the ticket is filed as it is: the triage's reasons, or who corrected what."""
    reasons = ticket.triage_reasons or {}
    return "; ".join(reasons[name] for name in ("kind", "category", "impact", "urgency") if reasons.get(name))


def opened_text(ticket: TicketRow, *, first_response: timedelta | None = None) -> str:
    promise = f" First response within {describe_duration(first_response)}." if first_response else ""
    return f"{ticket.key} opened: {ticket.category}, {ticket.kind}, {ticket.priority}.{promise}"


def corrected_text(ticket: TicketRow, what: str, *, first_response: timedelta | None = None) -> str:
    promise = f" First response within {describe_duration(first_response)}." if first_response else ""
    return f"IT corrected {what}: {ticket.key} is now {ticket.category}, {ticket.kind}, {ticket.priority}.{promise}"


def suggestions_card(ticket: TicketRow, suggestions: Sequence[Suggestion]) -> Card:
    buttons: list[Button] = []
    for suggestion in suggestions:
        buttons.append(Button(f"This solved it: {suggestion.title[:40]}", f"kb solved {ticket.key} {suggestion.slug}",
                              "primary"))
    buttons.append(Button("Not helpful", f"kb unhelpful {ticket.key}"))
    lines = [f"{n}. {s.title}" + (f": {s.summary}" if s.summary else "") for n, s in enumerate(suggestions, 1)]
    return Card(
        title="These articles may help",
        text="\n".join(lines),
        buttons=tuple(buttons),
        more_command="/desk kb show SLUG",
    )


def confirm_card(ticket: TicketRow) -> Card:
    resolution = f"\nResolution: {ticket.resolution}" if ticket.resolution else ""
    return Card(
        title=f"{ticket.key} is resolved. Is it fixed?",
        text=f"{ticket.title}{resolution}",
        buttons=(
            Button("Yes, it's fixed", f"confirm {ticket.key}", "primary"),
            Button("No, still broken", f"reject {ticket.key}", "danger", prompt="What is still wrong?"),
        ),
        tone="success",
    )


def audit_line(*, action: str, field: str, old: str, new: str) -> str:
    """`status new -> in_progress`, `escalate: team service-desk -> network`, `comment`."""
    if not field:
        return action
    change = f"{field} {old or '-'} -> {new or '-'}"
    return change if action == field else f"{action}: {change}"


def detail_card(
    ticket: TicketRow, *, comments: Sequence[CommentRow], audit: Sequence[AuditRow], for_agent: bool,
    now: datetime | None = None, time_zone: str = "UTC", files: Sequence[StoredFile] = (),
) -> Card:
    card = triage_card(ticket, now=now, time_zone=time_zone)
    shown = [c for c in comments if for_agent or not c.internal]
    history = "\n".join(
        f"{c.created_at:%Y-%m-%d %H:%M} {(c.author.display_name if c.author else 'spoc')}"
        f"{' (internal)' if c.internal else ''}: {c.body}"
        for c in shown
    )
    trail = "\n".join(
        f"{a.at:%Y-%m-%d %H:%M} {(a.actor.display_name if a.actor else 'spoc')}: "
        + audit_line(action=a.action, field=a.field, old=a.old, new=a.new)
        for a in audit
    )
    text = ticket.description
    if history:
        text += "\n\nComments:\n" + history
    if for_agent and trail:
        text += "\n\nAudit:\n" + trail
    return Card(
        title=card.title,
        text=text,
        fields=card.fields + ((Field("Resolution", ticket.resolution),) if ticket.resolution else ())
        + files_field(files, key=ticket.key, shown=len(files)),
        buttons=card.buttons if for_agent else (),
        tone=card.tone,
        more_command=f"spoc tickets show {ticket.key}",
    )


def queue_card(title: str, page: Page, *, empty: str, command: str) -> Card:
    """A page of tickets: how many there are in all, and a button (with its `/desk` twin) for the next page."""
    if not page.rows:
        return Card(title=title, text=empty)
    first = (page.number - 1) * page.size + 1
    shown = f"{page.total}" if page.total == len(page.rows) else \
        f"{first}-{first + len(page.rows) - 1} of {page.total}"
    lines = [
        f"{t.key} {t.priority} {t.state.label}: {t.title} ({t.requester.display_name}; {who(t)})" for t in page.rows
    ]
    if not page.remaining:
        return Card(title=f"{title} ({shown})", text="\n".join(lines))
    following = f"{command} {page.number + 1}"
    return Card(title=f"{title} ({shown})", text="\n".join(lines),
                buttons=(Button(f"Next {min(page.size, page.remaining)}", following),),
                footer=f"{page.remaining} more: `/desk {following}`")


def survey_card(ticket: TicketRow) -> Card:
    """How did we do? Sent to the requester of a ticket that has just closed."""
    key = ticket.key
    buttons = [Button(str(n), f"rate {key} {n}", "primary" if n == 5 else "default") for n in SCORES]
    buttons.append(Button("Rate with a comment", f"rate {key}", prompt="Your score, 1 (very poor) to 5 (excellent)"))
    return Card(
        title=f"How did we do on {key}?",
        text=f"{ticket.title}\nOne click: 1 is very poor, 5 is excellent. You can change your answer later.",
        buttons=tuple(buttons),
        more_command=f"/desk rate {key} 5 thanks, quick fix",
    )
