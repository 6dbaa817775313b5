"""Speed benchmark (not a test): indexer throughput beside raw encode, and /ask latency.

    .venv/bin/python bench/bench.py ../shared/data/polnear/dev/text --questions 50

Indexes the folder into a fresh temporary index, once with the rule-based claim extractor
and once with the learned tagger (what the indexer ships), and reports chunks/s for the
whole pipeline (parse, split, claims, embed, write) beside SentenceTransformer.encode alone
on the same chunk texts, and what the tagger adds per article; then serves that index with uvicorn on 127.0.0.1 and times POST /ask
over real HTTP for questions made from the articles' titles.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from indexer.build import BuildOptions, update_index
from indexer.embed import get_embedder
from indexer.index import Index
from indexer.ingest import load_paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()

    articles = load_paths([args.folder]).articles
    embedder = get_embedder("all-MiniLM-L6-v2")
    embedder.embed(["warm up"])
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        update_index(
            Path(tmp) / "rules", embedder, articles, options=BuildOptions(claim_extractor="rules")
        )
        rules_s = time.perf_counter() - t0
        index_dir = Path(tmp) / "index"
        t0 = time.perf_counter()
        update_index(index_dir, embedder, articles, options=BuildOptions())
        index_s = time.perf_counter() - t0
        index = Index.open(index_dir)
        counts = index.manifest.counts
        texts = [text for _, text in index.store.chunk_texts()]
        t0 = time.perf_counter()
        embedder._model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True)
        encode_s = time.perf_counter() - t0

        print(
            f"corpus: {args.folder} ({counts['articles']} articles, {counts['sentences']} "
            f"sentences, {counts['chunks']} chunks, {counts['claims']} claims)"
        )
        print(
            f"indexer (parse, split, claims, embed, write): {index_s:.1f} s, "
            f"{counts['chunks'] / index_s:.1f} chunks/s, {counts['articles'] / index_s:.2f} articles/s"
        )
        print(
            f"the same with the rule-based extractor: {rules_s:.1f} s; the learned tagger "
            f"adds {1000 * (index_s - rules_s) / counts['articles']:.0f} ms per article"
        )
        print(
            f"SentenceTransformer.encode alone on the same chunks: {encode_s:.1f} s, "
            f"{counts['chunks'] / encode_s:.1f} chunks/s"
        )

        questions = [f"What was said about {a.title.rstrip('.?!')}?" for a in articles]
        questions = (questions * (1 + args.questions // max(1, len(questions))))[: args.questions]
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            env={**os.environ, "ACCORDINGTO_INDEX_DIR": str(index_dir), "ACCORDINGTO_LOG_LEVEL": "WARNING"},
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=url, timeout=60) as client:
                for _ in range(600):
                    try:
                        if client.get("/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.1)
                client.post("/ask", json={"question": "warm up"})
                latencies = []
                for q in questions:
                    t0 = time.perf_counter()
                    r = client.post("/ask", json={"question": q})
                    latencies.append(time.perf_counter() - t0)
                    r.raise_for_status()
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(
            f"/ask over HTTP, extractive, {len(latencies)} questions: "
            f"p50 {1000 * statistics.median(latencies):.0f} ms, "
            f"p95 {1000 * statistics.quantiles(latencies, n=20, method='inclusive')[18]:.0f} ms"
        )


if __name__ == "__main__":
    main()
