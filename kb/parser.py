"""Read articles from Markdown files with YAML front matter; say which file and line is wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from core.front_matter import FENCE, Loaded, fail, load_files, not_a_folder, read
from kb.article import SLUG_PATTERN, Article, slugify

KNOWN_KEYS = frozenset(
    {"title", "slug", "tags", "service", "category", "also_asked_as", "owner", "updated", "published"}
)


def _key_line(lines: list[str], key: str) -> int:
    """The file line of `key:` in the front matter (which starts on file line 2)."""
    for number, text in enumerate(lines, start=2):
        if text.startswith(f"{key}:"):
            return number
    return 1


def _strings(value: Any, *, key: str, file: str, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return tuple(str(item).strip() for item in value if str(item).strip())
    raise fail(file, line, f"`{key}` must be a list of texts")


def _date(value: Any, *, file: str, line: int) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(file, line, "`updated` must be a date like 2024-05-31")


def parse_article(text: str, *, file: str, default_slug: str = "") -> Article:
    """One article from the text of its file; raises FileError naming `file` and the line."""
    document = read(text, file=file)
    meta, front_lines, body = document.meta, document.front_lines, document.body
    unknown = sorted(str(key) for key in meta if key not in KNOWN_KEYS)
    if unknown:
        raise fail(file, _key_line(front_lines, unknown[0]), f"unknown key `{unknown[0]}`")

    def line_of(key: str) -> int:
        return _key_line(front_lines, key)

    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail(file, line_of("title") if "title" in meta else 2, "`title` is missing or empty")
    slug = meta.get("slug") or default_slug or slugify(title)
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise fail(file, line_of("slug"), f"`slug` {slug!r} may hold only a-z, 0-9 and single dashes")
    published = meta.get("published", True)
    if not isinstance(published, bool):
        raise fail(file, line_of("published"), "`published` must be true or false")
    for key in ("service", "category", "owner"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            raise fail(file, line_of(key), f"`{key}` must be a text")
    if not body:
        raise fail(file, document.body_line, "the article has no text after its front matter")
    return Article(
        slug=slug,
        title=title.strip(),
        body=body,
        tags=_strings(meta.get("tags"), key="tags", file=file, line=line_of("tags")),
        service=(meta.get("service") or "").strip(),
        category=(meta.get("category") or "").strip(),
        also_asked_as=_strings(
            meta.get("also_asked_as"), key="also_asked_as", file=file, line=line_of("also_asked_as")
        ),
        owner=(meta.get("owner") or "").strip(),
        updated=_date(meta.get("updated"), file=file, line=line_of("updated")),
        published=published,
    )


def load_dir(path: Path) -> Loaded[Article]:
    """Every article in the folder and below it; a broken file is reported and the others still load."""
    if not path.is_dir():
        return Loaded(found=[], problems=[not_a_folder(path)])
    return load_files(path.rglob("*.md"), slug_of=lambda article: article.slug,
                      parse=lambda text, file: parse_article(text, file=str(file), default_slug=slugify(file.stem)))


def render(article: Article) -> str:
    """The file text of an article; `parse_article(render(a))` gives `a` back."""
    meta: dict[str, Any] = {"title": article.title, "slug": article.slug}
    if article.tags:
        meta["tags"] = list(article.tags)
    for key in ("service", "category"):
        if getattr(article, key):
            meta[key] = getattr(article, key)
    if article.also_asked_as:
        meta["also_asked_as"] = list(article.also_asked_as)
    if article.owner:
        meta["owner"] = article.owner
    if article.updated:
        meta["updated"] = article.updated
    meta["published"] = article.published
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    return f"{FENCE}\n{front}{FENCE}\n\n{article.body.strip()}\n"
