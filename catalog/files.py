"""Catalog items from Markdown files with YAML front matter; every problem names its file and line.

    ---
    name: Access to a shared drive
    category: access
    fields:
      - {name: share, label: Which share?}
    tasks:
      - {team: infrastructure, title: Grant access, checklist: [Add to the group]}
    ---
    Read or write access to a department's shared drive.

The text after the front matter is the item's description; the file's name (without `.md`) is its slug
unless `slug:` says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.config.catalog import CatalogItem

FENCE = "---"


def starter_dir() -> Path:
    """The folder of the shipped items (inside the installed package)."""
    return Path(__file__).resolve().parent / "items"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Loaded:
    items: tuple[CatalogItem, ...]
    problems: tuple[Problem, ...]


class ItemError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def parse_item(text: str, *, file: str, default_slug: str) -> CatalogItem:
    """One item from the text of its file; ItemError naming `file` and the line that is wrong."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise ItemError(Problem(file, 1, "the file must start with front matter: a line `---`, YAML, then `---`"))
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise ItemError(Problem(file, 1, "the front matter is never closed by a line `---`"))
    front = "\n".join(lines[1:end])
    try:
        node = yaml.compose(front)
        meta = yaml.safe_load(front)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ItemError(Problem(file, mark.line + 2 if mark else 1,
                                f"front matter is not valid YAML: {problem}")) from None
    if not isinstance(meta, dict):
        raise ItemError(Problem(file, 2, "the front matter must be `key: value` lines"))
    description = "\n".join(lines[end + 1:]).strip()
    values: dict[str, Any] = {"slug": default_slug, **meta}
    if description and "description" not in meta:
        values["description"] = description
    try:
        return CatalogItem.model_validate(values)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = _line_of(node, first["loc"]) + 1  # the front matter starts on the file's second line
        message = first["msg"].removeprefix("Value error, ")
        raise ItemError(Problem(file, line, f"{where}: {message}" if where else message)) from None


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The 1-based line (within the front matter) of the value at `loc`, as deep as the YAML goes."""
    line = 1
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    line, child = key.start_mark.line + 1, value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        node = child
    return line


def load_files(paths: Iterable[Path]) -> Loaded:
    """Every file's item; a broken file is reported and the others still load. Two files with one slug are
    both refused, each naming the other."""
    parsed: list[tuple[str, CatalogItem]] = []
    problems: list[Problem] = []
    for path in sorted(paths):
        try:
            parsed.append((str(path), parse_item(path.read_text(encoding="utf-8"), file=str(path),
                                                 default_slug=path.stem.lower())))
        except ItemError as error:
            problems.append(error.problem)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), 1, f"cannot be read: {error}"))
    owners: dict[str, list[str]] = {}
    for name, item in parsed:
        owners.setdefault(item.slug, []).append(name)
    items: list[CatalogItem] = []
    for name, item in parsed:
        others = [other for other in owners[item.slug] if other != name]
        if others:
            problems.append(Problem(name, 1, f"slug `{item.slug}` is also used by {', '.join(others)}"))
        else:
            items.append(item)
    return Loaded(items=tuple(items), problems=tuple(problems))


def load_dirs(dirs: Iterable[Path]) -> Loaded:
    items: list[CatalogItem] = []
    problems: list[Problem] = []
    for directory in dirs:
        if not directory.is_dir():
            problems.append(Problem(str(directory), 0, "is not a folder"))
            continue
        loaded = load_files(directory.glob("*.md"))
        items += loaded.items
        problems += loaded.problems
    return Loaded(items=tuple(items), problems=tuple(problems))
