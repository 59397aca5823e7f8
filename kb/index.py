"""An in-memory inverted index with BM25 scoring over weighted fields, built for many documents.

Each document belongs to an owner key (an article). A term's postings hold, per document, its
*impact*: the weighted sum over fields of BM25's saturated term frequency. Scoring a query is then a
sum of impact x idf x query weight, done with numpy. Documents are only ever appended; replacing one
leaves a tombstone, so learning a phrasing or publishing a draft never rebuilds anything.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

K1 = 1.2


@dataclass(frozen=True)
class Field:
    name: str
    weight: float
    b: float = 0.75


class LexicalIndex:
    """Postings for one kind of document (articles, or phrasings) over the fields given."""

    def __init__(self, fields: Iterable[Field]) -> None:
        self.fields = tuple(fields)
        self.vocab: dict[str, int] = {}
        self._ids: list[NDArray[np.int32]] = []
        self._impacts: list[NDArray[np.float32]] = []
        self._pending: dict[int, tuple[array[int], array[float]]] = {}
        self._df: list[int] = []
        self._owner = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        self._count = 0
        self._alive_count = 0
        self._length_sums = dict.fromkeys((field.name for field in self.fields), 0.0)
        self._avg_frozen: dict[str, float] | None = None

    @property
    def size(self) -> int:
        return self._count

    @property
    def alive_count(self) -> int:
        return self._alive_count

    def owners(self) -> NDArray[np.int32]:
        return self._owner[: self._count]

    def alive(self) -> NDArray[np.bool_]:
        return self._alive[: self._count]

    def _averages(self) -> dict[str, float]:
        if self._avg_frozen is not None:
            return self._avg_frozen
        n = max(1, self._count)
        return {name: max(1.0, total / n) for name, total in self._length_sums.items()}

    def freeze_averages(self) -> None:
        """Fix the average field lengths, so that later appends score like the bulk they join."""
        self._avg_frozen = dict(self._averages())

    def _grow(self, needed: int) -> None:
        if needed <= len(self._owner):
            return
        capacity = max(needed, 2 * len(self._owner), 64)
        owner = np.zeros(capacity, dtype=np.int32)
        owner[: len(self._owner)] = self._owner
        alive = np.zeros(capacity, dtype=bool)
        alive[: len(self._alive)] = self._alive
        self._owner, self._alive = owner, alive

    def _impacts_of(self, fields: Mapping[str, list[str]], averages: Mapping[str, float]) -> dict[str, float]:
        impacts: dict[str, float] = {}
        for field in self.fields:
            tokens = fields.get(field.name)
            if not tokens:
                continue
            norm = K1 * (1.0 - field.b + field.b * len(tokens) / averages[field.name])
            for token, tf in Counter(tokens).items():
                impacts[token] = impacts.get(token, 0.0) + field.weight * tf * (K1 + 1.0) / (tf + norm)
        return impacts

    def bulk_load(self, docs: Iterable[tuple[int, Mapping[str, list[str]]]]) -> list[int]:
        """Index many (owner, fields) documents at once; the fast path for a first build.

        `docs` is consumed once, lazily: per document only its term counts are kept (four numbers
        per term and field), and BM25 is then computed for all of them at once with numpy.
        Returns the document numbers given, in order.
        """
        term_col: array[int] = array("i")
        doc_col: array[int] = array("i")
        field_col: array[int] = array("b")
        tf_col: array[int] = array("i")
        lengths: list[array[int]] = [array("i") for _ in self.fields]
        intern = self.vocab.setdefault
        first = doc = self._count
        for owner, fields in docs:
            self._grow(doc + 1)
            self._owner[doc] = owner
            self._alive[doc] = True
            for number, field in enumerate(self.fields):
                tokens = fields.get(field.name) or []
                lengths[number].append(len(tokens))
                if not tokens:
                    continue
                counts = Counter(tokens)
                term_col.extend([intern(token, len(self.vocab)) for token in counts])
                tf_col.extend(counts.values())
                doc_col.extend([doc] * len(counts))
                field_col.extend([number] * len(counts))
            doc += 1
        added = doc - first
        if not added:
            return []
        self._count = doc
        self._alive_count += added
        for number, field in enumerate(self.fields):
            self._length_sums[field.name] += float(sum(lengths[number]))
        averages = self._averages()
        field_of = np.frombuffer(field_col, dtype=np.int8).astype(np.intp)
        docs_of = np.frombuffer(doc_col, dtype=np.int32)
        tf = np.frombuffer(tf_col, dtype=np.int32).astype(np.float32)
        length = np.zeros(len(tf), dtype=np.float32)
        for number, field in enumerate(self.fields):
            rows = field_of == number
            field_lengths = np.frombuffer(lengths[number], dtype=np.int32).astype(np.float32)
            length[rows] = field_lengths[docs_of[rows] - first] / averages[field.name]
        weight = np.array([field.weight for field in self.fields], dtype=np.float32)[field_of]
        b = np.array([field.b for field in self.fields], dtype=np.float32)[field_of]
        impact = weight * tf * (K1 + 1.0) / (tf + K1 * (1.0 - b + b * length))
        self._merge_columns(np.frombuffer(term_col, dtype=np.int32), docs_of, impact.astype(np.float32))
        return list(range(first, doc))

    def _merge_columns(
        self, terms: NDArray[np.int32], docs: NDArray[np.int32], impacts: NDArray[np.float32]
    ) -> None:
        """Add (term, doc, impact) rows to the postings; rows of one term and doc (fields) are summed."""
        missing = len(self.vocab) - len(self._ids)
        self._ids.extend(np.zeros(0, dtype=np.int32) for _ in range(missing))
        self._impacts.extend(np.zeros(0, dtype=np.float32) for _ in range(missing))
        self._df.extend(0 for _ in range(missing))
        if not len(terms):
            return
        order = np.lexsort((docs, terms))
        terms, docs, impacts = terms[order], docs[order], impacts[order]
        new_pair = np.concatenate(([True], (np.diff(terms) != 0) | (np.diff(docs) != 0)))
        firsts = np.flatnonzero(new_pair)
        impacts = np.add.reduceat(impacts, firsts).astype(np.float32)
        terms, docs = terms[firsts], docs[firsts]
        bounds = np.flatnonzero(np.diff(terms)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(terms)]))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            term_id = int(terms[start])
            new_ids, new_impacts = docs[start:end].copy(), impacts[start:end].copy()
            if len(self._ids[term_id]):
                new_ids = np.concatenate((self._ids[term_id], new_ids))
                new_impacts = np.concatenate((self._impacts[term_id], new_impacts))
            self._ids[term_id], self._impacts[term_id] = new_ids, new_impacts
            self._df[term_id] += end - start

    def add(self, owner: int, fields: Mapping[str, list[str]]) -> int:
        """Append one document; cheap, for learning and drafts. Returns its document number."""
        for field in self.fields:
            self._length_sums[field.name] += len(fields.get(field.name) or ())
        doc = self._count
        self._grow(doc + 1)
        self._count += 1
        self._alive_count += 1
        self._owner[doc] = owner
        self._alive[doc] = True
        for token, impact in self._impacts_of(fields, self._averages()).items():
            term_id = self.vocab.get(token)
            if term_id is None:
                term_id = self.vocab[token] = len(self.vocab)
                self._ids.append(np.zeros(0, dtype=np.int32))
                self._impacts.append(np.zeros(0, dtype=np.float32))
                self._df.append(0)
            ids, impacts = self._pending.setdefault(term_id, (array("i"), array("f")))
            ids.append(doc)
            impacts.append(impact)
            self._df[term_id] += 1
        return doc

    def remove(self, doc: int) -> None:
        if 0 <= doc < self._count and self._alive[doc]:
            self._alive[doc] = False
            self._alive_count -= 1

    def df(self, token: str) -> int:
        term_id = self.vocab.get(token)
        return 0 if term_id is None else self._df[term_id]

    def idf(self, token: str) -> float:
        return _idf(self.df(token), max(1, self._alive_count))

    def _postings_of(self, term_id: int) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        if self._pending:
            pending = self._pending.pop(term_id, None)
            if pending is not None:
                self._ids[term_id] = np.concatenate((self._ids[term_id], np.frombuffer(pending[0], np.int32)))
                self._impacts[term_id] = np.concatenate(
                    (self._impacts[term_id], np.frombuffer(pending[1], np.float32))
                )
        return self._ids[term_id], self._impacts[term_id]

    def score(self, weighted_terms: Mapping[str, float]) -> NDArray[np.float32]:
        """BM25 score of every document (dead ones 0) for terms with their query weights."""
        id_parts: list[NDArray[np.int32]] = []
        weight_parts: list[NDArray[np.float32]] = []
        # Every query asks this for each of its terms and pairs, most of them unknown here: one lookup each.
        vocab, df, alive = self.vocab, self._df, max(1, self._alive_count)
        for token, query_weight in weighted_terms.items():
            term_id = vocab.get(token)
            if term_id is None:
                continue
            ids, impacts = self._postings_of(term_id)
            if not len(ids):
                continue
            id_parts.append(ids)
            weight_parts.append(impacts * np.float32(query_weight * _idf(df[term_id], alive)))
        if not id_parts:
            return np.zeros(self._count, dtype=np.float32)
        scores = np.bincount(
            np.concatenate(id_parts), weights=np.concatenate(weight_parts), minlength=self._count
        ).astype(np.float32)
        scores[~self._alive[: self._count]] = 0.0
        return scores

    def memory_bytes(self) -> int:
        postings = sum(
            ids.nbytes + impacts.nbytes for ids, impacts in zip(self._ids, self._impacts, strict=True)
        )
        return postings + self._owner.nbytes + self._alive.nbytes


def _idf(df: int, documents: int) -> float:
    return math.log(1.0 + (documents - df + 0.5) / (df + 0.5))
