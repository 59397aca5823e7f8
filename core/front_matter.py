"""Markdown files that start with YAML front matter (knowledge articles, catalog items): reading one, and
loading a folder of them where a broken file is reported by file and line and the others still load.

    ---
    title: Reset your password
    ---
    The text after the front matter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

FENCE = "---"
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """Why one file could not be loaded; `line` is 1-based in that file (0: the file or folder itself)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FileError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def fail(file: str, line: int, message: str) -> FileError:
    return FileError(Problem(file=file, line=line, message=message))


@dataclass(frozen=True)
class Document:
    meta: dict[Any, Any]
    front: str
    """The front matter's YAML text; its first line is the file's second."""
    body: str
    body_line: int
    """The file line of the closing `---`: the body starts after it."""

    @property
    def front_lines(self) -> list[str]:
        return self.front.splitlines()


def read(text: str, *, file: str) -> Document:
    """The front matter and body of a file's text; FileError naming `file` and the line that is wrong."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise fail(file, 1, "the file must start with front matter: a line `---`, YAML, then `---`")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise fail(file, 1, "the front matter is never closed by a line `---`")
    front = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise fail(file, mark.line + 2 if mark is not None else 1,
                   f"front matter is not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise fail(file, 2, "the front matter must be `key: value` lines")
    return Document(meta=meta, front=front, body="\n".join(lines[end + 1:]).strip(), body_line=end + 1)


@dataclass(frozen=True)
class Loaded(Generic[T]):
    found: list[tuple[str, T]]
    """(file name, what it holds) for every file that loaded and whose slug no other file claims."""
    problems: list[Problem]

    @property
    def items(self) -> list[T]:
        return [found for _, found in self.found]


def load_files(paths: Iterable[Path], *, parse: Callable[[str, Path], T], slug_of: Callable[[T], str]) -> Loaded[T]:
    """`parse(text, path)` of every file; a broken one is reported and the others still load. Two files
    claiming one slug are both refused (neither can be trusted to be the right one), each naming the other."""
    parsed: list[tuple[str, T]] = []
    problems: list[Problem] = []
    for path in sorted(paths):
        name = str(path)
        try:
            parsed.append((name, parse(path.read_text(encoding="utf-8"), path)))
        except FileError as error:
            problems.append(error.problem)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(file=name, line=1, message=f"cannot be read: {error}"))
    files_by_slug: dict[str, list[str]] = {}
    for name, found in parsed:
        files_by_slug.setdefault(slug_of(found), []).append(name)
    accepted: list[tuple[str, T]] = []
    for name, found in parsed:
        owners = files_by_slug[slug_of(found)]
        if len(owners) == 1:
            accepted.append((name, found))
            continue
        others = ", ".join(other for other in owners if other != name)
        problems.append(Problem(file=name, line=1, message=f"slug `{slug_of(found)}` is also used by {others}"))
    return Loaded(found=accepted, problems=problems)


def not_a_folder(path: Path) -> Problem:
    return Problem(file=str(path), line=0, message="is not a folder")
