"""Phrase rules: whole-word phrases that mark a kind, a category, an impact or an urgency."""

from __future__ import annotations

import re
from functools import lru_cache

from core.settings import LevelRules

TITLE_LIMIT = 80


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return _whole_words(re.escape(phrase.lower()))


def _whole_words(alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + alternatives + r")(?![\w])")


@lru_cache(maxsize=256)
def _any_phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return _whole_words("|".join(re.escape(p.lower()) for p in phrases)) if phrases else re.compile(r"(?!)")


_WORD_RUN = re.compile(r"\w+")


@lru_cache(maxsize=256)
def _phrase_runs(phrases: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((p, frozenset(_WORD_RUN.findall(p.lower()))) for p in phrases)


@lru_cache(maxsize=64)
def _runs_of(text: str) -> frozenset[str]:
    return frozenset(_WORD_RUN.findall(text))


def matches(text: str, phrases: tuple[str, ...]) -> list[str]:
    """The phrases found in a normalised text, in the list's order."""
    # Most phrase lists match nothing: one search for all of them says so before each is tried.
    if not _any_phrase_pattern(phrases).search(text):
        return []
    # A phrase found as whole words has each of its runs of word characters as a whole run in the text:
    # only the phrases whose runs all are in it can match, and only those are searched for.
    runs = _runs_of(text)
    return [p for p, needed in _phrase_runs(phrases) if needed <= runs and _phrase_pattern(p).search(text)]


def level(text: str, rules: LevelRules) -> tuple[int, str] | None:
    """The highest level (1 high, 2 medium) a phrase marks, with the phrase; None when none does."""
    for found_level, phrases in ((1, rules.high), (2, rules.medium)):
        found = matches(text, phrases)
        if found:
            return found_level, found[0]
    return None


def title_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) <= TITLE_LIMIT:
        return first_line
    return first_line[: TITLE_LIMIT - 1].rstrip() + "\u2026"
