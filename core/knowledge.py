"""The port through which the core asks the knowledge base for help. `kb/` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FeedbackKind = Literal["suggested", "solved", "not_helpful", "sent", "viewed"]


@dataclass(frozen=True)
class Suggestion:
    slug: str
    title: str
    score: float
    summary: str = ""


@dataclass(frozen=True)
class ArticleText:
    slug: str
    title: str
    body: str
    published: bool = True


class KnowledgeBase(Protocol):
    def suggest(self, text: str, *, limit: int | None = None) -> list[Suggestion]:
        """Articles confident enough to show a requester, most likely first; empty when none is.
        At most `limit`, else as many as the desk shows (`kb.max_suggestions`)."""
        ...

    def search(self, text: str, *, limit: int = 5) -> list[Suggestion]:
        """Ranked matches for an agent's query, without the confidence threshold."""
        ...

    def article(self, slug: str) -> ArticleText | None: ...

    def record(self, *, slug: str, kind: FeedbackKind, text: str = "") -> None:
        """Count a view or an answer; a `solved` text becomes one more phrasing. Writes in a transaction of
        its own: call it once the caller's has committed."""
        ...

    def count_suggested(self, session: Session, slugs: Sequence[str]) -> None:
        """Count that these articles were suggested, in the caller's transaction (`session`)."""
        ...

    def draft(self, *, title: str, problem: str, resolution: str, owner: str) -> str:
        """Write an unpublished article from a resolved ticket and return its slug."""
        ...

    def publish(self, slug: str) -> bool: ...


class NoKnowledgeBase:
    """The knowledge base of a desk that has none: it never suggests anything."""

    def suggest(self, text: str, *, limit: int | None = None) -> list[Suggestion]:
        return []

    def search(self, text: str, *, limit: int = 5) -> list[Suggestion]:
        return []

    def article(self, slug: str) -> ArticleText | None:
        return None

    def record(self, *, slug: str, kind: FeedbackKind, text: str = "") -> None:
        return None

    def count_suggested(self, session: Session, slugs: Sequence[str]) -> None:
        return None

    def draft(self, *, title: str, problem: str, resolution: str, owner: str) -> str:
        raise LookupError("this desk has no knowledge base")

    def publish(self, slug: str) -> bool:
        return False
