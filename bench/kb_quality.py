"""How often spoc's knowledge base puts the right article first, on StackFAQ, beside two baselines.

Each FAQ becomes an article (title = question, body = its answers); each query names its right FAQ.
Printed: top-1, top-3 and MRR@10 for spoc (through `KnowledgeService` on a temporary SQLite file),
for rapidfuzz token_set_ratio over titles, and for plain BM25 (bm25s) over title + body; then how
well the confidence is calibrated. The last line is one JSON object with every figure.

With `--chat`, the starter knowledge base (kb/articles) is measured on realistic chat messages
(bench/chat_messages.yaml, or `--chat PATH`): top-1 and top-3 of the ranking on messages an article
answers, what `suggest()` shows first (right, wrong, nothing), and how often it shows anything at all
for messages none of the articles answers. Every ranking is also checked for rank and confidence
agreeing (confidence never rises down the list).

With `--learn` (no file), the queries are split in two halves by query id ((id // 2) % 2, since the
dev queries all have even ids): spoc learns one half as "this solved it" answers and is measured on
the other half, then the other way round. With `--learn PATH`, every query in PATH is learned first.

    python bench/kb_quality.py [--faqs PATH] [--queries PATH] [--learn [PATH]] [--semantic] [--chat [PATH]]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from core.storage.base import Base  # noqa: E402
from kb.article import Article  # noqa: E402
from kb.service import KnowledgeService  # noqa: E402
from kb.tables import KB_TABLES  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "stackfaq"
CHAT = ROOT / "bench" / "chat_messages.yaml"
Query = dict[str, Any]
Key = TypeVar("Key", int, str)
Ranker = Callable[[str], list[int]]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        sys.exit(f"{path} not found: pass --faqs/--queries, or put StackFAQ under {DATA}")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def slug_of(faq_id: int) -> str:
    return f"faq-{faq_id}"


def evaluate(rank: Ranker, queries: Sequence[Query]) -> dict[str, float]:
    top1 = top3 = reciprocal = 0.0
    for query in queries:
        found = rank(query["text"])[:10]
        if found[:1] == [query["faq_id"]]:
            top1 += 1
        if query["faq_id"] in found[:3]:
            top3 += 1
        if query["faq_id"] in found:
            reciprocal += 1 / (found.index(query["faq_id"]) + 1)
    n = max(1, len(queries))
    return {
        "top1": round(top1 / n, 4),
        "top3": round(top3 / n, 4),
        "mrr10": round(reciprocal / n, 4),
        "n": len(queries),
    }


def build_service(faqs: Sequence[dict[str, Any]], *, folder: Path, semantic: bool) -> KnowledgeService:
    engine = create_engine(f"sqlite:///{folder}/kb.db")
    Base.metadata.drop_all(engine, tables=list(KB_TABLES))
    Base.metadata.create_all(engine, tables=list(KB_TABLES))
    service = KnowledgeService(sessionmaker(engine, expire_on_commit=False), semantic=semantic)
    service.store.upsert_many(
        [
            Article(slug=slug_of(faq["faq_id"]), title=faq["question"], body="\n\n".join(faq["answers"]))
            for faq in faqs
        ]
    )
    return service


def spoc_ranker(service: KnowledgeService) -> Ranker:
    def rank(text: str) -> list[int]:
        return [int(item.slug.removeprefix("faq-")) for item in service.rank(text, limit=10)]

    return rank


def fuzzy_ranker(titles: dict[Key, str]) -> Callable[[str], list[Key]]:
    """rapidfuzz as its authors use it for matching what people type: lower-cased and stripped of
    punctuation by `utils.default_process` (since rapidfuzz 3 no processor means none)."""
    from rapidfuzz import fuzz, process, utils

    def rank(text: str) -> list[Key]:
        found = process.extract(text, titles, scorer=fuzz.token_set_ratio, processor=utils.default_process,
                                limit=10)
        return [key for _, _, key in found]

    return rank


def bm25_ranker(documents: dict[Key, str]) -> Callable[[str], list[Key]]:
    import bm25s

    ids = list(documents)
    corpus = list(documents.values())
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)

    def rank(text: str) -> list[int]:
        tokens = bm25s.tokenize([text], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        docs, _ = retriever.retrieve(tokens, k=10, show_progress=False)
        return [ids[int(i)] for i in docs[0]]

    return rank


def calibration(service: KnowledgeService, queries: Sequence[Query]) -> dict[str, Any]:
    """Bucketed confidence of the first result against how often it was right; suggest() at the threshold."""
    buckets: dict[str, list[int]] = {}
    shown = shown_right = 0
    for query in queries:
        found = service.rank(query["text"], limit=1)
        if not found:
            continue
        right = int(found[0].slug == slug_of(query["faq_id"]))
        low = min(0.9, int(found[0].confidence * 10) / 10)
        buckets.setdefault(f"{low:.1f}-{low + 0.1:.1f}", []).append(right)
        if found[0].confidence >= service.threshold:
            shown += 1
            shown_right += right
    table = {
        name: {"n": len(hits), "right": round(sum(hits) / len(hits), 3)}
        for name, hits in sorted(buckets.items())
    }
    answered = sum(len(hits) for hits in buckets.values())
    # Expected calibration error: the gap between confidence and accuracy, averaged over the buckets.
    ece = sum(
        len(hits) * abs(sum(hits) / len(hits) - (float(name.split("-")[0]) + 0.05))
        for name, hits in buckets.items()
    ) / max(1, answered)
    return {
        "ece": round(ece, 4),
        "threshold": service.threshold,
        "suggested_share": round(shown / max(1, len(queries)), 4),
        "suggested_precision": round(shown_right / max(1, shown), 4),
        "by_confidence": table,
    }


def learn(service: KnowledgeService, queries: Sequence[Query]) -> None:
    for query in queries:
        service.record(slug=slug_of(query["faq_id"]), kind="solved", text=query["text"])


def line(name: str, figures: dict[str, float]) -> str:
    return (
        f"{name:<34} top-1 {figures['top1']:.3f}  top-3 {figures['top3']:.3f}  "
        f"MRR@10 {figures['mrr10']:.3f}  (n={figures['n']})"
    )


# -- realistic chat messages against the starter knowledge base ----------------------------------------


def read_chat(path: Path) -> list[dict[str, Any]]:
    import yaml

    messages = yaml.safe_load(path.read_text(encoding="utf-8"))
    for message in messages:
        expected = message.get("article")
        message["expected"] = [] if expected is None else [expected] if isinstance(expected, str) else expected
    return messages


def starter_service(folder: Path, *, semantic: bool) -> KnowledgeService:
    from kb.starter import starter_articles_dir

    engine = create_engine(f"sqlite:///{folder}/starter.db")
    Base.metadata.create_all(engine, tables=list(KB_TABLES))
    service = KnowledgeService(sessionmaker(engine, expire_on_commit=False), semantic=semantic)
    service.import_dir(starter_articles_dir())
    return service


def evaluate_chat(service: KnowledgeService, messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ranking on answerable messages; what suggest() shows on all; rank and confidence agreeing."""
    answered = [m for m in messages if m["expected"]]
    uncovered = [m for m in messages if not m["expected"]]
    top1 = top3 = first_right = first_wrong = nothing = 0
    disagreements = 0
    misses: list[str] = []
    for message in messages:
        ranked = service.rank(message["text"], limit=10)
        confidences = [item.confidence for item in ranked]
        disagreements += any(later > earlier for earlier, later in zip(confidences, confidences[1:], strict=False))
    for message in answered:
        ranked = [item.slug for item in service.rank(message["text"], limit=3)]
        shown = [item.slug for item in service.suggest(message["text"])]
        top1 += ranked[:1] != [] and ranked[0] in message["expected"]
        top3 += any(slug in message["expected"] for slug in ranked)
        if not shown:
            nothing += 1
        elif shown[0] in message["expected"]:
            first_right += 1
        else:
            first_wrong += 1
        if not ranked or ranked[0] not in message["expected"]:
            misses.append(f"{message['text']!r}: {ranked[:1]} (want {message['expected']})")
    confident = [m for m in uncovered if service.suggest(m["text"])]
    n = max(1, len(answered))
    return {
        "answered": len(answered),
        "uncovered": len(uncovered),
        "top1": round(top1 / n, 4),
        "top3": round(top3 / n, 4),
        "suggested_first_right": round(first_right / n, 4),
        "suggested_first_wrong": round(first_wrong / n, 4),
        "suggested_nothing": round(nothing / n, 4),
        "uncovered_with_suggestion": round(len(confident) / max(1, len(uncovered)), 4),
        "rank_confidence_disagreements": disagreements,
        "misses": misses,
        "uncovered_suggested": [m["text"] for m in confident],
    }


def chat_baselines(messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from kb.parser import load_dir
    from kb.starter import starter_articles_dir

    articles = load_dir(starter_articles_dir()).items
    answered = [m for m in messages if m["expected"]]
    rankers = {
        "rapidfuzz_token_set_titles": fuzzy_ranker({a.slug: a.title for a in articles}),
        "bm25s_title_body": bm25_ranker({a.slug: f"{a.title}\n{a.body}" for a in articles}),
    }
    return {
        name: round(sum(rank(m["text"])[:1] != [] and rank(m["text"])[0] in m["expected"] for m in answered)
                    / max(1, len(answered)), 4)
        for name, rank in rankers.items()
    }


def run_chat(path: Path, *, semantic: bool) -> dict[str, Any]:
    messages = read_chat(path)
    with tempfile.TemporaryDirectory() as folder:
        service = starter_service(Path(folder), semantic=semantic)
        figures = evaluate_chat(service, messages)
    figures["threshold"] = service.threshold
    figures["baselines_top1"] = chat_baselines(messages)
    print(f"chat messages: {figures['answered']} an article answers, {figures['uncovered']} none does "
          f"(threshold {service.threshold})")
    print(f"spoc ranking     top-1 {figures['top1']:.3f}  top-3 {figures['top3']:.3f}   (target top-1 >= 0.90)")
    for name, value in figures["baselines_top1"].items():
        print(f"{name:<16} top-1 {value:.3f}")
    print(f"suggest() first shown: right {figures['suggested_first_right']:.1%}, "
          f"wrong {figures['suggested_first_wrong']:.1%}, nothing shown {figures['suggested_nothing']:.1%}")
    print(f"uncovered messages with a suggestion: {figures['uncovered_with_suggestion']:.1%} (target <= 10%)")
    print(f"rankings whose confidence rises down the list: {figures['rank_confidence_disagreements']}")
    for miss in figures["misses"]:
        print(f"  miss: {miss}")
    for text in figures["uncovered_suggested"]:
        print(f"  suggested though uncovered: {text!r}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--faqs", type=Path, default=DATA / "faqs.jsonl")
    parser.add_argument("--queries", type=Path, default=DATA / "queries-dev.jsonl")
    parser.add_argument(
        "--learn",
        nargs="?",
        const="split",
        default=None,
        metavar="PATH",
        help="learn PATH's queries first; with no PATH, learn one half, measure the other",
    )
    parser.add_argument("--semantic", action="store_true", help="re-rank with the optional semantic model")
    parser.add_argument("--chat", nargs="?", const=CHAT, default=None, type=Path, metavar="PATH",
                        help="measure chat messages against the starter knowledge base instead")
    args = parser.parse_args()
    if args.chat is not None:
        chat = run_chat(args.chat, semantic=args.semantic)
        print(json.dumps({"benchmark": "kb_quality_chat", "messages": str(args.chat), "semantic": args.semantic,
                          **chat}))
        return
    faqs, queries = read_jsonl(args.faqs), read_jsonl(args.queries)
    figures: dict[str, Any] = {
        "benchmark": "kb_quality",
        "faqs": len(faqs),
        "queries": len(queries),
        "semantic": args.semantic,
    }
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        service = build_service(faqs, folder=Path(folder), semantic=args.semantic)
        figures["spoc"] = evaluate(spoc_ranker(service), queries)
        figures["spoc_seconds"] = round(time.perf_counter() - started, 2)
        print(line("spoc" + (" + semantic" if args.semantic else ""), figures["spoc"]))
        titles = {faq["faq_id"]: faq["question"] for faq in faqs}
        documents = {faq["faq_id"]: faq["question"] + "\n" + "\n".join(faq["answers"]) for faq in faqs}
        figures["rapidfuzz_token_set_titles"] = evaluate(fuzzy_ranker(titles), queries)
        print(line("rapidfuzz token_set_ratio, titles", figures["rapidfuzz_token_set_titles"]))
        figures["bm25s_title_body"] = evaluate(bm25_ranker(documents), queries)
        print(line("bm25s, title + body", figures["bm25s_title_body"]))
        figures["calibration"] = calibration(service, queries)
        print(
            f"confidence >= {service.threshold}: "
            f"suggested for {figures['calibration']['suggested_share']:.1%} "
            f"of queries, right {figures['calibration']['suggested_precision']:.1%} of those"
        )
        print(
            f"expected calibration error {figures['calibration']['ece']:.3f} (0 = confidence is the hit rate)"
        )
        for bucket, cell in figures["calibration"]["by_confidence"].items():
            print(f"  confidence {bucket}: {cell['n']:>4} queries, first result right {cell['right']:.1%}")
        if args.learn == "split":
            halves = (
                [q for q in queries if (q["query_id"] // 2) % 2 == 0],
                [q for q in queries if (q["query_id"] // 2) % 2 == 1],
            )
            for name, (taught, measured) in (("A->B", halves), ("B->A", halves[::-1])):
                fresh = build_service(faqs, folder=Path(folder), semantic=args.semantic)
                before = evaluate(spoc_ranker(fresh), measured)
                learn(fresh, taught)
                after = evaluate(spoc_ranker(fresh), measured)
                figures[f"learn_{name}"] = {"learned": len(taught), "before": before, "after": after}
                print(line(f"learn half {name[0]}, measure {name[-1]}: before", before))
                print(line(f"learn half {name[0]}, measure {name[-1]}: after", after))
            figures["learn_top1_mean"] = round(
                (figures["learn_A->B"]["after"]["top1"] + figures["learn_B->A"]["after"]["top1"]) / 2, 4
            )
            print(f"learning: mean top-1 on the unseen half {figures['learn_top1_mean']:.3f}")
        elif args.learn:
            taught = read_jsonl(Path(args.learn))
            fresh = build_service(faqs, folder=Path(folder), semantic=args.semantic)
            learn(fresh, taught)
            figures["learned"] = {
                "from": args.learn,
                "count": len(taught),
                "after": evaluate(spoc_ranker(fresh), queries),
            }
            print(line(f"after learning {len(taught)} phrasings", figures["learned"]["after"]))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
