"""Triage: rules where an admin wrote them, and a model that learns from agents' corrections."""

from core.triage.exchange import TaughtStats, export_examples, import_examples, statistics
from core.triage.learning import learn_closed, learn_correction
from core.triage.rules import TITLE_LIMIT, title_from
from core.triage.triage import Taught, Triage, Understanding, service_of

__all__ = [
    "TITLE_LIMIT", "Taught", "TaughtStats", "Triage", "Understanding", "export_examples", "import_examples",
    "learn_closed", "learn_correction", "service_of", "statistics", "title_from",
]
