from __future__ import annotations

from pathlib import Path

from bot.reference import desk_reference

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- desk-reference:start -->", "<!-- desk-reference:end -->"


def test_the_readme_desk_reference_matches_the_commands_help() -> None:
    text = README.read_text(encoding="utf-8")
    embedded = text.split(START)[1].split(END)[0].strip()
    assert embedded == desk_reference(), "run: python -m bot.reference --write"


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = 'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/python -m pytest -q'
    assert command in README.read_text(encoding="utf-8")
    assert command in ci
