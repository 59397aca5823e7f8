"""How fast spoc's knowledge-base ranking is at 1k, 10k and 100k articles.

Articles are generated from the starter knowledge base (titles and bodies re-mixed, with product
names and words varied), queries from its `also_asked_as` phrasings (some with typos). Printed per
size: index build time, memory (growth of the process's resident memory while building, and the
postings arrays alone), ranking latency p50/p99 of the bare ranker, and the same for
rapidfuzz.process.extract over all titles (with `utils.default_process`, as its authors match what
people type).

Then the path intake takes: the articles stored in a SQLite file, and `KnowledgeService.suggest(text)`
called as intake calls it (threshold, `kb.max_suggestions`, the lock, and the check for other
processes' writes every 3 seconds); its p50/p99, the time to build its index from the database, and
the cost of one check for writes (`probe`). Left out: the ticket's own transaction around it
(bench/intake.py measures that). The last line is one JSON object with every figure.

    python bench/kb_speed.py [--sizes 1000,10000,100000] [--queries 300] [--no-service]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tempfile  # noqa: E402

from rapidfuzz import fuzz, process, utils  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from core.storage.base import Base  # noqa: E402
from kb.article import Article  # noqa: E402
from kb.parser import load_dir  # noqa: E402
from kb.ranking import ArticleDoc, Ranker  # noqa: E402
from kb.service import KnowledgeService  # noqa: E402
from kb.starter import starter_articles_dir  # noqa: E402
from kb.tables import KB_TABLES  # noqa: E402

PRODUCTS = [
    "Outlook",
    "Teams",
    "Zoom",
    "SAP",
    "Salesforce",
    "Jira",
    "Confluence",
    "Workday",
    "ServiceNow",
    "Okta",
    "GlobalProtect",
    "AnyConnect",
    "OneDrive",
    "SharePoint",
    "Excel",
    "Word",
    "Chrome",
    "Edge",
    "Firefox",
    "Citrix",
    "Dell",
    "Lenovo",
    "HP",
    "MacBook",
    "iPhone",
    "Android",
    "Windows",
    "macOS",
    "Ubuntu",
    "Slack",
]
PLACES = ["Berlin", "London", "Austin", "Lyon", "Madrid", "Oslo", "Tokyo", "Pune", "Dublin", "Toronto"]


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def make_typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long_words = [i for i, word in enumerate(words) if len(word) > 4]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    cut = rng.randrange(1, len(word) - 1)
    words[i] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def generate(count: int, *, seed: int = 7) -> tuple[list[ArticleDoc], list[str]]:
    rng = random.Random(seed)
    base = load_dir(starter_articles_dir()).items
    paragraphs = [p for article in base for p in article.body.split("\n\n") if len(p) > 40]
    vocabulary = sorted({w for article in base for w in article.body.split() if w.isalpha() and len(w) > 3})
    docs: list[ArticleDoc] = []
    for i in range(count):
        source = base[i % len(base)]
        product, place = rng.choice(PRODUCTS), rng.choice(PLACES)
        code = f"{product.lower()}{rng.randrange(1, count // 10 + 2)}"
        title = f"{source.title} ({product} {rng.choice(vocabulary)} {code})"
        mix = [p for p in source.body.split("\n\n") if len(p) > 40]
        chosen = rng.sample(mix, k=min(len(mix), rng.randint(2, 4))) + rng.sample(paragraphs, k=2)
        extra = " ".join(rng.choice(vocabulary) for _ in range(20))
        body = "\n\n".join([*chosen, f"Applies to {product} in {place}: {extra}."])
        asked = tuple(f"{phrase} {product}" for phrase in rng.sample(source.also_asked_as, k=2))
        docs.append(
            ArticleDoc(
                slug=f"{source.slug}-{i}",
                title=title,
                body=body,
                tags=(*source.tags, product.lower()),
                service=source.service,
                category=source.category,
                also_asked_as=asked,
            )
        )
    queries = [phrase for article in base for phrase in article.also_asked_as]
    queries += [make_typo(q, rng) for q in queries]
    queries += [f"{q} on {rng.choice(PRODUCTS)}" for q in queries[:60]]
    rng.shuffle(queries)
    return docs, queries


def measure(size: int, *, query_count: int, baseline_queries: int, service: bool) -> dict[str, float]:
    docs, queries = generate(size)
    queries = (queries * (query_count // len(queries) + 1))[:query_count]
    gc.collect()
    rss_before = rss_mb()
    started = time.perf_counter()
    ranker = Ranker()
    ranker.load(docs)
    build_seconds = time.perf_counter() - started
    gc.collect()
    index_mb = rss_mb() - rss_before
    ranker.rank("warm up the caches", limit=3)
    latencies: list[float] = []
    for query in queries:
        started = time.perf_counter()
        ranker.rank(query, limit=3)
        latencies.append((time.perf_counter() - started) * 1000)
    long_query = " ".join(queries) * 3
    started = time.perf_counter()
    ranker.rank(long_query[:40_000], limit=3)
    long_ms = (time.perf_counter() - started) * 1000
    titles = [doc.title for doc in docs]
    fuzzy: list[float] = []
    for query in queries[:baseline_queries]:
        started = time.perf_counter()
        process.extract(query, titles, scorer=fuzz.token_set_ratio, processor=utils.default_process, limit=3)
        fuzzy.append((time.perf_counter() - started) * 1000)
    row = {
        "articles": size,
        "build_s": round(build_seconds, 2),
        "index_rss_mb": round(index_mb, 1),
        "postings_mb": round((ranker.articles.memory_bytes() + ranker.phrasings.memory_bytes()) / 2**20, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        "query_40k_chars_ms": round(long_ms, 2),
        "rapidfuzz_p50_ms": round(statistics.median(fuzzy), 2),
        "rapidfuzz_p99_ms": round(percentile(fuzzy, 0.99), 2),
    }
    if service:
        del ranker
        gc.collect()
        row.update(measure_service(docs, queries))
    return row


def measure_service(docs: list[ArticleDoc], queries: list[str]) -> dict[str, float]:
    """`suggest()` as intake calls it, over the articles stored in a SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/kb.db")
        Base.metadata.create_all(engine, tables=list(KB_TABLES))
        service = KnowledgeService(sessionmaker(engine, expire_on_commit=False))
        service.store.upsert_many([
            Article(slug=d.slug, title=d.title, body=d.body, tags=d.tags, service=d.service, category=d.category,
                    also_asked_as=d.also_asked_as) for d in docs
        ])
        started = time.perf_counter()
        service.refresh()
        build_seconds = time.perf_counter() - started
        service.suggest("warm up the caches")
        latencies: list[float] = []
        shown = 0
        for query in queries:
            started = time.perf_counter()
            shown += bool(service.suggest(query))
            latencies.append((time.perf_counter() - started) * 1000)
        probes: list[float] = []
        for _ in range(50):
            started = time.perf_counter()
            service.refresh(force=True)
            probes.append((time.perf_counter() - started) * 1000)
        engine.dispose()
    return {
        "service_build_s": round(build_seconds, 2),
        "suggest_p50_ms": round(statistics.median(latencies), 2),
        "suggest_p99_ms": round(percentile(latencies, 0.99), 2),
        "suggest_shown_share": round(shown / max(1, len(queries)), 3),
        "probe_ms": round(statistics.median(probes), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated article counts")
    parser.add_argument("--queries", type=int, default=300, help="queries timed per size")
    parser.add_argument("--baseline-queries", type=int, default=60, help="queries timed for rapidfuzz")
    parser.add_argument("--no-service", action="store_true", help="time the bare ranker only")
    args = parser.parse_args()
    results = []
    header = (
        f"{'articles':>9} {'build s':>8} {'index MB':>9} {'postings MB':>12} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'40k-char ms':>12} {'rapidfuzz p50':>14} {'rapidfuzz p99':>14}"
    )
    print(header)
    for size in (int(part) for part in args.sizes.split(",")):
        row = measure(size, query_count=args.queries, baseline_queries=args.baseline_queries,
                      service=not args.no_service)
        results.append(row)
        print(
            f"{row['articles']:>9} {row['build_s']:>8} {row['index_rss_mb']:>9} {row['postings_mb']:>12} "
            f"{row['p50_ms']:>7} {row['p99_ms']:>7} {row['query_40k_chars_ms']:>12} "
            f"{row['rapidfuzz_p50_ms']:>14} {row['rapidfuzz_p99_ms']:>14}",
            flush=True,
        )
    if not args.no_service:
        print("\nKnowledgeService.suggest() as intake calls it (articles in a SQLite file)")
        print(f"{'articles':>9} {'build s':>8} {'suggest p50 ms':>15} {'suggest p99 ms':>15} {'shown':>6} "
              f"{'probe ms':>9}")
        for row in results:
            print(f"{row['articles']:>9} {row['service_build_s']:>8} {row['suggest_p50_ms']:>15} "
                  f"{row['suggest_p99_ms']:>15} {row['suggest_shown_share']:>6} {row['probe_ms']:>9}")
    print(json.dumps({"benchmark": "kb_speed", "results": results}))


if __name__ == "__main__":
    main()
