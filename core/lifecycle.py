"""Ticket kinds, statuses and the transitions between them."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    INCIDENT = "incident"
    REQUEST = "request"
    PROBLEM = "problem"
    CHANGE = "change"
    TASK = "task"

    @property
    def prefix(self) -> str:
        return KEY_PREFIXES[self]


KEY_PREFIXES = {Kind.INCIDENT: "INC", Kind.REQUEST: "REQ", Kind.PROBLEM: "PRB", Kind.CHANGE: "CHG", Kind.TASK: "TSK"}


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD})

ALLOWED: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.IN_PROGRESS: (Status.ON_HOLD, Status.RESOLVED, Status.CANCELLED, Status.NEW),
    Status.ON_HOLD: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS, Status.NEW),
    Status.CLOSED: (),
    Status.CANCELLED: (),
}

# The verb a person types to reach each status, for refusals that say what to do instead: an agent's, and
# the requester's own (a requester is never pointed at a verb that would refuse them).
VERB_FOR = {
    Status.IN_PROGRESS: "claim/resume/reopen",
    Status.ON_HOLD: "hold",
    Status.RESOLVED: "resolve",
    Status.CLOSED: "close",
    Status.CANCELLED: "cancel",
    Status.NEW: "reopen/unassign",
}
REQUESTER_VERB_FOR = {
    Status.IN_PROGRESS: "reopen",
    Status.NEW: "reopen",
    Status.CLOSED: "close or confirm",
    Status.CANCELLED: "cancel",
}


class IllegalTransition(Exception):
    def __init__(self, *, key: str, current: Status, target: Status) -> None:
        self.key = key
        self.current = current
        self.target = target
        super().__init__(self.advice(for_agent=True))

    def advice(self, *, for_agent: bool) -> str:
        """The refusal with the next steps this person may take."""
        verbs = VERB_FOR if for_agent else REQUESTER_VERB_FOR
        reopening = self.current is Status.RESOLVED
        steps = [f"{s.label} ({verbs[s]})" for s in ALLOWED[self.current]
                 if s in verbs and (for_agent or reopening or verbs[s] != "reopen")]
        refused = f"{self.key} is {self.current.label}; it cannot become {self.target.label}."
        return f"{refused} Allowed next: {', '.join(steps) or 'none: it is final'}."


def check_transition(*, key: str, current: Status, target: Status) -> None:
    if target not in ALLOWED[current]:
        raise IllegalTransition(key=key, current=current, target=target)


def parse_key(text: str) -> tuple[Kind | None, int] | None:
    """`INC-42` -> (incident, 42); `42` -> (None, 42); anything else -> None."""
    raw = text.strip().upper().lstrip("#")
    if raw.isdigit():
        return None, int(raw)
    prefix, sep, number = raw.partition("-")
    if not sep or not number.isdigit():
        return None
    for kind, known in KEY_PREFIXES.items():
        if known == prefix:
            return kind, int(number)
    return None


def format_key(kind: Kind | str, number: int) -> str:
    return f"{Kind(kind).prefix}-{number}"
