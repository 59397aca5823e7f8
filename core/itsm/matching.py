"""Does a report speak of a service? By the category it was filed under, or by a name or alias of the
service written in it, typos forgiven (rapidfuzz)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from core.config.services import Service

NAME_SIMILARITY = 85
SAMPLE = 4000
_WORD = re.compile(r"[\w][\w-]*")


def mentions(text: str, service: Service, *, similarity: int = NAME_SIMILARITY) -> bool:
    """True when one of the service's names appears in `text`, as whole words, nearly as written."""
    words = _WORD.findall(text[:SAMPLE].lower())
    for name in service.words:
        size = len(name.split())
        if len(name) < 3:
            continue
        for start in range(0, max(0, len(words) - size + 1)):
            candidate = " ".join(words[start:start + size])
            if candidate == name or (len(candidate) >= 4 and fuzz.ratio(candidate, name) >= similarity):
                return True
    return False


def matching_service(text: str, *, category_service: str, services: Sequence[Service]) -> Service | None:
    """Among `services`, the one `text` names, else the one its category belongs to."""
    for service in services:
        if mentions(text, service):
            return service
    return next((s for s in services if s.name == category_service), None)
