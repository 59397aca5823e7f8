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
from pathlib import Path

import yaml
from pydantic import ValidationError

from core.config.catalog import CatalogItem
from core.front_matter import Loaded, Problem, fail, load_files, not_a_folder, read


def starter_dir() -> Path:
    """The folder of the shipped items (inside the installed package)."""
    return Path(__file__).resolve().parent / "items"


def parse_item(text: str, *, file: str, default_slug: str) -> CatalogItem:
    """One item from the text of its file; FileError naming `file` and the line that is wrong."""
    document = read(text, file=file)
    values = {"slug": default_slug, **document.meta}
    if document.body and "description" not in document.meta:
        values["description"] = document.body
    try:
        return CatalogItem.model_validate(values)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = _line_of(yaml.compose(document.front), first["loc"]) + 1  # the front matter starts on line 2
        message = first["msg"].removeprefix("Value error, ")
        raise fail(file, line, f"{where}: {message}" if where else message) from None


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


def load_dirs(dirs: Iterable[Path]) -> Loaded[CatalogItem]:
    """Every folder's items and the problems of the files that did not load; in one folder, two files with
    one slug are both refused, each naming the other."""
    found: list[tuple[str, CatalogItem]] = []
    problems: list[Problem] = []
    for directory in dirs:
        if not directory.is_dir():
            problems.append(not_a_folder(directory))
            continue
        loaded = load_files(directory.glob("*.md"), slug_of=lambda item: item.slug,
                            parse=lambda text, path: parse_item(text, file=str(path), default_slug=path.stem.lower()))
        found += loaded.found
        problems += loaded.problems
    return Loaded(found=found, problems=problems)
