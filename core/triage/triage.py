"""Triage: what a report is (incident or request), its category, impact and urgency, and why.

Rules first: a phrase an admin wrote in the config decides. The rest is decided by a naive Bayes model
(`core.triage.model`) that starts from built-in examples and learns from every agent correction and every
ticket closed without one. Until it has learned, a built-in incident phrase ("not working", "error") is
strong evidence; as corrections come in, what the desk's own tickets say counts more and more.

The learned examples live in the database; each process keeps the model in memory and, at most every
few seconds, reads what other processes taught since (`refresh`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import yaml
from sqlalchemy.orm import Session

from core.lifecycle import Kind
from core.settings import Classification, PhraseRules
from core.triage import store
from core.triage.model import Head
from core.triage.rules import level, matches, title_from
from core.triage.text import NEUTRAL, features, normalise, shown, untitled

REFRESH_SECONDS = 2.0
# How many learned examples the built-in knowledge is worth: with n learned, it counts k / (k + n).
PRIOR_EXAMPLES = 10.0
# A built-in incident phrase adds this much evidence (log odds), and a report needs a little more evidence
# of being an incident than of being a request, the more so the longer it is (a long e-mail holds many
# words by chance): without words that say something is broken, a message is a request. Both fade as
# the model learns.
INCIDENT_PHRASE_WEIGHT = 20.0
INCIDENT_MARGIN = 1.0
INCIDENT_MARGIN_PER_WORD = 0.15
MIN_LEVEL_EXAMPLES = 20
REASON_WORDS = 2
OVERLAP_IDS = 100


@dataclass(frozen=True)
class Understanding:
    kind: Kind
    category: str
    impact: int
    urgency: int
    title: str
    # Why, by decision: kind, category, impact, urgency (a decision the defaults made has none).
    reasons: dict[str, str]


@dataclass(frozen=True)
class Taught:
    """How many tickets taught the model, by how: the source of its knowledge, in a reason."""

    corrected: int = 0
    confirmed: int = 0
    imported: int = 0

    @property
    def total(self) -> int:
        return self.corrected + self.confirmed + self.imported

    def __str__(self) -> str:
        if not self.total:
            return "built-in examples"
        parts = [f"{count} {name}" for count, name in ((self.corrected, "corrections"),
                                                        (self.confirmed, "confirmed tickets"),
                                                        (self.imported, "imported examples")) if count]
        return "learned from " + " and ".join(parts)


def _seed() -> list[tuple[str, str, str]]:
    text = resources.files("core.triage").joinpath("seed.yaml").read_text(encoding="utf-8")
    return [tuple(item) for item in yaml.safe_load(text)]  # type: ignore[misc]


class _Learned:
    """The heads, seeded with built-in knowledge, plus what the examples in the database taught."""

    def __init__(self, rules: PhraseRules, categories: tuple[str, ...], default_category: str) -> None:
        self.kind = Head()
        self.category = Head()
        self.levels: dict[str, Head] = {}
        self.by_ticket: dict[int, tuple[int, store.Labels, str]] = {}
        self.applied: set[int] = set()
        self.corrected = self.confirmed = self.imported = 0
        self.categories = categories
        self.default_category = default_category
        for phrase in rules.incident_markers:
            self.kind.add(Kind.INCIDENT.value, features(phrase, neutral=NEUTRAL))
        for phrase in rules.request_hints:
            self.kind.add(Kind.REQUEST.value, features(phrase, neutral=NEUTRAL))
        for name, phrases in rules.category_hints.items():
            if name in categories:
                for phrase in phrases:
                    self.category.add(name, features(phrase, neutral=NEUTRAL))
        for kind, category, text in _seed():
            found = features(text, neutral=NEUTRAL)
            self.kind.add(kind, found)
            # A general example teaches nothing about categories: the default is what no telling word gives.
            if not rules.categories_replaced and category in categories and category != "general":
                self.category.add(category, found)

    @property
    def taught(self) -> Taught:
        return Taught(corrected=self.corrected, confirmed=self.confirmed, imported=self.imported)

    def level_head(self, kind: str, name: str) -> Head:
        return self.levels.setdefault(f"{name}:{kind}", Head())

    def _change(self, labels: store.Labels, text: str, corrected: str, source: str, sign: int) -> None:
        found = features(text)
        change = Head.add if sign > 0 else Head.remove
        change(self.kind, labels.kind, found)
        if labels.category in self.categories:
            change(self.category, labels.category, found)
        change(self.level_head(labels.kind, "impact"), str(labels.impact), found)
        change(self.level_head(labels.kind, "urgency"), str(labels.urgency), found)
        if source == "imported":
            self.imported += sign
        elif corrected:
            self.corrected += sign
        else:
            self.confirmed += sign

    def apply(self, example: store.Example, old_text: Callable[[int], str | None]) -> None:
        if example.id in self.applied:
            return
        self.applied.add(example.id)
        if example.ticket_id is not None:
            before = self.by_ticket.get(example.ticket_id)
            if before is not None:
                if before[0] > example.id:
                    return  # a newer example of this ticket is already counted
                text = old_text(before[0])
                if text is not None:
                    self._change(before[1], text, before[2], "ticket", -1)
            self.by_ticket[example.ticket_id] = (example.id, example.labels, example.corrected)
        self._change(example.labels, example.text, example.corrected, example.source, +1)


class Triage:
    def __init__(self, classification: Classification, *, refresh_seconds: float = REFRESH_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.classification = classification
        self.rules = classification.phrases
        self.refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._learned: _Learned | None = None
        self._seen: store.Probe | None = None
        self._checked_at = 0.0

    # -- learned state --------------------------------------------------------------------------------

    def _fresh(self) -> _Learned:
        names = tuple(c.name for c in self.rules.categories) + (self.classification.default_category,)
        return _Learned(self.rules, names, self.classification.default_category)

    def refresh(self, session: Session, *, force: bool = False) -> _Learned:
        """The model, first brought up to date with the database if it is time to look."""
        with self._lock:
            now = self._monotonic()
            learned = self._learned
            if learned is not None and not force and now - self._checked_at < self.refresh_seconds:
                return learned
            self._checked_at = now
            probe = store.probe(session)
            seen = self._seen
            if learned is None or seen is None or probe.generation != seen.generation \
                    or probe.count < seen.count or probe.last_id < seen.last_id:
                learned = self._fresh()
                for example in store.current(session):
                    learned.apply(example, lambda _: None)
            elif probe != seen:
                # With PostgreSQL a row can commit after one with a higher id: look a little further back.
                for example in store.after(session, max(0, seen.last_id - OVERLAP_IDS)):
                    learned.apply(example, lambda example_id: store.text_of(session, example_id))
            self._learned, self._seen = learned, probe
            return learned

    def taught(self, session: Session) -> Taught:
        return self.refresh(session).taught

    def telling_words(self, session: Session, *, count: int = 8, support: int = 3) -> dict[str, list[str]]:
        """The words (seen at least `support` times) that most say incident, and request."""
        learned = self.refresh(session, force=True)
        with self._lock:
            head = learned.kind
            telling: dict[str, list[str]] = {}
            for label, other in ((Kind.INCIDENT.value, Kind.REQUEST.value), (Kind.REQUEST.value, Kind.INCIDENT.value)):
                ranked = sorted(((head.weight(f, other) - head.weight(f, label), f)
                                 for f, seen in head.everywhere.items() if seen >= support), reverse=True)
                # A title word and the same word in bodies read alike: the stronger one stands for both.
                said = dict.fromkeys(shown(f) for strength, f in ranked if strength > 0)
                telling[label] = list(said)[:count]
            return telling

    # -- deciding -------------------------------------------------------------------------------------

    def understand(self, session: Session, text: str) -> Understanding:
        learned = self.refresh(session)
        with self._lock:
            return self._understand(learned, text)

    def _understand(self, learned: _Learned, text: str) -> Understanding:
        sample = normalise(text)
        found = features(text)
        reasons: dict[str, str] = {}
        kind = self._kind(learned, sample, found, reasons)
        category = self._category(learned, sample, found, reasons)
        default_impact, default_urgency = self.classification.default_levels.get(kind, (3, 3))
        impact = self._level(learned, "impact", kind, sample, found, default_impact, reasons)
        urgency = self._level(learned, "urgency", kind, sample, found, default_urgency, reasons)
        return Understanding(kind=kind, category=category, impact=impact, urgency=urgency, title=title_from(text),
                             reasons=reasons)

    def _kind(self, learned: _Learned, sample: str, found: frozenset[str], reasons: dict[str, str]) -> Kind:
        incident_rules = matches(sample, self.rules.admin_incident)
        request_rules = matches(sample, self.rules.admin_request)
        if incident_rules or request_rules:
            kind = Kind.REQUEST if len(request_rules) > len(incident_rules) else Kind.INCIDENT
            phrase = (request_rules if kind is Kind.REQUEST else incident_rules)[0]
            reasons["kind"] = f"{kind.value}: '{phrase}' (rule in the config)"
            return kind
        prior = PRIOR_EXAMPLES / (PRIOR_EXAMPLES + learned.taught.total)
        scores = learned.kind.scores(found, (Kind.INCIDENT.value, Kind.REQUEST.value))
        margin = INCIDENT_MARGIN + INCIDENT_MARGIN_PER_WORD * len(learned.kind.known(found))
        odds = scores[Kind.INCIDENT.value] - scores[Kind.REQUEST.value] - prior * margin
        markers = matches(sample, self.rules.incident_markers)
        if markers:
            odds += prior * INCIDENT_PHRASE_WEIGHT
        kind = Kind.INCIDENT if odds > 0 else Kind.REQUEST
        other = Kind.REQUEST if kind is Kind.INCIDENT else Kind.INCIDENT
        said = [f"'{markers[0]}'"] if markers and kind is Kind.INCIDENT else []
        telling = _telling(learned.kind.evidence(found, kind.value, other.value))
        if telling and (learned.taught.total or not said):
            said.append("words like " + ", ".join(f"'{word}'" for word in telling) + f" ({learned.taught})")
        reasons["kind"] = f"{kind.value}: " + (", ".join(said) if said else "nothing says something is broken")
        return kind

    def _category(self, learned: _Learned, sample: str, found: frozenset[str], reasons: dict[str, str]) -> str:
        best, hits = "", 0
        for name, phrases in self.rules.admin_categories.items():
            matched = matches(sample, phrases)
            if len(matched) > hits:
                best, hits = name, len(matched)
                reason = f"category {name}: '{matched[0]}' (rule in the config)"
        if hits:
            reasons["category"] = reason
            return best
        labels = [name for name in learned.categories if learned.category.examples[name] > 0]
        if not labels or not learned.category.known(found):
            return self.classification.default_category
        scores = learned.category.scores(found, labels)
        ranked = sorted(labels, key=lambda name: -scores[name])
        best = ranked[0]
        if len(ranked) > 1 and scores[best] - scores[ranked[1]] < 1e-9:
            return self.classification.default_category
        runner_up = ranked[1] if len(ranked) > 1 else best
        telling = _telling(learned.category.evidence(found, best, runner_up))
        if best != self.classification.default_category and telling:
            words = ", ".join(f"'{word}'" for word in telling)
            reasons["category"] = f"category {best}: words like {words} ({learned.taught})"
        return best

    def _level(self, learned: _Learned, name: str, kind: Kind, sample: str, found: frozenset[str], default: int,
               reasons: dict[str, str]) -> int:
        marked = level(sample, getattr(self.rules, name))
        if marked is not None and marked[0] <= default:
            reasons[name] = f"{name} {marked[0]}: '{marked[1]}'"
            return marked[0]
        head = learned.level_head(kind.value, name)
        labels = head.labels()
        if sum(head.examples.values()) < MIN_LEVEL_EXAMPLES or len(labels) < 2 or not head.known(found):
            return default
        scores = head.scores(found, labels)
        best = max(labels, key=lambda label: scores[label])
        if int(best) != default:
            runner_up = max((label for label in labels if label != best), key=lambda label: scores[label])
            telling = _telling(head.evidence(found, best, runner_up))
            words = ", ".join(f"'{word}'" for word in telling)
            reasons[name] = f"{name} {best}: words like {words} ({learned.taught})"
        return int(best)


def _telling(evidence: list[tuple[float, str]]) -> list[str]:
    """The strongest few features as people read them, without repeating a word a pair already shows."""
    chosen: list[str] = []
    for _, feature in evidence:
        words = set(untitled(feature).split("_"))
        if any(words <= set(untitled(other).split("_")) or set(untitled(other).split("_")) <= words
               for other in chosen):
            continue
        chosen.append(feature)
        if len(chosen) == REASON_WORDS:
            break
    return [shown(feature) for feature in chosen]


def service_of(category: str, rules: Classification) -> str:
    return next((c.service for c in rules.phrases.categories if c.name == category and c.service), "")
