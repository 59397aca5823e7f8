"""Rank articles for a query: BM25 over weighted fields, best matching phrasing, fuzzy re-scoring.

Three indexes: articles (title, title word pairs, tags/service/category, body); phrasings, one
document per phrasing (the article's `also_asked_as` and every phrasing learned from a "this solved
it"); and "asked", one document per article holding all its phrasings. An article's lexical score
adds its best single phrasing and its asked document to its own; the top candidates are then
re-scored with how much of the query their title or a phrasing holds and with rapidfuzz, and given
a confidence in 0..1.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from kb.index import Field, LexicalIndex
from kb.query import Query, Vocabulary, pairs_of, parse
from kb.text import terms

UNKNOWN_WORD_SHARE = 0.5
# A match weaker than this share of the rarest word's weight is not taken as evidence on its own.
EVIDENCE_SHARE = 0.4
# What a phrasing that names another subject than the query's still counts for.
OFF_TOPIC_SHARE = 0.5
MAX_SHAPES = 4096


@dataclass(frozen=True)
class RankWeights:
    title: float = 3.0
    pairs: float = 0.5
    meta: float = 1.5
    body: float = 1.0
    phrasing: float = 1.0
    phrasing_share: float = 1.0
    asked: float = 1.0
    coverage: float = 0.5
    fuzzy: float = 0.35
    candidates: int = 40


@dataclass(frozen=True)
class ArticleDoc:
    """What the ranker needs to know of an article."""

    slug: str
    title: str
    body: str = ""
    tags: tuple[str, ...] = ()
    service: str = ""
    category: str = ""
    also_asked_as: tuple[str, ...] = ()
    published: bool = True
    summary: str = ""


@dataclass
class Ranked:
    slug: str
    title: str
    score: float
    confidence: float
    summary: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    slug: str
    title: str
    summary: str
    # Tuples, not sets: there is one entry per article, and 100k small sets weigh hundreds of MB.
    title_terms: tuple[str, ...]
    meta_terms: tuple[str, ...]
    title_plain: str
    phrasings: list[str] = field(default_factory=list)
    phrasing_texts: list[str] = field(default_factory=list)
    doc: int = -1
    asked_doc: int = -1


@dataclass(frozen=True)
class _Shape:
    """An entry's words as sets, for checking many queries against it."""

    entry: _Entry
    strong: frozenset[str]
    phrasing_words: list[frozenset[str]]
    apart: list[bool]  # whether each phrasing leaves the title's and tags' words out

    @classmethod
    def of(cls, entry: _Entry) -> _Shape:
        strong = frozenset((*entry.title_terms, *entry.meta_terms))
        words = [frozenset(phrasing.split()) for phrasing in entry.phrasings]
        return cls(entry=entry, strong=strong, phrasing_words=words, apart=[w.isdisjoint(strong) for w in words])

    def current(self, entry: _Entry) -> bool:
        # An entry is replaced when its article changes; its phrasings are only ever appended to.
        return self.entry is entry and len(self.phrasing_words) == len(entry.phrasings)


class Ranker:
    def __init__(self, weights: RankWeights | None = None) -> None:
        self.weights = weights or RankWeights()
        w = self.weights
        self.articles = LexicalIndex(
            [
                Field("title", w.title, 0.5),
                Field("pairs", w.pairs, 0.5),
                Field("meta", w.meta, 0.3),
                Field("body", w.body, 0.75),
            ]
        )
        self.phrasings = LexicalIndex([Field("text", w.phrasing, 0.5), Field("pairs", w.pairs, 0.5)])
        # All phrasings of an article as one document: many ways of asking add up, where the
        # phrasings index only ever counts the single closest one.
        self.asked = LexicalIndex([Field("text", 1.0, 0.75), Field("pairs", w.pairs, 0.75)])
        self.vocabulary = Vocabulary(self._df)
        self.generation = 0  # counts the changes: what was ranked before one may rank otherwise now
        self._known: set[str] = set()
        self._keys: dict[str, int] = {}
        self._entries: list[_Entry] = []
        self._published = np.zeros(0, dtype=bool)
        # The candidates' word sets, kept for the articles asked about most (bounded: one per article
        # would weigh hundreds of MB at 100k articles).
        self._shapes: dict[int, _Shape] = {}

    def _shape(self, key: int) -> _Shape:
        entry = self._entries[key]
        shape = self._shapes.get(key)
        if shape is None or not shape.current(entry):
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            shape = self._shapes[key] = _Shape.of(entry)
        return shape

    def _df(self, token: str) -> int:
        if token not in self._known:  # most words a query tries (joined, split, cut short) are no index's
            return 0
        return self.articles.df(token) + self.phrasings.df(token)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, slug: str) -> bool:
        return slug in self._keys

    # -- building -------------------------------------------------------------------------------------

    def _key(self, doc: ArticleDoc, fields: dict[str, list[str]]) -> int:
        key = self._keys.get(doc.slug)
        entry = _Entry(
            slug=doc.slug,
            title=doc.title,
            summary=doc.summary,
            title_terms=tuple(dict.fromkeys(fields["title"])),
            meta_terms=tuple(dict.fromkeys(fields["meta"])),
            title_plain=" ".join(fields["title"]),
        )
        if key is None:
            key = self._keys[doc.slug] = len(self._entries)
            self._entries.append(entry)
            if len(self._published) <= key:
                grown = np.zeros(max(64, 2 * len(self._published), key + 1), dtype=bool)
                grown[: len(self._published)] = self._published
                self._published = grown
        else:
            old = self._entries[key]
            self.articles.remove(old.doc)
            entry.phrasings = old.phrasings
            entry.phrasing_texts, entry.asked_doc = old.phrasing_texts, old.asked_doc
            self._entries[key] = entry
        self._published[key] = doc.published
        return key

    @staticmethod
    def _article_fields(doc: ArticleDoc) -> dict[str, list[str]]:
        title = terms(doc.title)
        return {
            "title": title,
            "pairs": pairs_of(title),
            "meta": terms(" ".join((*doc.tags, doc.service, doc.category))),
            "body": terms(doc.body),
        }

    def _remember(self, fields: dict[str, list[str]]) -> None:
        self.generation += 1
        self.vocabulary.changed()
        for tokens in fields.values():
            for token in tokens:
                if token not in self._known:
                    self._known.add(token)
                    self.vocabulary.learn(token)

    def load(self, docs: Iterable[ArticleDoc], phrasings: Iterable[tuple[str, str]] = ()) -> None:
        """Bulk-load articles and learned phrasings (slug, text); the fast path for a fresh index.

        Articles stream through: only their term counts are held until the index is built.
        """
        asked: list[tuple[str, str]] = []
        keys: list[int] = []

        def article_fields() -> Iterator[tuple[int, dict[str, list[str]]]]:
            for doc in docs:
                fields = self._article_fields(doc)
                key = self._key(doc, fields)
                self._remember(fields)
                keys.append(key)
                asked.extend((doc.slug, text) for text in doc.also_asked_as)
                yield key, fields

        numbers = self.articles.bulk_load(article_fields())
        for key, number in zip(keys, numbers, strict=True):
            self._entries[key].doc = number
        self.articles.freeze_averages()
        found = (self._phrasing_fields(slug, text) for slug, text in itertools.chain(asked, phrasings))
        self.phrasings.bulk_load(item for item in found if item is not None)
        asked_batch = [
            (key, _asked_fields(entry)) for key, entry in enumerate(self._entries) if entry.phrasings
        ]
        for (key, _), number in zip(asked_batch, self.asked.bulk_load(asked_batch), strict=True):
            self._entries[key].asked_doc = number

    def upsert(self, doc: ArticleDoc) -> None:
        fields = self._article_fields(doc)
        key = self._key(doc, fields)
        self._remember(fields)
        self._entries[key].doc = self.articles.add(key, fields)
        for text in doc.also_asked_as:
            self.add_phrasing(doc.slug, text)

    def _phrasing_fields(self, slug: str, text: str) -> tuple[int, dict[str, list[str]]] | None:
        key = self._keys.get(slug)
        tokens = terms(text)
        if key is None or not tokens:
            return None
        entry = self._entries[key]
        plain = " ".join(tokens)
        if plain in entry.phrasings:
            return None
        entry.phrasings.append(plain)
        entry.phrasing_texts.append(text)
        fields = {"text": tokens, "pairs": pairs_of(tokens)}
        self._remember(fields)
        return key, fields

    @property
    def waste(self) -> float:
        """The share of indexed documents that are replaced versions; high means rebuild."""
        total = self.articles.size + self.asked.size
        dead = total - self.articles.alive_count - self.asked.alive_count
        return dead / total if total else 0.0

    def knows_phrasing(self, slug: str, text: str) -> bool:
        key = self._keys.get(slug)
        return key is not None and " ".join(terms(text)) in self._entries[key].phrasings

    def describe(self, slug: str) -> list[str]:
        """Title with summary, then each phrasing: the sentences a semantic reranker compares."""
        entry = self._entries[self._keys[slug]]
        return [f"{entry.title}. {entry.summary}".strip(" ."), *entry.phrasing_texts]

    def add_phrasing(self, slug: str, text: str) -> bool:
        """Learn one more way of asking for an article; searchable at once. False if nothing new."""
        found = self._phrasing_fields(slug, text)
        if found is None:
            return False
        self.phrasings.add(*found)
        key = found[0]
        entry = self._entries[key]
        self.asked.remove(entry.asked_doc)
        entry.asked_doc = self.asked.add(key, _asked_fields(entry))
        return True

    # -- ranking --------------------------------------------------------------------------------------

    def _lexical(self, query: Query) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        # Most of a long message's words and pairs are in none of the indexes: left out once, not by each.
        known = self._known
        weighted = {token: weight for token, weight in query.weights.items() if token in known}
        weighted.update((bigram, weight) for bigram, weight in query.pairs.items() if bigram in known)
        n_keys = len(self._entries)
        article_scores = self.articles.score(weighted)
        by_key = np.bincount(self.articles.owners(), weights=article_scores, minlength=n_keys).astype(
            np.float32
        )
        best_phrasing = np.zeros(n_keys, dtype=np.float32)
        if self.phrasings.alive_count:
            phrasing_scores = self.phrasings.score(weighted)
            hits = np.flatnonzero(phrasing_scores)
            np.maximum.at(best_phrasing, self.phrasings.owners()[hits], phrasing_scores[hits])
        if self.asked.alive_count and self.weights.asked:
            asked_scores = self.asked.score(weighted)
            best_phrasing += self.weights.asked * np.bincount(
                self.asked.owners(), weights=asked_scores, minlength=n_keys
            ).astype(np.float32)
        return by_key, best_phrasing

    def rank(self, text: str, *, limit: int = 5, include_unpublished: bool = False,
             explain: bool = True, min_confidence: float = 0.0) -> list[Ranked]:
        """The best `limit` articles for `text`, most likely first; `explain` adds each one's reasons.
        `min_confidence`: only articles at least this confident are wanted (the others may be left out)."""
        query = parse(text, self.vocabulary)
        if query.empty or not self._entries:
            return []
        w = self.weights
        own, phrasing = self._lexical(query)
        lexical = own + w.phrasing_share * phrasing
        if not include_unpublished:
            lexical = np.where(self._published[: len(self._entries)], lexical, 0.0)
        candidates = _top(lexical, max(limit, w.candidates))
        if not len(candidates):
            return []
        top = float(lexical[candidates[0]])
        held = _Held(self._query_idf(query))
        asked = set(query.weights)
        least_evidence = EVIDENCE_SHARE * self.articles.idf("")
        if min_confidence > 0:
            # A candidate far below the best cannot be confident enough, whatever else it holds: it is not
            # scored further (most of the candidates, when a threshold is asked for).
            candidates = candidates[lexical[candidates].astype(np.float64) / top >= _least_relative(min_confidence)]
        keys = candidates.tolist()
        if not keys:
            return []
        # What the candidates' words hold of the query first: a candidate that could not reach
        # `min_confidence` even with strings alike in full is not fuzzy-matched (most of them, when asked).
        held_by: list[tuple[int, _Entry, _Shape, float, float, float]] = []
        for key in keys:
            shape = self._shape(key)
            best = _best_held(held, shape, on_topic=not shape.strong.isdisjoint(asked))
            coverage = best / held.total if held.total else 0.0
            evidence = min(1.0, best / least_evidence)
            relative = float(lexical[key]) / top
            if min_confidence > 0 and _confidence(coverage=coverage, fuzzy=1.0, relative=relative,
                                                  evidence=evidence) < min_confidence:
                continue
            held_by.append((key, shape.entry, shape, coverage, evidence, relative))
        if not held_by:
            return []
        # How alike the query is to every title and phrasing of the candidates left, in one call.
        texts = [text for _, entry, *_ in held_by for text in (entry.title_plain, *entry.phrasings)]
        alike = (process.cdist([query.plain], texts, scorer=fuzz.token_set_ratio, dtype=np.float64)[0] / 100.0).tolist()
        start = 0
        scored: list[tuple[float, float, float, _Entry]] = []
        for _key, entry, shape, coverage, evidence, relative in held_by:
            end = start + 1 + len(entry.phrasings)
            # A query of none but added words (synonyms) holds nothing to compare: no likeness either.
            fuzzy = _fuzzy(shape, alike[start:end], on_topic=not shape.strong.isdisjoint(asked)) if held.total else 0.0
            start = end
            confidence = _confidence(coverage=coverage, fuzzy=fuzzy, relative=relative, evidence=evidence)
            score = relative + w.coverage * coverage + w.fuzzy * fuzzy
            scored.append((score, confidence, fuzzy, entry))
        # One order everywhere: the most likely article first. A lower-ranked article is never more
        # confident than one above it, so a threshold never shows one while hiding a better one.
        scored.sort(key=lambda item: (-item[1], -item[0]))
        return [
            Ranked(
                slug=entry.slug,
                title=entry.title,
                score=score,
                confidence=confidence,
                summary=entry.summary,
                reasons=self._reasons(query, entry, fuzzy) if explain else [],
            )
            for score, confidence, fuzzy, entry in scored[:limit]
        ]

    def _query_idf(self, query: Query) -> dict[str, float]:
        """The words the person used (not the synonyms we added), each weighed by how telling it is.

        Words no article knows count too, lightly: a question about something the knowledge base has
        never heard of should not look fully answered because its one familiar word matched.
        """
        weights = {
            token: min(1.0, weight) * self.articles.idf(token)
            for token, weight in query.weights.items()
            if not query.origin[token].startswith("synonym")
        }
        unknown_weight = UNKNOWN_WORD_SHARE * self.articles.idf("")
        for token in query.unknown:
            weights.setdefault(f"?{token}", unknown_weight)
        return weights

    @staticmethod
    def _reasons(query: Query, entry: _Entry, fuzzy: float) -> list[str]:
        reasons: list[str] = []
        for token, origin in query.origin.items():
            where = [
                name
                for name, found in (
                    ("title", token in entry.title_terms),
                    ("phrasing", any(token in phrasing.split() for phrasing in entry.phrasings)),
                    ("tags", token in entry.meta_terms),
                )
                if found
            ]
            if where:
                via = "" if origin == "word" else f" ({origin})"
                reasons.append(f"{token}{via} in {'+'.join(where)}")
        reasons.append(f"fuzzy {fuzzy:.2f}")
        return reasons


class _Held:
    """The words of a query with their weights, in the query's order: what an article's title, tags or
    phrasing is checked for. A weight is summed in that order, whichever text holds the word."""

    def __init__(self, idf: dict[str, float]) -> None:
        self.position = {token: n for n, token in enumerate(idf)}
        self.words = frozenset(idf)
        self.weights = list(idf.values())
        self.total = sum(idf.values())

    def weight_in(self, words: frozenset[str]) -> float:
        found = words & self.words
        if not found:
            return 0
        position, weights = self.position, self.weights
        return sum([weights[n] for n in sorted([position[word] for word in found])])


def _best_held(held: _Held, shape: _Shape, *, on_topic: bool) -> float:
    """How much of the query's weight (each word weighed by how telling it is) one article holds: in its
    title and tags, or in one single phrasing. Its share of the query is the article's coverage; the weight
    itself its evidence, so that one common word that matches is not taken for an answer.

    A phrasing that names its article's own subject ("wireless keeps asking for my password") answers
    a query about another subject ("outlook keeps asking for my password") only by its symptom: when
    the query shares no word with the article's title and tags (not `on_topic`), such a phrasing counts
    for less.
    """
    if not held.total:
        return 0.0
    best = held.weight_in(shape.strong)
    query = held.words
    for words, apart in zip(shape.phrasing_words, shape.apart, strict=True):
        if not query.isdisjoint(words):
            share = 1.0 if on_topic or apart else OFF_TOPIC_SHARE
            best = max(best, share * held.weight_in(words))
    return best


def _fuzzy(shape: _Shape, alike: list[float], *, on_topic: bool) -> float:
    """How alike the strings are (rapidfuzz: `alike` holds the title's likeness to the query, then each
    phrasing's); off topic, a phrasing naming its own subject counts for less (see `_best_held`)."""
    if on_topic:
        return max(alike)
    fuzzy = alike[0]
    for apart, likeness in zip(shape.apart, alike[1:], strict=True):
        fuzzy = max(fuzzy, (1.0 if apart else OFF_TOPIC_SHARE) * likeness)
    return fuzzy


def _confidence(*, coverage: float, fuzzy: float, relative: float, evidence: float) -> float:
    """How likely this article answers the query, in 0..1.

    The evidence: how much of the query the article's title, tags or one of its phrasings holds, and
    whether that is more than a common word or two (`evidence`, 0..1); how alike the strings are; how
    close it scored to the best candidate. The raw blend is then bent (1 - (1 - raw)^2) so that it
    reads as a probability: on StackFAQ's dev queries the first result is right about as often as this
    says (the reliability table printed by bench/kb_quality.py is the check).
    """
    raw = min(1.0, 0.55 * coverage + 0.45 * fuzzy * math.sqrt(coverage)) * relative * evidence
    return round(1.0 - (1.0 - raw) * (1.0 - raw), 4)


def _least_relative(confidence: float) -> float:
    """How close to the best a candidate must score to perhaps reach `confidence`: `_confidence`'s raw blend
    is never more than `relative` (every other factor is at most 1), bent to 1 - (1 - raw)^2 and rounded to
    4 places. A little below the exact bound, so that no candidate that could reach it is left out."""
    return 1.0 - math.sqrt(max(0.0, 1.0 - confidence + 1e-4)) - 1e-9


def _asked_fields(entry: _Entry) -> dict[str, list[str]]:
    return {
        "text": [token for phrasing in entry.phrasings for token in phrasing.split()],
        "pairs": [bigram for phrasing in entry.phrasings for bigram in pairs_of(phrasing.split())],
    }


def _top(scores: NDArray[np.float32], k: int) -> NDArray[np.intp]:
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    return positive[np.argsort(-scores[positive], kind="stable")]
