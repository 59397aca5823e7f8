"""Finding catalog items by what people write: a search typed after `/desk order`, or a message that asks
for something an item provides ("I need access to the finance share")."""

from __future__ import annotations

from rapidfuzz import fuzz

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
    """The one item a message asks for, when it says so closely enough to offer it (`offer_threshold`)."""
    text = " ".join(message.lower().split())
    best: tuple[float, CatalogItem] | None = None
    for item in catalog.items:
        score = max(fuzz.token_sort_ratio(text, p.lower()) for p in _phrases(item))
        if score >= catalog.offer_threshold and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None
