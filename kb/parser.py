"""Read articles from Markdown files with YAML front matter; say which file and line is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kb.article import SLUG_PATTERN, Article, slugify

FENCE = "---"
KNOWN_KEYS = frozenset(
    {"title", "slug", "tags", "service", "category", "also_asked_as", "owner", "updated", "published"}
)


@dataclass(frozen=True)
class Problem:
    """Why one file could not be imported; `line` is 1-based in that file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ArticleError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Loaded:
    articles: list[tuple[str, Article]]
    problems: list[Problem]


def _fail(file: str, line: int, message: str) -> ArticleError:
    return ArticleError(Problem(file=file, line=line, message=message))


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
    raise _fail(file, line, f"`{key}` must be a list of texts")


def _date(value: Any, *, file: str, line: int) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(file, line, "`updated` must be a date like 2024-05-31")


def parse_article(text: str, *, file: str, default_slug: str = "") -> Article:
    """One article from the text of its file; raises ArticleError naming `file` and the line."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise _fail(file, 1, "the file must start with front matter: a line `---`, YAML, then `---`")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise _fail(file, 1, "the front matter is never closed by a line `---`") from None
    front_lines = lines[1:end]
    try:
        meta = yaml.safe_load("\n".join(front_lines))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise _fail(file, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise _fail(file, 2, "the front matter must be `key: value` lines")
    unknown = sorted(str(key) for key in meta if key not in KNOWN_KEYS)
    if unknown:
        raise _fail(file, _key_line(front_lines, unknown[0]), f"unknown key `{unknown[0]}`")

    def line_of(key: str) -> int:
        return _key_line(front_lines, key)

    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _fail(file, line_of("title") if "title" in meta else 2, "`title` is missing or empty")
    slug = meta.get("slug") or default_slug or slugify(title)
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise _fail(file, line_of("slug"), f"`slug` {slug!r} may hold only a-z, 0-9 and single dashes")
    published = meta.get("published", True)
    if not isinstance(published, bool):
        raise _fail(file, line_of("published"), "`published` must be true or false")
    for key in ("service", "category", "owner"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            raise _fail(file, line_of(key), f"`{key}` must be a text")
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise _fail(file, end + 1, "the article has no text after its front matter")
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


def load_files(paths: Iterable[Path]) -> Loaded:
    """Parse every file; a broken one is reported and the others still load.

    Two files claiming one slug are both refused (neither can be trusted to be the right one),
    and each problem names the other file.
    """
    parsed: list[tuple[str, Article]] = []
    problems: list[Problem] = []
    for path in sorted(paths):
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
            parsed.append((name, parse_article(text, file=name, default_slug=slugify(path.stem))))
        except ArticleError as error:
            problems.append(error.problem)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(file=name, line=1, message=f"cannot be read: {error}"))
    files_by_slug: dict[str, list[str]] = {}
    for name, article in parsed:
        files_by_slug.setdefault(article.slug, []).append(name)
    accepted: list[tuple[str, Article]] = []
    for name, article in parsed:
        owners = files_by_slug[article.slug]
        if len(owners) == 1:
            accepted.append((name, article))
            continue
        others = ", ".join(other for other in owners if other != name)
        problems.append(Problem(file=name, line=1, message=f"slug `{article.slug}` is also used by {others}"))
    return Loaded(articles=accepted, problems=problems)


def load_dir(path: Path) -> Loaded:
    if not path.is_dir():
        return Loaded(articles=[], problems=[Problem(file=str(path), line=0, message="is not a folder")])
    return load_files(path.rglob("*.md"))


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
