"""Priority from impact x urgency through a configurable matrix."""

from __future__ import annotations

from collections.abc import Mapping

Priority = str  # "P1".."P4"

DEFAULT_MATRIX: dict[str, str] = {
    "1,1": "P1",
    "1,2": "P2",
    "2,1": "P2",
    "1,3": "P3",
    "2,2": "P3",
    "3,1": "P3",
    "2,3": "P4",
    "3,2": "P4",
    "3,3": "P4",
}
LEVELS = (1, 2, 3)
IMPACT_WORDS = {1: "high (many people)", 2: "medium (a team)", 3: "low (one person)"}
URGENCY_WORDS = {1: "high (work stopped)", 2: "medium (work hampered)", 3: "low (can wait)"}


def priority_for(*, impact: int, urgency: int, matrix: Mapping[str, str] = DEFAULT_MATRIX) -> Priority:
    if impact not in LEVELS or urgency not in LEVELS:
        raise ValueError(f"impact and urgency are 1, 2 or 3 (got {impact}, {urgency})")
    return matrix.get(f"{impact},{urgency}", "P4")
