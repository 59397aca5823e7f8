"""The knowledge base's repository: articles, learned phrasings and feedback in the database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kb.article import Article
from kb.tables import KbArticleRow, KbFeedbackRow, KbPhrasingRow

UpsertResult = Literal["added", "updated", "unchanged"]
Clock = Callable[[], datetime]
T = TypeVar("T")
WRITE_ATTEMPTS = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Probe:
    """A cheap fingerprint of what the index was built from; differs when another process wrote."""

    articles: int
    last_change: datetime | None
    phrasings: int
    last_phrasing: int


def to_article(row: KbArticleRow) -> Article:
    return Article(
        slug=row.slug,
        title=row.title,
        body=row.body,
        tags=tuple(row.tags or ()),
        service=row.service,
        category=row.category,
        also_asked_as=tuple(row.also_asked_as or ()),
        owner=row.owner,
        updated=row.updated,
        published=row.published,
    )


def _fill(row: KbArticleRow, article: Article, *, now: datetime) -> None:
    row.slug = article.slug
    row.title = article.title
    row.body = article.body
    row.tags = list(article.tags)
    row.service = article.service
    row.category = article.category
    row.also_asked_as = list(article.also_asked_as)
    row.owner = article.owner
    row.updated = article.updated
    row.published = article.published
    row.content_hash = article.content_hash
    row.changed_at = now


class KnowledgeStore:
    def __init__(self, session_factory: sessionmaker[Session], *, clock: Clock = utc_now) -> None:
        self._sessions = session_factory
        self._clock = clock

    def _write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction; try again when SQLite is briefly locked by another writer."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._sessions() as session, session.begin():
                    return work(session)
            except OperationalError as error:
                if "locked" not in str(error.orig).lower() or attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _now(self, session: Session) -> datetime:
        # Strictly after the last change, even when two writes share one clock tick.
        now = self._clock()
        last: datetime | None = session.scalar(select(func.max(KbArticleRow.changed_at)))
        if last is not None and last.astimezone(UTC) >= now:
            return last.astimezone(UTC) + timedelta(microseconds=1)
        return now

    def upsert_many(self, articles: list[Article]) -> dict[str, UpsertResult]:
        """Add or update articles by slug in one transaction; the result per slug."""
        def work(session: Session) -> dict[str, UpsertResult]:
            results: dict[str, UpsertResult] = {}
            now = self._now(session)
            slugs = [article.slug for article in articles]
            existing = {
                row.slug: row
                for chunk in _chunks(slugs, 500)
                for row in session.scalars(select(KbArticleRow).where(KbArticleRow.slug.in_(chunk)))
            }
            for article in articles:
                row = existing.get(article.slug)
                if row is None:
                    row = KbArticleRow()
                    _fill(row, article, now=now)
                    session.add(row)
                    existing[article.slug] = row
                    results[article.slug] = "added"
                elif row.content_hash == article.content_hash:
                    results[article.slug] = "unchanged"
                else:
                    _fill(row, article, now=now)
                    results[article.slug] = "updated"
            return results

        return self._write(work)

    def upsert(self, article: Article) -> UpsertResult:
        return self.upsert_many([article])[article.slug]

    def get(self, slug: str) -> Article | None:
        with self._sessions() as session:
            row = session.scalar(select(KbArticleRow).where(KbArticleRow.slug == slug))
            return None if row is None else to_article(row)

    def slugs(self) -> set[str]:
        with self._sessions() as session:
            return set(session.scalars(select(KbArticleRow.slug)))

    def articles(self, *, changed_after: datetime | None = None) -> Iterator[Article]:
        with self._sessions() as session:
            query = select(KbArticleRow).order_by(KbArticleRow.id)
            if changed_after is not None:
                query = query.where(KbArticleRow.changed_at > changed_after)
            for row in session.scalars(query.execution_options(yield_per=2000)):
                yield to_article(row)

    def set_published(self, slug: str, published: bool) -> bool:
        """False when there is no such article."""

        def work(session: Session) -> bool:
            row = session.scalar(select(KbArticleRow).where(KbArticleRow.slug == slug))
            if row is None:
                return False
            if row.published != published:
                row.published = published
                row.content_hash = to_article(row).content_hash
                row.changed_at = self._now(session)
            return True

        return self._write(work)

    def add_phrasing(self, *, slug: str, text: str) -> int:
        def work(session: Session) -> int:
            row = KbPhrasingRow(slug=slug, text=text, created_at=self._clock())
            session.add(row)
            session.flush()
            return row.id

        return self._write(work)

    def phrasings(self, *, after_id: int = 0) -> list[tuple[int, str, str]]:
        """(id, slug, text) of the phrasings learned after `after_id`, oldest first."""
        with self._sessions() as session:
            query = (
                select(KbPhrasingRow.id, KbPhrasingRow.slug, KbPhrasingRow.text)
                .where(KbPhrasingRow.id > after_id)
                .order_by(KbPhrasingRow.id)
            )
            return [(row.id, row.slug, row.text) for row in session.execute(query)]

    def phrasing_count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(KbPhrasingRow.id))) or 0

    def add_feedback(self, *, slug: str, kind: str) -> None:
        self._write(lambda session: self.add_feedback_in(session, slugs=[slug], kind=kind))

    def add_feedback_in(self, session: Session, *, slugs: Sequence[str], kind: str) -> None:
        """Feedback rows for `slugs`, written in the caller's transaction: one statement, no flush."""
        if slugs:
            at = self._clock()
            session.connection().execute(insert(KbFeedbackRow.__table__),  # type: ignore[arg-type]
                                         [{"slug": slug, "kind": kind, "at": at} for slug in slugs])

    def probe(self) -> Probe:
        with self._sessions() as session:
            articles, last_change = session.execute(
                select(func.count(KbArticleRow.id), func.max(KbArticleRow.changed_at))
            ).one()
            phrasings, last_phrasing = session.execute(
                select(func.count(KbPhrasingRow.id), func.max(KbPhrasingRow.id))
            ).one()
        return Probe(
            articles=articles, last_change=last_change, phrasings=phrasings, last_phrasing=last_phrasing or 0
        )

    def feedback_counts(self) -> dict[str, dict[str, int]]:
        """slug -> kind -> how many times."""
        counts: dict[str, dict[str, int]] = {}
        with self._sessions() as session:
            query = select(KbFeedbackRow.slug, KbFeedbackRow.kind, func.count()).group_by(
                KbFeedbackRow.slug, KbFeedbackRow.kind
            )
            for slug, kind, count in session.execute(query):
                counts.setdefault(slug, {})[kind] = count
        return counts

    def article_titles(self) -> list[tuple[str, str, bool]]:
        with self._sessions() as session:
            query = select(KbArticleRow.slug, KbArticleRow.title, KbArticleRow.published).order_by(
                KbArticleRow.slug
            )
            return [(row.slug, row.title, row.published) for row in session.execute(query)]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
