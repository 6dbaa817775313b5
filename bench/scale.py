"""Scale benchmark (not a test): a synthetic index of N chunks, searched and then grown.

    PYTHONPATH=. .venv/bin/python bench/scale.py --chunks 100000 --out results/scale_100k.json

Builds a real index directory (SQLite store, FAISS vectors, BM25) of N chunks: random
unit vectors with a planted set (each probe query has ten near copies hidden among them)
and chunk texts made of PolNeAR sentences, so that BM25 sees real word statistics. Then,
in a fresh process (so the builder's memory does not count), it opens the index and
reports load time, vector search p50/p95 with recall@10 against the exact flat scan,
BM25 scoring and top-k p50, and the RSS. Last, it adds --add-articles short articles
(PolNeAR sentences) through the real pipeline (spaCy, claims, the embedding model) and
reports where the time went, split into the work on those articles and the index writes;
then it rebuilds the BM25 index whole, to time it and to check that the grown index ranks
every benchmark query's top 10 as that rebuild does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import indexer.build as build
from indexer.index import STORE, Index, Manifest, new_staging_dir, publish
from indexer.lexical import LexicalIndex, _tokens, top_k, write_lexical
from indexer.models import Article
from indexer.store import Store
from indexer.vectors import ChunkRows
from indexer.vectors.faiss import FaissVectors

DIM = 384
CHUNKS_PER_ARTICLE = 10
NPROBE_SWEEP = (4, 8, 12, 16, 32)  # probes tried on the same index, for the trade-off
PLANTED = 10  # near copies of each probe query: its true top 10
DEFAULT_POLNEAR = Path(
    os.environ.get("POLNEAR_DIR", Path(__file__).parents[2] / "shared/data/polnear")
)


def _sentences(polnear: Path) -> list[str]:
    texts = sorted(polnear.glob("*/text/*.txt"))
    if not texts:
        sys.exit(f"No PolNeAR texts under {polnear}/*/text: pass --polnear PATH")
    out: list[str] = []
    for path in texts:
        for line in path.read_text(encoding="utf-8").splitlines():
            out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if len(s.strip()) > 30]
    return out


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _percentiles(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 3),
    }


def build_index(
    index_dir: Path, n: int, queries: int, sentences: list[str], seed: int
) -> dict[str, Any]:
    """Write a complete index version of `n` synthetic chunks; the probe set beside it."""
    rng = np.random.default_rng(seed)
    probes = _unit(rng, queries)
    planted_at = rng.choice(n, queries * PLANTED, replace=False)
    noise = 0.3 * rng.standard_normal((queries * PLANTED, DIM), dtype=np.float32) / np.sqrt(DIM)
    planted = np.repeat(probes, PLANTED, axis=0) + noise
    planted /= np.linalg.norm(planted, axis=1, keepdims=True)
    where = dict(zip(planted_at.tolist(), range(len(planted_at)), strict=True))

    t0 = time.perf_counter()
    staging = new_staging_dir(index_dir)
    store = Store(staging / STORE)
    vectors = FaissVectors.empty(DIM)
    batch = 50_000
    with store.db:
        for start in range(0, n, batch):
            count = min(batch, n - start)
            vecs = _unit(rng, count)
            for j in range(count):
                if start + j in where:
                    vecs[j] = planted[where[start + j]]
            ids = np.arange(start + 1, start + count + 1, dtype=np.int64)
            chunk_texts = [
                " ".join(sentences[k] for k in rng.integers(0, len(sentences), 3))
                for _ in range(count)
            ]
            articles, rows = [], []
            for a in range(0, count, CHUNKS_PER_ARTICLE):
                aid = f"syn{(start + a) // CHUNKS_PER_ARTICLE:07d}"
                parts = chunk_texts[a : a + CHUNKS_PER_ARTICLE]
                text, pos = "", 0
                for i, part in enumerate(parts):
                    rows.append(
                        (int(ids[a + i]), aid, i, pos, pos + len(part), 0, 0, vecs[a + i].tobytes())
                    )
                    text += part + " "
                    pos += len(part) + 1
                articles.append((aid, aid, "Synthetic", "2024-01-01", None, text, aid, "{}", aid))
            store.db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", articles
            )
            store.db.executemany(
                "INSERT INTO chunks (id, article_id, idx, start, end, first_sentence,"
                " last_sentence, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            vectors.add(ChunkRows(ids, vecs, [""] * count, [None] * count, [None] * count))
    t_store = time.perf_counter()
    # The ground truth: the exact flat scan the index holds until it is saved.
    truth, flat_times = [], []
    for q in probes:
        t = time.perf_counter()
        truth.append([i for i, _ in vectors.search(q, 10)])
        flat_times.append(time.perf_counter() - t)
    t_truth = time.perf_counter()
    params = vectors.save(staging)
    t_vectors = time.perf_counter()
    write_lexical(staging, store)
    build.write_span_parts(store, staging, [], None, DIM)  # chunks only: no sentences, no claims
    t_bm25 = time.perf_counter()
    Manifest(
        format_version=build.FORMAT_VERSION,
        embedding_model="all-MiniLM-L6-v2",
        embedding_dim=DIM,
        built_at=build._now(),
        counts=store.counts(),
        chunking={"max_chars": 600, "overlap": 1},
        spacy_model=build.SPACY_MODEL,
        vectors=params,
    ).write(staging)
    store.close()
    publish(index_dir, staging)
    np.save(index_dir / "probes.npy", probes)
    np.save(index_dir / "truth.npy", np.array(truth, dtype=np.int64))
    words = [w for s in sentences[:20000] for w in re.findall(r"[A-Za-z]{4,}", s)]
    bm25_queries = [" ".join(rng.choice(words, 4)) for _ in range(queries)]
    (index_dir / "bm25_queries.json").write_text(json.dumps(bm25_queries))
    return {
        "chunks": n,
        "vectors": params,
        "build_s": {
            "store": round(t_store - t0, 1),
            "vectors": round(t_vectors - t_truth, 1),
            "bm25": round(t_bm25 - t_vectors, 1),
        },
        "flat_scan": _percentiles(flat_times),
        "store_bytes": (index_dir / "current" / STORE).stat().st_size,
    }


def serve(index_dir: Path) -> dict[str, Any]:
    """In a fresh process: open the index and query it as the service does."""
    t = time.perf_counter()
    index = Index.open(index_dir)
    load_s = time.perf_counter() - t
    probes, truth = np.load(index_dir / "probes.npy"), np.load(index_dir / "truth.npy")

    def vector_search() -> dict[str, float]:
        times, found = [], 0
        for q, true_ids in zip(probes, truth, strict=True):
            t = time.perf_counter()
            hits = index.vectors.search(q, 10)
            times.append(time.perf_counter() - t)
            found += len({i for i, _ in hits} & set(true_ids.tolist()))
        return {**_percentiles(times), "recall_at_10": round(found / truth.size, 4)}

    searched = vector_search()  # with the probes the manifest records
    sweep = {}
    if isinstance(index.vectors._index, faiss.IndexIVF):  # type: ignore[attr-defined]
        ivf = index.vectors._index  # type: ignore[attr-defined]
        built = ivf.nprobe
        for nprobe in NPROBE_SWEEP:
            ivf.nprobe = nprobe
            sweep[nprobe] = vector_search()
        ivf.nprobe = built
    lexical = index.lexical
    score_t, topk_t, sort_t = [], [], []
    for q in json.loads((index_dir / "bm25_queries.json").read_text()):
        tokens = _tokens([q])[0]
        t = time.perf_counter()
        scores = lexical.scores(tokens)
        t1 = time.perf_counter()
        top_k(scores, 80)
        t2 = time.perf_counter()
        np.argsort(-scores, kind="stable")[:80]  # the full sort it replaced, for comparison
        t3 = time.perf_counter()
        score_t.append(t1 - t)
        topk_t.append(t2 - t1)
        sort_t.append(t3 - t2)
    status = Path("/proc/self/status").read_text()
    mem = {
        k: int(v.split()[0]) // 1024
        for k, v in re.findall(r"^(VmRSS|VmHWM|RssAnon|RssFile):\s+(.*)$", status, re.M)
    }
    return {
        "load_s": round(load_s, 3),
        "vector_search": searched,
        "vector_search_by_nprobe": sweep,
        "bm25_scores": _percentiles(score_t),
        "bm25_top_k_partial": _percentiles(topk_t),
        "bm25_top_k_full_sort": _percentiles(sort_t),
        "bm25_query_total": _percentiles([a + b for a, b in zip(score_t, topk_t, strict=True)]),
        "memory_mb": mem,
    }


def add_articles(index_dir: Path, count: int, sentences: list[str], seed: int) -> dict[str, Any]:
    """Add `count` short articles through the real pipeline; time each stage."""
    from indexer.embed import get_embedder

    rng = np.random.default_rng(seed + 1)
    articles = []
    for i in range(count):
        body = " ".join(sentences[k] for k in rng.integers(0, len(sentences), 4))
        articles.append(
            Article(
                id=f"new{i:05d}",
                title=f"Added {i}",
                text=f"Added {i}\n\n{body}",
                source=f"/new/{i}.txt",
            )
        )
    spent: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        def run(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t

        return run

    stages = ("_prepare", "_open_copy", "_write_search_indexes", "write_lexical")
    originals = {name: getattr(build, name) for name in stages}
    for name, fn in originals.items():
        setattr(build, name, timed(name, fn))
    embedder = get_embedder("all-MiniLM-L6-v2")
    t = time.perf_counter()
    try:
        report = build.update_index(index_dir, embedder, articles)
    finally:
        for name, fn in originals.items():
            setattr(build, name, fn)
    total = time.perf_counter() - t
    return {
        "articles": count,
        "chunks_after": report.counts["chunks"],
        "total_s": round(total, 1),
        "parse_and_embed_s": round(spent["_prepare"], 1),
        "store_copy_s": round(spent["_open_copy"], 1),
        "vectors_s": round(spent["_write_search_indexes"] - spent["write_lexical"], 1),
        "bm25_update_s": round(spent["write_lexical"], 1),
        "bm25_segments": len(Index.open(index_dir).lexical._segments),
    }


def compare_rebuild(index_dir: Path) -> dict[str, Any]:
    """The BM25 index rebuilt as one segment over every chunk: its time, and whether the
    grown index's top 10 equals it for every benchmark query."""
    index = Index.open(index_dir)
    with tempfile.TemporaryDirectory(prefix="scale-full-") as tmp:
        t = time.perf_counter()
        write_lexical(Path(tmp), index.store)
        rebuild_s = time.perf_counter() - t
        full = LexicalIndex.load(Path(tmp))
        queries = json.loads((index_dir / "bm25_queries.json").read_text())
        same = sum(index.lexical.search(q, 10) == full.search(q, 10) for q in queries)
    index.close()
    return {"bm25_full_rebuild_s": round(rebuild_s, 1), "same_top10": f"{same}/{len(queries)}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--add-articles", type=int, default=1000)
    parser.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve)))
        return
    sentences = _sentences(args.polnear)
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        index_dir = Path(tmp)
        result: dict[str, Any] = {
            "build": build_index(index_dir, args.chunks, args.queries, sentences, args.seed)
        }
        print(json.dumps(result), file=sys.stderr)
        child = subprocess.run(
            [sys.executable, __file__, "--serve", str(index_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        result["serve"] = json.loads(child.stdout.strip().splitlines()[-1])
        print(json.dumps(result["serve"]), file=sys.stderr)
        if args.add_articles:
            result["add"] = add_articles(index_dir, args.add_articles, sentences, args.seed)
            print(json.dumps(result["add"]), file=sys.stderr)
            result["add"] |= compare_rebuild(index_dir)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
