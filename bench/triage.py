"""How well spoc tells incidents from requests and picks the category, beside a keyword baseline.

Tickets come from a CSV in the format of ../shared/data/tickets/endava-dev.csv: `title` and `body` are the
report (title as its first line), `ticket_type` is 0 for an incident and 1 for a request, `category` its
category (any label; spoc is configured with the file's categories and no phrases for them, so the model
must learn them).

spoc runs as the desk runs it: the built-in phrase lists and examples, a SQLite database holding the learned
examples (written as `spoc triage import` writes them), and `Triage.understand()` as intake calls it.

    python bench/triage.py --tickets PATH                    # no learning: score every ticket
    python bench/triage.py --tickets PATH --learn OTHER      # learn every ticket of OTHER, score PATH
    python bench/triage.py --tickets PATH --learn-first N    # learn the first N of PATH, score the rest
    python bench/triage.py --tickets PATH --learn-first N --folds 5
                                                             # cross-validation: five rotations of PATH
                                                             # (each starting a fifth further), learn the
                                                             # first N of each, score its rest; the mean

Printed for spoc and, in the same run, for two baselines: a two-minute keyword rule (incident when the
text holds one of a handful of trouble words, else request; its category: the most frequent learned one)
and the phrase count spoc used before it had a model (more built-in incident than request phrases, or
none: incident). Figures: incident recall, request recall, balanced accuracy (their mean), category
accuracy. Left out: impact and urgency (the file's codes have no published meaning). The last line is one
JSON object with every figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.migrations import upgrade  # noqa: E402
from core.settings import CategoryRule, Classification  # noqa: E402
from core.storage.database import Database  # noqa: E402
from core.triage import Triage, import_examples  # noqa: E402
from core.triage.rules import matches  # noqa: E402
from core.triage.store import Labels  # noqa: E402
from core.triage.text import normalise  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tickets"
KEYWORDS = ("error", "issue", "problem", "not working", "fail", "unable", "cannot", "can't", "broken", "down",
            "crash")
INCIDENT, REQUEST = "incident", "request"


@dataclass(frozen=True)
class Ticket:
    text: str
    kind: str
    category: str


Guess = tuple[str, str]  # kind, category


def read_tickets(path: Path) -> list[Ticket]:
    if not path.is_file():
        sys.exit(f"{path} not found: pass --tickets PATH (e.g. {DATA / 'endava-dev.csv'})")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "body", "ticket_type"} - set(reader.fieldnames or ())
        if missing:
            sys.exit(f"{path}: no column {', '.join(sorted(missing))} (the format of endava-dev.csv)")
        return [Ticket(text=f"{row['title']}\n{row['body']}".strip(),
                       kind=INCIDENT if row["ticket_type"].strip() == "0" else REQUEST,
                       category=f"c{row.get('category', '').strip()}") for row in reader]


def figures(tickets: Sequence[Ticket], guesses: Sequence[Guess]) -> dict[str, float]:
    def recall(kind: str) -> float:
        wanted = [guess[0] == kind for ticket, guess in zip(tickets, guesses, strict=True) if ticket.kind == kind]
        return sum(wanted) / len(wanted) if wanted else float("nan")

    incident, request = recall(INCIDENT), recall(REQUEST)
    category = sum(t.category == g[1] for t, g in zip(tickets, guesses, strict=True)) / max(1, len(tickets))
    return {"incident_recall": round(incident, 4), "request_recall": round(request, 4),
            "balanced_accuracy": round((incident + request) / 2, 4), "category_accuracy": round(category, 4),
            "n": len(tickets)}


def keyword_rule(learned: Sequence[Ticket]) -> Callable[[str], Guess]:
    common = Counter(t.category for t in learned).most_common(1)
    category = common[0][0] if common else ""

    def guess(text: str) -> Guess:
        lowered = text.lower()
        return (INCIDENT if any(word in lowered for word in KEYWORDS) else REQUEST), category

    return guess


def phrase_count(classification: Classification) -> Callable[[str], Guess]:
    rules = classification.phrases

    def guess(text: str) -> Guess:
        sample = normalise(text)
        incident, request = matches(sample, rules.incident_markers), matches(sample, rules.request_hints)
        return (REQUEST if len(request) > len(incident) else INCIDENT), classification.default_category

    return guess


def spoc(classification: Classification, learned: Sequence[Ticket], folder: Path) -> Callable[[str], Guess]:
    url = f"sqlite:///{folder}/triage-{time.monotonic_ns()}.db"
    upgrade(url)
    db = Database(url)
    db.run(lambda session: import_examples(session, [
        (t.text, Labels(kind=t.kind, category=t.category, impact=3, urgency=3)) for t in learned]))
    triage = Triage(classification)

    def guess(text: str) -> Guess:
        with db.deferred_sessions() as session:
            understood = triage.understand(session, text)
        return understood.kind.value, understood.category

    return guess


def one_run(tickets: Sequence[Ticket], learned: Sequence[Ticket], *, categories: list[str],
            folder: Path) -> dict[str, Any]:
    classification = Classification(categories=tuple(CategoryRule(name=name) for name in categories))
    run: dict[str, Any] = {"learned": len(learned), "scored": len(tickets)}
    for name, make in (("spoc", lambda: spoc(classification, learned, folder)),
                       ("keyword_rule", lambda: keyword_rule(learned)),
                       ("phrase_count", lambda: phrase_count(classification))):
        started = time.perf_counter()
        guess = make()
        ready = time.perf_counter()
        guesses = [guess(t.text) for t in tickets]
        run[name] = figures(tickets, guesses)
        if name == "spoc":
            run["spoc_learn_seconds"] = round(ready - started, 2)
            run["spoc_ms_per_ticket"] = round((time.perf_counter() - ready) * 1000 / max(1, len(tickets)), 3)
    return run


def mean_of(runs: Sequence[dict[str, Any]], system: str) -> dict[str, float]:
    keys = ("incident_recall", "request_recall", "balanced_accuracy", "category_accuracy")
    mean = {key: round(statistics.fmean(run[system][key] for run in runs), 4) for key in keys}
    mean["balanced_accuracy_min"] = min(run[system]["balanced_accuracy"] for run in runs)
    return mean


def line(name: str, f: dict[str, float]) -> str:
    return (f"{name:<34} incident recall {f['incident_recall']:.3f}  request recall {f['request_recall']:.3f}  "
            f"balanced accuracy {f['balanced_accuracy']:.3f}  category accuracy {f['category_accuracy']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=Path, required=True, help="CSV of tickets to score")
    parser.add_argument("--learn", type=Path, help="CSV of tickets to learn first (all of them)")
    parser.add_argument("--learn-first", type=int, default=0, metavar="N",
                        help="learn the first N tickets of --tickets, score the rest")
    parser.add_argument("--folds", type=int, default=1, metavar="K",
                        help="with --learn-first: K rotations of the file, each scored apart; the mean")
    args = parser.parse_args()
    if args.learn and args.learn_first:
        parser.error("give --learn PATH or --learn-first N, not both")
    if args.folds < 1 or (args.folds > 1 and not args.learn_first):
        parser.error("--folds K needs --learn-first N and K >= 1")
    tickets = read_tickets(args.tickets)
    if args.learn_first >= len(tickets):
        parser.error(f"--learn-first {args.learn_first}: the file has only {len(tickets)} tickets")
    extra = read_tickets(args.learn) if args.learn else []
    categories = sorted({t.category for t in tickets} | {t.category for t in extra})
    runs: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for fold in range(args.folds):
            offset = fold * len(tickets) // args.folds
            order = tickets[offset:] + tickets[:offset]
            learned = extra or order[: args.learn_first]
            scored = order[args.learn_first:]
            run = one_run(scored, learned, categories=categories, folder=Path(folder))
            runs.append(run)
            title = f"fold {fold + 1}/{args.folds}: " if args.folds > 1 else ""
            print(f"{title}learned {run['learned']}, scored {run['scored']} "
                  f"(spoc learned in {run['spoc_learn_seconds']} s, {run['spoc_ms_per_ticket']} ms a ticket)")
            for name in ("spoc", "keyword_rule", "phrase_count"):
                print("  " + line(name, run[name]))
    result: dict[str, Any] = {"benchmark": "triage", "tickets": str(args.tickets), "learn": str(args.learn or ""),
                              "learn_first": args.learn_first, "folds": args.folds,
                              "seconds": round(time.perf_counter() - started, 1)}
    for name in ("spoc", "keyword_rule", "phrase_count"):
        result[name] = mean_of(runs, name)
    if args.folds > 1:
        print(f"mean of {args.folds} folds:")
        for name in ("spoc", "keyword_rule", "phrase_count"):
            lowest = result[name]["balanced_accuracy_min"]
            print("  " + line(name, result[name]) + f"  (lowest balanced accuracy {lowest:.3f})")
    result["runs"] = runs
    print(json.dumps(result))


if __name__ == "__main__":
    main()
