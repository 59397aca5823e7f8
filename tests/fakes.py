"""Fakes of our own ports: real implementations that record what they were asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.delivery import Delivered, Delivery, DeliveryFailed, Messenger
from core.knowledge import ArticleText, FeedbackKind, Suggestion


@dataclass
class FakeKnowledgeBase:
    articles: dict[str, ArticleText] = field(default_factory=dict)
    suggestions: dict[str, list[Suggestion]] = field(default_factory=dict)
    recorded: list[tuple[str, str, str]] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)

    max_suggestions: int = 3

    def suggest(self, text: str, *, limit: int | None = None) -> list[Suggestion]:
        for phrase, found in self.suggestions.items():
            if phrase in text.lower():
                return found[: self.max_suggestions if limit is None else limit]
        return []

    def search(self, text: str, *, limit: int = 5) -> list[Suggestion]:
        return [Suggestion(slug=a.slug, title=a.title, score=0.5) for a in self.articles.values()
                if text.lower() in a.title.lower()][:limit]

    def article(self, slug: str) -> ArticleText | None:
        return self.articles.get(slug)

    def record(self, *, slug: str, kind: FeedbackKind, text: str = "") -> None:
        self.recorded.append((slug, kind, text))

    def count_suggested(self, session: object, slugs: Sequence[str]) -> None:
        self.recorded.extend((slug, "suggested", "") for slug in slugs)

    def draft(self, *, title: str, problem: str, resolution: str, owner: str) -> str:
        slug = title.lower().replace(" ", "-")
        self.articles[slug] = ArticleText(slug=slug, title=title, body=f"{problem}\n\n{resolution}", published=False)
        self.drafts.append(slug)
        return slug

    def publish(self, slug: str) -> bool:
        article = self.articles.get(slug)
        if article is None:
            return False
        self.articles[slug] = ArticleText(slug=slug, title=article.title, body=article.body, published=True)
        return True


@dataclass
class RecordingMessenger:
    """A messenger that records every delivery; `failures` are raised first, in order."""

    platform: str = "console"
    delivered: list[Delivery] = field(default_factory=list)
    failures: list[DeliveryFailed | Exception] = field(default_factory=list)
    _next: int = 0

    async def deliver(self, delivery: Delivery) -> Delivered:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(delivery)
        self._next += 1
        return Delivered(message_id=delivery.replaces_message_id or f"msg-{self._next}",
                         channel=delivery.destination.channel)

    def texts(self) -> list[str]:
        return [d.card.title or d.card.text for d in self.delivered]


class ProcessDied(BaseException):
    """The process was killed: nothing after this point runs (not an error anything in it would catch)."""


@dataclass
class DyingMessenger:
    """A process killed while delivering: it hands the delivery to the real messenger first when `after_sending`
    (the platform took the message; its answer is never recorded), else it dies before anything left."""

    real: Messenger
    after_sending: bool

    @property
    def platform(self) -> str:
        return self.real.platform

    async def deliver(self, delivery: Delivery) -> Delivered:
        if self.after_sending:
            await self.real.deliver(delivery)
        raise ProcessDied
