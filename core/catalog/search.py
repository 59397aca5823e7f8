"""Finding catalog items by what people write: a search typed after `/desk order`, or a message that asks
for something an item provides ("I need access to the finance share")."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process

from core.config.catalog import CatalogItem, CatalogSettings


def _phrases(item: CatalogItem) -> tuple[str, ...]:
    return (item.name, item.slug.replace("-", " "), *item.also_asked_as)


def search(catalog: CatalogSettings, text: str, *, limit: int = 5) -> list[CatalogItem]:
    """Items whose name, slug or phrasings contain the words typed (best first)."""
    query = " ".join(text.lower().replace("-", " ").split())
    if not query:
        return list(catalog.items)
    scored = []
    for item in catalog.items:
        words = " ".join((*_phrases(item), item.category, item.description)).lower().replace("-", " ")
        score = max([fuzz.partial_ratio(query, words)]
                    + [fuzz.token_set_ratio(query, p.lower()) for p in _phrases(item)])
        if score >= 75:
            scored.append((score, item.name, item))
    return [item for _score, _name, item in sorted(scored, key=lambda s: (-s[0], s[1]))][:limit]


def offered(catalog: CatalogSettings, message: str) -> CatalogItem | None:
    """The one item a message asks for, when it says so closely enough to offer it (`offer_threshold`):
    the first of those that say it best."""
    if not catalog.items:
        return None
    phrases, starts = _offer_phrases(catalog.items)
    text = " ".join(message.lower().split())
    # Every phrase of every item in one call; then each item's best phrase.
    alike = process.cdist([text], phrases, scorer=fuzz.token_sort_ratio, dtype=np.float64)[0]
    scores = np.maximum.reduceat(alike, starts)
    best = int(np.argmax(scores))
    return catalog.items[best] if scores[best] >= catalog.offer_threshold else None


_OFFER_PHRASES: dict[int, tuple[tuple[CatalogItem, ...], list[str], np.ndarray]] = {}


def _offer_phrases(items: tuple[CatalogItem, ...]) -> tuple[list[str], np.ndarray]:
    """Every item's phrases, lowered, one after another; and where each item's begin. Made once per
    catalog (every message asks), not per message."""
    found = _OFFER_PHRASES.get(id(items))
    if found is None or found[0] is not items:
        if len(_OFFER_PHRASES) > 8:
            _OFFER_PHRASES.clear()
        phrases = [[p.lower() for p in _phrases(item)] for item in items]
        starts = np.cumsum([0, *(len(each) for each in phrases[:-1])])
        found = _OFFER_PHRASES[id(items)] = (items, [p for each in phrases for p in each], starts)
    return found[1], found[2]
