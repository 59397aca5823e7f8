"""Text preprocessing shared by the index and the queries: fold, tokenize, stem, canonicalize.

Both sides of a match must go through exactly the same steps, so everything that turns text into
index terms lives here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kb.synonyms import EQUIVALENT, PHRASES, RELATED, STOPWORDS

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_APOSTROPHE_TAIL = re.compile(r"['’](?:s|t|re|ve|ll|d|m)$")
_HYPHEN = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])")


def fold(text: str) -> str:
    """Lower-case and strip accents, so that `Café` and `cafe` are one word."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# One pass over the text for all phrases; which phrase matched is worked out only on a hit.
_ANY_PHRASE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in PHRASES))


def _replace_phrase(match: re.Match[str]) -> str:
    found = match.group(0)
    for pattern, replacement in PHRASES:
        if pattern.fullmatch(found):
            return replacement
    return found


def _apply_phrases(text: str) -> str:
    return _ANY_PHRASE.sub(_replace_phrase, text)


_DERIVATIONAL: tuple[tuple[str, int], ...] = (
    ("izations", 4),
    ("ization", 4),
    ("ational", 4),
    ("ations", 4),
    ("ation", 4),
    ("ments", 4),
    ("ment", 4),
    ("ness", 4),
    ("able", 4),
    ("ible", 4),
    ("ize", 5),
    ("ate", 5),
    ("ion", 5),
    ("er", 4),
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A small suffix stemmer: enough to join `deleting`, `deleted` and `delete` to one term."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, keep in (("ingly", 3), ("ing", 3), ("edly", 3), ("ed", 3), ("ly", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    for suffix, keep in _DERIVATIONAL:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            break
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _canonical_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in EQUIVALENT:
        canonical = stem(group[0])
        for member in group:
            mapping[member] = canonical
            mapping[stem(member)] = canonical
    return mapping


CANONICAL: dict[str, str] = _canonical_map()


def _related_map() -> dict[str, tuple[str, ...]]:
    related: dict[str, set[str]] = {}
    for group in RELATED:
        group_terms = {CANONICAL.get(stem(word), stem(word)) for word in group}
        for one in group_terms:
            related.setdefault(one, set()).update(group_terms - {one})
    return {key: tuple(sorted(values)) for key, values in related.items()}


RELATED_TERMS: dict[str, tuple[str, ...]] = _related_map()


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index term of one folded word: apostrophe endings off, stemmed, then canonical."""
    word = _APOSTROPHE_TAIL.sub("", word)
    canonical = CANONICAL.get(word)
    if canonical is not None:
        return canonical
    stemmed = stem(word)
    return CANONICAL.get(stemmed, stemmed)


def words(text: str) -> list[str]:
    """Folded surface words, with multi-word IT phrases (`wi fi`, `two factor`) already joined."""
    text = _apply_phrases(fold(text))
    if "-" in text:
        text = _HYPHEN.sub("", text)
    return _WORD.findall(text)


def terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Index terms of a text in order; stopwords dropped unless asked to keep them."""
    out: list[str] = []
    for word in words(text):
        if not keep_stopwords and word in STOPWORDS:
            continue
        out.append(term(word))
    return out


def plain(text: str) -> str:
    """The text as a line of its terms, for the fuzzy scorers (which compare strings)."""
    return " ".join(terms(text))
