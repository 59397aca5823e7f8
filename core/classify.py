"""Transparent intake rules: which phrases made a message an incident or a request, and how urgent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.lifecycle import Kind
from core.settings import Classification, LevelRules

TITLE_LIMIT = 80


@dataclass(frozen=True)
class Understanding:
    kind: Kind
    category: str
    impact: int
    urgency: int
    title: str
    reasons: tuple[str, ...]


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return _whole_words(re.escape(phrase.lower()))


def _whole_words(alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + alternatives + r")(?![\w])")


def _normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'")


@lru_cache(maxsize=256)
def _any_phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return _whole_words("|".join(re.escape(p.lower()) for p in phrases)) if phrases else re.compile(r"(?!)")


def _matches(text: str, phrases: tuple[str, ...]) -> list[str]:
    # Most phrase lists match nothing: one search for all of them says so before each is tried.
    if not _any_phrase_pattern(phrases).search(text):
        return []
    return [p for p in phrases if _phrase_pattern(p).search(text)]


def _level(text: str, rules: LevelRules, *, word: str, default: int, reasons: list[str]) -> int:
    for level, phrases in ((1, rules.high), (2, rules.medium)):
        found = _matches(text, phrases)
        if found and level <= default:
            reasons.append(f"{word} {level}: '{found[0]}'")
            return level
    return default


def title_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) <= TITLE_LIMIT:
        return first_line
    return first_line[: TITLE_LIMIT - 1].rstrip() + "\u2026"


def classify(text: str, rules: Classification) -> Understanding:
    sample = _normalise(text[:4000])
    reasons: list[str] = []
    incident_hits = _matches(sample, rules.kinds.incident)
    request_hits = _matches(sample, rules.kinds.request)
    if len(request_hits) > len(incident_hits):
        kind = Kind.REQUEST
        reasons.append(f"request: '{request_hits[0]}'")
    elif incident_hits:
        kind = Kind.INCIDENT
        reasons.append(f"incident: '{incident_hits[0]}'")
    else:
        kind = Kind.INCIDENT
        reasons.append("incident: no request phrase found")
    category = rules.default_category
    best = 0
    for rule in rules.categories:
        hits = _matches(sample, rule.phrases)
        if len(hits) > best:
            best, category = len(hits), rule.name
            category_reason = f"category {rule.name}: '{hits[0]}'"
    if best:
        reasons.append(category_reason)
    default_impact, default_urgency = rules.default_levels.get(kind, (3, 3))
    impact = _level(sample, rules.impact, word="impact", default=default_impact, reasons=reasons)
    urgency = _level(sample, rules.urgency, word="urgency", default=default_urgency, reasons=reasons)
    return Understanding(
        kind=kind, category=category, impact=impact, urgency=urgency, title=title_from(text),
        reasons=tuple(reasons),
    )


def service_of(category: str, rules: Classification) -> str:
    return next((c.service for c in rules.categories if c.name == category and c.service), "")
