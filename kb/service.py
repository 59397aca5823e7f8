"""The knowledge base as the core sees it: `KnowledgeService` implements `core.knowledge.KnowledgeBase`.

The index lives in memory, one per process, built on first use. Every few seconds at most, a query
first asks the database for a cheap fingerprint (count, last change, last phrasing id); when another
process wrote, only what changed is read and added to the index.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from core.front_matter import Problem
from core.knowledge import ArticleText, FeedbackKind, Suggestion
from kb.article import Article, slugify
from kb.parser import load_dir, render
from kb.ranking import ArticleDoc, Ranked, Ranker, RankWeights
from kb.store import Clock, KnowledgeStore, Probe, utc_now
from kb.tables import FEEDBACK_KINDS

if TYPE_CHECKING:
    from kb.semantic import SemanticReranker

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_SUGGESTIONS = 3
REFRESH_SECONDS = 3.0
MAX_PHRASING_CHARS = 500
OVERLAP = timedelta(seconds=5)
OVERLAP_IDS = 100
MAX_WASTE = 0.3  # rebuild the index when this share of it is replaced versions
SEMANTIC_POOL = 30  # lexical candidates the semantic model re-scores
MAX_REMEMBERED_SUGGESTIONS = 1024


@dataclass(frozen=True)
class ImportReport:
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    invalid: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.invalid


def to_doc(article: Article) -> ArticleDoc:
    return ArticleDoc(
        slug=article.slug,
        title=article.title,
        body=article.body,
        tags=article.tags,
        service=article.service,
        category=article.category,
        also_asked_as=article.also_asked_as,
        published=article.published,
        summary=article.summary,
    )


class KnowledgeService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        max_suggestions: int = DEFAULT_MAX_SUGGESTIONS,
        semantic: bool = False,
        refresh_seconds: float = REFRESH_SECONDS,
        weights: RankWeights | None = None,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        if max_suggestions < 0:
            raise ValueError(f"max_suggestions must be 0 or more, not {max_suggestions}")
        self.store = KnowledgeStore(session_factory, clock=clock)
        self.threshold = threshold
        self.max_suggestions = max_suggestions
        self.refresh_seconds = refresh_seconds
        self._weights = weights
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._ranker: Ranker | None = None
        self._hashes: dict[str, str] = {}
        self._seen: Probe | None = None
        self._checked_at = 0.0
        self._semantic: SemanticReranker | None = None
        self._suggested: dict[tuple[str, int], tuple[Suggestion, ...]] = {}
        self._suggested_by: tuple[Ranker, int] | None = None
        if semantic:
            from kb.semantic import SemanticReranker

            self._semantic = SemanticReranker()

    # -- the index ------------------------------------------------------------------------------------

    def _indexed(self, article: Article) -> ArticleDoc:
        self._hashes[article.slug] = article.content_hash
        return to_doc(article)

    def _build(self) -> Ranker:
        probe = self.store.probe()
        ranker = Ranker(self._weights)
        self._hashes = {}
        ranker.load(
            (self._indexed(article) for article in self.store.articles()),
            ((slug, text) for _, slug, text in self.store.phrasings()),
        )
        if self._semantic is not None:
            self._semantic.reset()
        self._ranker, self._seen, self._checked_at = ranker, probe, self._monotonic()
        return ranker

    def _catch_up(self, ranker: Ranker, probe: Probe) -> None:
        """Add what other processes wrote since `self._seen`; rebuild only if articles vanished."""
        seen = self._seen
        assert seen is not None
        if probe.articles < seen.articles or ranker.waste > MAX_WASTE:
            self._build()
            return
        # Look a little further back than the last thing seen: with PostgreSQL, a write can commit
        # after a later one. What was already indexed is recognised and skipped.
        if probe.last_change != seen.last_change:
            since = seen.last_change - OVERLAP if seen.last_change is not None else None
            for article in self.store.articles(changed_after=since):
                if self._hashes.get(article.slug) != article.content_hash:
                    ranker.upsert(self._indexed(article))
        if (probe.phrasings, probe.last_phrasing) != (seen.phrasings, seen.last_phrasing):
            for _, slug, text in self.store.phrasings(after_id=max(0, seen.last_phrasing - OVERLAP_IDS)):
                ranker.add_phrasing(slug, text)
        self._seen = probe

    def refresh(self, *, force: bool = False) -> Ranker:
        """The index, first brought up to date with the database if it is time to look."""
        with self._lock:
            if self._ranker is None:
                return self._build()
            now = self._monotonic()
            if force or now - self._checked_at >= self.refresh_seconds:
                self._checked_at = now
                probe = self.store.probe()
                if probe != self._seen:
                    self._catch_up(self._ranker, probe)
            return self._ranker

    # -- the port -------------------------------------------------------------------------------------

    def rank(self, text: str, *, limit: int = 5, include_unpublished: bool = False,
             explain: bool = True, min_confidence: float = 0.0) -> list[Ranked]:
        """Ranked matches with confidence (and, when `explain`, reasons): the agent's and the CLI's view.
        `min_confidence`: the articles less confident than this are not wanted (some may still be listed)."""
        if not text or not text.strip() or limit <= 0:
            return []
        ranker = self.refresh()
        with self._lock:
            pool = max(limit, SEMANTIC_POOL) if self._semantic is not None else limit
            # The semantic model gives its own confidences: it re-scores the whole lexical pool.
            floor = min_confidence if self._semantic is None else 0.0
            ranked = ranker.rank(text, limit=pool, include_unpublished=include_unpublished, explain=explain,
                                 min_confidence=floor)
            if self._semantic is not None and ranked:
                ranked = self._semantic.rerank(text, ranked, lookup=self._semantic_text)
        return ranked[:limit]

    def _semantic_text(self, slug: str) -> list[str]:
        ranker = self._ranker
        return ranker.describe(slug) if ranker is not None else [slug]

    def suggest(self, text: str, *, limit: int | None = None) -> list[Suggestion]:
        limit = self.max_suggestions if limit is None else limit
        with self._lock:
            # Many people write the same words when one thing breaks: the same text gets the same
            # suggestions until the index changes.
            ranker = self.refresh()
            if self._suggested_by != (ranker, ranker.generation) or len(self._suggested) >= MAX_REMEMBERED_SUGGESTIONS:
                self._suggested.clear()
                self._suggested_by = (ranker, ranker.generation)
            found = self._suggested.get((text, limit))
            if found is None:
                # The ranking is by confidence, so what clears the threshold is a prefix of it: never a
                # lower-ranked article shown while a better one is held back.
                ranked = self.rank(text, limit=limit, explain=False, min_confidence=self.threshold)
                found = self._suggested[text, limit] = tuple(
                    _suggestion(item) for item in itertools.takewhile(
                        lambda item: item.confidence >= self.threshold, ranked))
            return list(found)

    def search(self, text: str, *, limit: int = 5) -> list[Suggestion]:
        return [_suggestion(item) for item in self.rank(text, limit=limit, explain=False)]

    def article(self, slug: str) -> ArticleText | None:
        found = self.store.get(slug)
        if found is None:
            return None
        return ArticleText(slug=found.slug, title=found.title, body=found.body, published=found.published)

    def record(self, *, slug: str, kind: FeedbackKind, text: str = "") -> None:
        if kind not in FEEDBACK_KINDS:
            raise ValueError(f"unknown feedback kind {kind!r}; one of {', '.join(FEEDBACK_KINDS)}")
        ranker = self.refresh()
        if slug not in ranker:
            log.warning("feedback %s for unknown article %s ignored", kind, slug)
            return
        self.store.add_feedback(slug=slug, kind=kind)
        phrasing = " ".join(text.split())[:MAX_PHRASING_CHARS]
        if kind == "solved" and phrasing and not ranker.knows_phrasing(slug, phrasing):
            self.store.add_phrasing(slug=slug, text=phrasing)
            self.refresh(force=True)

    def count_suggested(self, session: Session, slugs: Sequence[str]) -> None:
        self.store.add_feedback_in(session, slugs=slugs, kind="suggested")

    def draft(self, *, title: str, problem: str, resolution: str, owner: str) -> str:
        title = " ".join(title.split())
        if not title:
            raise ValueError("a draft needs a title")
        taken = self.store.slugs()
        base = slugify(title)
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        body = f"## Problem\n\n{problem.strip()}\n\n## Resolution\n\n{resolution.strip()}\n"
        article = Article(slug=slug, title=title, body=body, owner=owner, published=False)
        self.store.upsert(article)
        self._written()
        return slug

    def publish(self, slug: str) -> bool:
        if not self.store.set_published(slug, True):
            return False
        self._written()
        return True

    def _written(self) -> None:
        """After our own write: the index reads it back the same way it reads other processes' writes."""
        with self._lock:
            if self._ranker is not None:
                self.refresh(force=True)

    # -- files ----------------------------------------------------------------------------------------

    def import_dir(self, path: str | Path) -> ImportReport:
        """Import every `*.md` under `path`; broken files are reported, the others imported."""
        loaded = load_dir(Path(path))
        results = self.store.upsert_many(loaded.items)
        if any(result != "unchanged" for result in results.values()):
            self._written()
        return ImportReport(
            added=sorted(slug for slug, result in results.items() if result == "added"),
            updated=sorted(slug for slug, result in results.items() if result == "updated"),
            unchanged=sorted(slug for slug, result in results.items() if result == "unchanged"),
            invalid=loaded.problems,
        )

    def export_dir(self, path: str | Path) -> list[Path]:
        """Write every article (drafts too) as `<slug>.md` under `path`; the files written."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for article in self.store.articles():
            target = folder / f"{article.slug}.md"
            target.write_text(render(article), encoding="utf-8")
            written.append(target)
        return written


def _suggestion(item: Ranked) -> Suggestion:
    return Suggestion(slug=item.slug, title=item.title, score=item.confidence, summary=item.summary)
