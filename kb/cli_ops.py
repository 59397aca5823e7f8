"""What the `spoc kb ...` commands do, as plain functions returning data (the Typer app prints it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kb.service import ImportReport, KnowledgeService


@dataclass(frozen=True)
class ArticleStats:
    slug: str
    title: str
    published: bool
    suggested: int
    viewed: int
    solved: int
    not_helpful: int


@dataclass(frozen=True)
class KbStats:
    articles: int
    published: int
    drafts: int
    learned_phrasings: int
    suggested: int
    views: int
    solved: int
    not_helpful: int
    never_suggested: list[str]
    per_article: list[ArticleStats]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_dir(service: KnowledgeService, path: str | Path) -> ImportReport:
    return service.import_dir(path)


def report_lines(report: ImportReport) -> list[str]:
    """A human summary: counts first, then one line per broken file (`file:line: what`)."""
    lines = [
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.invalid)} invalid"
    ]
    lines.extend(f"invalid: {problem}" for problem in report.invalid)
    return lines


def report_dict(report: ImportReport) -> dict[str, Any]:
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "invalid": [asdict(problem) for problem in report.invalid],
    }


def export_dir(service: KnowledgeService, path: str | Path) -> list[Path]:
    return service.export_dir(path)


def search(
    service: KnowledgeService, text: str, *, limit: int = 5, explain: bool = False
) -> list[dict[str, Any]]:
    """Ranked rows for an agent: rank, slug, title, confidence score, and (with explain) why."""
    rows: list[dict[str, Any]] = []
    for rank, item in enumerate(service.rank(text, limit=limit), start=1):
        row: dict[str, Any] = {
            "rank": rank,
            "slug": item.slug,
            "title": item.title,
            "score": round(item.confidence, 3),
            "suggested": item.confidence >= service.threshold,
        }
        if explain:
            row["why"] = item.reasons
        rows.append(row)
    return rows


def search_stream(
    service: KnowledgeService, lines: Iterable[str], *, limit: int = 5, explain: bool = False
) -> Iterator[str]:
    """One JSON line out per query line in; blank lines are skipped."""
    for line in lines:
        query = line.rstrip("\n")
        if not query.strip():
            continue
        results = search(service, query, limit=limit, explain=explain)
        yield json.dumps({"query": query, "results": results}, ensure_ascii=False)


def stats(service: KnowledgeService) -> KbStats:
    counts = service.store.feedback_counts()
    per_article = [
        ArticleStats(
            slug=slug,
            title=title,
            published=published,
            suggested=counts.get(slug, {}).get("suggested", 0),
            viewed=counts.get(slug, {}).get("viewed", 0),
            solved=counts.get(slug, {}).get("solved", 0),
            not_helpful=counts.get(slug, {}).get("not_helpful", 0),
        )
        for slug, title, published in service.store.article_titles()
    ]
    published = sum(1 for item in per_article if item.published)
    return KbStats(
        articles=len(per_article),
        published=published,
        drafts=len(per_article) - published,
        learned_phrasings=service.store.phrasing_count(),
        suggested=sum(item.suggested for item in per_article),
        views=sum(item.viewed for item in per_article),
        solved=sum(item.solved for item in per_article),
        not_helpful=sum(item.not_helpful for item in per_article),
        never_suggested=[item.slug for item in per_article if item.published and not item.suggested],
        per_article=per_article,
    )
