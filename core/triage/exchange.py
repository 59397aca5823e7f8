"""Learned examples in and out: `spoc triage export|import|reset|stats` work through these."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.triage import store
from core.triage.store import Example, Labels


def import_examples(session: Session, items: Iterable[tuple[str, Labels]], *, now: datetime | None = None) -> int:
    """Add examples (text and what it really is) as if agents had taught them; how many were added."""
    at = now or datetime.now(UTC)
    added = 0
    for text, labels in items:
        store.record(session, text=text, labels=labels, corrected="", source="imported", at=at)
        added += 1
    return added


def export_examples(session: Session) -> list[Example]:
    """Every example the model counts (a ticket's newest, every imported one), oldest first."""
    return list(store.current(session))


@dataclass(frozen=True)
class TaughtStats:
    examples: int
    corrected: int
    confirmed: int
    imported: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    corrected_fields: dict[str, int] = field(default_factory=dict)
    last_learned: datetime | None = None


def statistics(session: Session) -> TaughtStats:
    examples = export_examples(session)
    fields = Counter(name for e in examples for name in e.corrected.split(",") if name)
    return TaughtStats(
        examples=len(examples),
        corrected=sum(1 for e in examples if e.source == "ticket" and e.corrected),
        confirmed=sum(1 for e in examples if e.source == "ticket" and not e.corrected),
        imported=sum(1 for e in examples if e.source == "imported"),
        by_kind=dict(Counter(e.labels.kind for e in examples).most_common()),
        by_category=dict(Counter(e.labels.category for e in examples).most_common()),
        corrected_fields=dict(fields.most_common()),
        last_learned=max((e.created_at for e in examples), default=None),
    )


def forget(session: Session) -> int:
    return store.forget_everything(session)
