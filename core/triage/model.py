"""A naive Bayes head per decision (kind, category, impact, urgency): counts that examples add to and
take back, scores that say which label the words favour, and the words that weighed most.

Complement naive Bayes (Rennie et al., 2003): each label is scored by how unlike the *other* labels'
examples the message is, which keeps a label with few examples (incidents, a small category) from
losing only because it was seen less. With two labels it is plain multinomial naive Bayes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.triage.text import untitled

SMOOTHING = 0.3


@dataclass
class Head:
    """Counts of features per label, for one decision."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    totals: Counter[str] = field(default_factory=Counter)
    examples: Counter[str] = field(default_factory=Counter)
    everywhere: Counter[str] = field(default_factory=Counter)
    total: float = 0.0
    # Every message asks the weights of its words again; they change only when an example comes or goes.
    _weights: dict[tuple[str, str], float] = field(default_factory=dict, repr=False, compare=False)
    # Deciding asks which of a message's features are known several times (scores, margin, evidence).
    _last_known: tuple[frozenset[str], list[str]] | None = field(default=None, repr=False, compare=False)

    def add(self, label: str, features: Iterable[str], weight: float = 1.0) -> None:
        self._weights.clear()
        self._last_known = None
        counts = self.counts.setdefault(label, Counter())
        for feature in features:
            counts[feature] += weight
            self.everywhere[feature] += weight
            self.totals[label] += weight
            self.total += weight
        self.examples[label] += weight

    def remove(self, label: str, features: Iterable[str], weight: float = 1.0) -> None:
        counts = self.counts.get(label)
        if counts is None:
            return
        self._weights.clear()
        self._last_known = None
        for feature in features:
            if counts.get(feature, 0) <= 0:
                continue
            counts[feature] -= weight
            self.everywhere[feature] -= weight
            self.totals[label] -= weight
            self.total -= weight
            if counts[feature] <= 1e-9:
                del counts[feature]
            if self.everywhere[feature] <= 1e-9:
                del self.everywhere[feature]
        self.examples[label] -= weight
        if self.examples[label] <= 1e-9:
            del self.examples[label]

    def labels(self) -> list[str]:
        return sorted(label for label, count in self.examples.items() if count > 0)

    def known(self, features: Iterable[str]) -> list[str]:
        """The features this head has counts for, each once; a title word it never saw in a title as the
        word itself (what bodies, one-line messages and built-in examples taught of it)."""
        last = self._last_known
        if last is not None and last[0] is features:
            return last[1]
        everywhere = self.everywhere
        found = dict.fromkeys(feature if feature in everywhere else untitled(feature) for feature in features)
        known = [feature for feature in found if feature in everywhere]
        if isinstance(features, frozenset):
            self._last_known = (features, known)
        return known

    def weight(self, feature: str, label: str) -> float:
        """log P(feature | not label): the higher, the more the other labels' examples use it."""
        found = self._weights.get((feature, label))
        if found is None:
            found = self._weights[feature, label] = self._weight(feature, label)
        return found

    def _weight(self, feature: str, label: str) -> float:
        vocabulary = len(self.everywhere) + 1
        other = self.everywhere[feature] - self.counts.get(label, Counter())[feature]
        return math.log((other + SMOOTHING) / (self.total - self.totals[label] + SMOOTHING * vocabulary))

    def scores(self, features: Iterable[str], labels: Iterable[str] | None = None) -> dict[str, float]:
        """Per label, how much the message's known features favour it (higher is more likely)."""
        known = self.known(features)
        return {label: -sum(self.weight(f, label) for f in known) for label in (labels or self.labels())}

    def evidence(self, features: Iterable[str], label: str, against: str) -> list[tuple[float, str]]:
        """The features that favour `label` over `against` most, strongest first, with how much."""
        found = [(self.weight(f, against) - self.weight(f, label), f) for f in self.known(features)]
        return sorted((item for item in found if item[0] > 0), reverse=True)
