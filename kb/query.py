"""Turn what a person typed into weighted index terms: trim, join split words, fix typos, add synonyms."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kb.synonyms import STOPWORDS
from kb.text import RELATED_TERMS, term, words

MAX_CHARS = 8_000
MAX_TERMS = 48
MAX_TYPO_FIXES = 6
RELATED_WEIGHT = 0.3
TYPO_WEIGHT = 0.7
JOINED_WEIGHT = 1.0
AFFIX_WEIGHT = 0.6
MIN_PART = 5
MAX_REMEMBERED_LOOKUPS = 50_000


@dataclass
class Query:
    """The terms of one query with their weights, and where each came from (for `--explain`)."""

    weights: dict[str, float] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    pairs: dict[str, float] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    plain: str = ""

    def add(self, token: str, weight: float, origin: str) -> None:
        if weight > self.weights.get(token, 0.0):
            self.weights[token] = weight
            self.origin[token] = origin

    @property
    def empty(self) -> bool:
        return not self.weights


def pair(first: str, second: str) -> str:
    return f"{first}_{second}"


def pairs_of(tokens: list[str]) -> list[str]:
    return [pair(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if a != b]


class Vocabulary:
    """The terms an index knows, with a typo lookup bucketed by length so it stays fast at 100k articles."""

    def __init__(self, known: Callable[[str], int]) -> None:
        self._known = known
        self._by_length: dict[int, list[str]] = {}
        self._closest: dict[str, list[tuple[str, int]]] = {}  # typo lookups, until the index changes
        # The known words inside unknown ones (`split`, `known_part`), until the index changes: the same
        # unknown words come back in query after query, and each look tries every way to cut them.
        self._splits: dict[str, tuple[str, str] | None] = {}
        self._parts: dict[str, str | None] = {}

    def changed(self) -> None:
        """The index learned words or documents: what `closest` found may be found otherwise now."""
        self._closest.clear()
        self._splits.clear()
        self._parts.clear()

    def split(self, token: str) -> tuple[str, str] | None:
        """Two known words an unknown one is made of (`wifipassword`), if any."""
        if token not in self._splits:
            if len(self._splits) >= MAX_REMEMBERED_LOOKUPS:
                self._splits.clear()
            self._splits[token] = _split(token, self)
        return self._splits[token]

    def known_part(self, token: str) -> str | None:
        """The longest known word inside an unknown one: `interdependencies` -> `depend`."""
        if token not in self._parts:
            if len(self._parts) >= MAX_REMEMBERED_LOOKUPS:
                self._parts.clear()
            self._parts[token] = _known_part(token, self)
        return self._parts[token]

    def df(self, token: str) -> int:
        return self._known(token)

    def learn(self, token: str) -> None:
        if "_" not in token and len(token) >= 4 and not token.isdigit():
            self._by_length.setdefault(len(token), []).append(token)

    def closest(self, token: str) -> list[tuple[str, int]]:
        """Known terms within one edit (two for long words) of an unknown one, nearest first."""
        if len(token) < 4 or token.isdigit():
            return []
        found = self._closest.get(token)
        if found is None:
            if len(self._closest) >= MAX_REMEMBERED_LOOKUPS:
                self._closest.clear()
            found = self._closest[token] = self._look_up(token)
        return found

    def _look_up(self, token: str) -> list[tuple[str, int]]:
        limit = 1 if len(token) <= 6 else 2
        found: list[tuple[str, int]] = []
        for length in range(len(token) - limit, len(token) + limit + 1):
            bucket = self._by_length.get(length)
            if not bucket:
                continue
            for choice, distance, _ in process.extract(
                token, bucket, scorer=OSA.distance, score_cutoff=limit, limit=3
            ):
                found.append((choice, int(distance)))
        found.sort(key=lambda item: (item[1], -self.df(item[0])))
        return found[:2]


def parse(text: str, vocabulary: Vocabulary) -> Query:
    """Weighted terms for a query; an empty Query when there is nothing to look for."""
    query = Query()
    surface = [word for word in words(text[:MAX_CHARS]) if word not in STOPWORDS]
    if not surface:
        return query
    tokens = [term(word) for word in surface]
    counts = Counter(tokens)
    if len(counts) > MAX_TERMS:
        # A pasted log or e-mail: keep the words that say most (rare ones), not the first ones.
        keep = set(sorted(counts, key=lambda tok: (vocabulary.df(tok) == 0, vocabulary.df(tok)))[:MAX_TERMS])
        tokens = [tok for tok in tokens if tok in keep]
    query.plain = " ".join(dict.fromkeys(tokens))
    fixes = 0
    for token in dict.fromkeys(tokens):
        if vocabulary.df(token):
            query.add(token, 1.0, "word")
            continue
        related = [other for other in RELATED_TERMS.get(token, ()) if vocabulary.df(other)]
        if related:
            # A word no article uses, with known relatives (`patchy` -> `unstable`): they stand in for it.
            for other in related:
                query.add(other, RELATED_WEIGHT, f"synonym:{token}")
            continue
        split = vocabulary.split(token)
        if split:
            for part in split:
                query.add(part, JOINED_WEIGHT, f"split:{token}")
            continue
        fixed = vocabulary.closest(token) if fixes < MAX_TYPO_FIXES else []
        fixes += 1
        for choice, distance in fixed:
            query.add(choice, TYPO_WEIGHT / distance, f"typo:{token}")
        inner = None if fixed else vocabulary.known_part(token)
        if inner is not None:
            query.add(inner, AFFIX_WEIGHT, f"part:{token}")
        elif not fixed:
            query.unknown.append(token)
    for first, second in zip(surface, surface[1:], strict=False):
        joined = term(first + second)
        if vocabulary.df(joined):
            query.add(joined, JOINED_WEIGHT, f"joined:{first} {second}")
    for token in list(query.weights):
        for related in RELATED_TERMS.get(token, ()):
            if related not in query.weights and vocabulary.df(related):
                # A related word must not outweigh the word it stands in for: rarer means stronger.
                share = min(1.0, vocabulary.df(related) / vocabulary.df(token))
                query.add(related, RELATED_WEIGHT * share, f"synonym:{token}")
    for bigram in pairs_of(tokens):
        query.pairs[bigram] = 1.0
    return query


def _known_part(token: str, vocabulary: Vocabulary) -> str | None:
    for size in range(len(token) - 1, MIN_PART - 1, -1):
        for start in (len(token) - size, 0):
            part = token[start : start + size]
            if vocabulary.df(part):
                return part
    return None


def _split(token: str, vocabulary: Vocabulary) -> tuple[str, str] | None:
    if len(token) < 7:
        return None
    for cut in range(3, len(token) - 2):
        left = term(token[:cut])
        if not vocabulary.df(left):
            continue  # the right part is not worth making a term of (most cuts of a new word)
        right = term(token[cut:])
        if vocabulary.df(right):
            return left, right
    return None
