"""The `/desk` reference in Markdown, generated from the verbs' docstrings (README.md embeds it).

Run: python -m bot.reference           (print it)
     python -m bot.reference --write   (rewrite the section of README.md between its markers)
"""

from __future__ import annotations

import sys
from pathlib import Path

import core.service  # noqa: F401 - importing the desk declares every verb
from core.desk.registry import VERBS


def desk_reference() -> str:
    lines = ["| command | who | what it does | example |", "| --- | --- | --- | --- |"]
    for verb in sorted(VERBS.values(), key=lambda v: v.name):
        example = f"`/desk {verb.examples[0]}`" if verb.examples else ""
        summary = " ".join(verb.help.split()).replace("|", "\\|")
        usage = verb.usage.replace("|", "\\|")
        lines.append(f"| `/desk {usage}` | {verb.allow.words} | {summary} | {example} |")
    return "\n".join(lines)


START, END = "<!-- desk-reference:start -->", "<!-- desk-reference:end -->"


def write_readme(readme: Path) -> None:
    head, rest = readme.read_text(encoding="utf-8").split(START)
    _old, tail = rest.split(END)
    readme.write_text(f"{head}{START}\n{desk_reference()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_readme(Path(__file__).resolve().parent.parent / "README.md")
    else:
        print(desk_reference())
