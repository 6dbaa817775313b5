"""Speed benchmark (not a test): indexing beside a bare encode loop, /ask latency over HTTP,
the retrieval floor, and throughput under concurrent clients, for one or more corpora.

    PYTHONPATH=. .venv/bin/python bench/bench.py samples ../shared/data/polnear/dev/text \\
        ../shared/data/polnear/train/text+../shared/data/polnear/dev/text [--without-tagger]

Each corpus (folders joined by "+") is indexed into a fresh temporary index by the real
pipeline (parse, split, claims with the learned tagger, embed chunks, sentences and claim
contents, write), and its chunk texts are then run through `SentenceTransformer.encode`
alone (the bare loop the pipeline is compared with). The index is served by `accordingto
serve` on 127.0.0.1 (a free port; no rate limit) and asked, over real HTTP, distinct
questions made from the articles: titles ("What was said about ...?") and claims ("Who
said that ...?"). Latency is one client asking one question at a time; the floor is the
question's embedding plus the FAISS search, in-process; throughput is `--clients`
clients asking as fast as answers come for `--duration` seconds. One table, a row per
corpus.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.settings import Settings
from eval.metrics import percentile
from indexer.build import BuildOptions, update_index
from indexer.embed import Embedder, get_embedder
from indexer.index import Index
from indexer.ingest import load_paths


@dataclass
class Row:
    corpus: str
    articles: int
    chunks: int
    index_s: float
    rules_s: float | None  # indexing with the rule-based extractor, not the tagger
    encode_s: float
    p50_ms: float
    p95_ms: float
    floor_ms: float
    answers_per_s: float
    errors: int
    asked: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def questions(index: Index, count: int, seed: int) -> list[str]:
    """Distinct questions about the indexed articles: their titles and their claims."""
    store = index.store
    _, articles = store.articles(limit=1_000_000)
    asked = [f"What was said about {a.title.rstrip('.?!')}?" for a in articles if a.title]
    for claim in store.claims(limit=1_000_000):
        words = claim.content.text.split()
        if claim.has_claimant and len(words) >= 5:
            asked.append(f"Who said that {' '.join(words[:12]).rstrip('.,;:')}?")
    unique = list(dict.fromkeys(q for q in asked if len(q) <= 300))
    random.Random(seed).shuffle(unique)
    return unique[:count]


def retrieval_floor_ms(index: Index, embedder: Embedder, asked: list[str]) -> float:
    """Median time of what any dense retriever must do: embed the question, search FAISS."""
    times = []
    for q in asked:
        t0 = time.perf_counter()
        index.vectors.search(embedder.embed([q])[0], 20)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


class Server:
    """`accordingto serve` on a free loopback port, its log kept in a file."""

    def __init__(self, index_dir: Path, log: Path) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.log = log
        env = {
            **os.environ,
            "ACCORDINGTO_INDEX_DIR": str(index_dir),
            "ACCORDINGTO_LOG_LEVEL": "WARNING",
            "ACCORDINGTO_RATE_LIMIT": "",  # the clients are the benchmark, not abuse
        }
        with open(log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from app.cli import main; main()", "serve",
                 "--port", self.url.rsplit(":", 1)[1]],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_ready(self, client: httpx.Client, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()[-2000:]}")
            try:
                if client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def latencies(client: httpx.Client, asked: list[str]) -> list[float]:
    out = []
    for q in asked:
        t0 = time.perf_counter()
        r = client.post("/ask", json={"question": q})
        out.append(time.perf_counter() - t0)
        r.raise_for_status()
    return out


async def throughput(url: str, asked: list[str], clients: int, duration: float) -> tuple[int, int]:
    """(answers, errors) from `clients` concurrent clients asking for `duration` seconds,
    each question taken in turn from `asked`."""
    answers = errors = 0
    turn = iter(range(1 << 62))
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        end = time.monotonic() + duration

        async def one() -> None:
            nonlocal answers, errors
            while time.monotonic() < end:
                q = asked[next(turn) % len(asked)]
                try:
                    r = await client.post("/ask", json={"question": q})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                answers += ok
                errors += not ok

        await asyncio.gather(*(one() for _ in range(clients)))
    return answers, errors


def bench(corpus: str, embedder: Embedder, args: argparse.Namespace, tmp: Path) -> Row:
    articles = load_paths([Path(p) for p in corpus.split("+")]).articles
    index_dir = tmp / f"index-{abs(hash(corpus))}"
    t0 = time.perf_counter()
    update_index(index_dir, embedder, articles, options=BuildOptions())
    index_s = time.perf_counter() - t0
    rules_s = None
    if args.without_tagger:
        t0 = time.perf_counter()
        options = BuildOptions(claim_extractor="rules", rebuild=True)
        update_index(tmp / f"rules-{index_dir.name}", embedder, articles, options=options)
        rules_s = time.perf_counter() - t0
    index = Index.open(index_dir)
    texts = [text for _, text in index.store.chunk_texts()]
    t0 = time.perf_counter()
    embedder._model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True)
    encode_s = time.perf_counter() - t0

    pool = questions(index, args.questions + args.pool, args.seed)
    timed, load = pool[: args.questions], pool[args.questions :] or pool
    floor = retrieval_floor_ms(index, embedder, timed)
    server = Server(index_dir, tmp / "server.log")
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            server.wait_ready(client)
            times = latencies(client, timed)
        answers, errors = asyncio.run(throughput(server.url, load, args.clients, args.duration))
    finally:
        server.stop()
    p95 = percentile(times, 95)
    assert p95 is not None  # `times` holds one latency per question
    return Row(
        corpus=corpus,
        articles=index.manifest.counts["articles"],
        chunks=len(texts),
        index_s=index_s,
        rules_s=rules_s,
        encode_s=encode_s,
        p50_ms=1000 * statistics.median(times),
        p95_ms=1000 * p95,
        floor_ms=floor,
        answers_per_s=answers / args.duration,
        errors=errors,
        asked=answers + errors,
    )


def table(rows: list[Row], args: argparse.Namespace) -> str:
    head = (
        "| corpus | articles | chunks | indexing chunks/s | bare encode chunks/s | ratio "
        "| ratio without the tagger "
        f"| /ask p50 ms | /ask p95 ms | floor ms | p50 ÷ floor | answers/s ({args.clients} "
        f"clients, {args.duration:g} s) | errors |"
    )
    lines = [head, "|" + " --- |" * head.count(" | ") + " --- |"]
    for r in rows:
        pipeline, bare = r.chunks / r.index_s, r.chunks / r.encode_s
        rules = "" if r.rules_s is None else f"{r.chunks / r.rules_s / bare:.2f}"
        lines.append(
            f"| {r.corpus} | {r.articles} | {r.chunks} | {pipeline:.1f} | {bare:.1f} "
            f"| {pipeline / bare:.2f} | {rules} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.floor_ms:.1f} "
            f"| {r.p50_ms / r.floor_ms:.1f} | {r.answers_per_s:.1f} | {r.errors} of {r.asked} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", help="article folders; join several with +")
    parser.add_argument("--questions", type=int, default=50, help="asked one at a time")
    parser.add_argument("--pool", type=int, default=1000, help="other questions for the load")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--without-tagger",
        action="store_true",
        help="index each corpus a second time with the rule-based claim extractor",
    )
    args = parser.parse_args()

    # The pipeline and the server run the encoder as the settings say
    # (ACCORDINGTO_ENCODER_BACKEND, which the server inherits); the bare loop is always
    # PyTorch's fp32 `SentenceTransformer.encode`.
    backend = Settings().encoder_backend
    print(f"encoder back-end: {backend}", flush=True)
    embedder = get_embedder("all-MiniLM-L6-v2", backend=backend)
    embedder.embed(["warm up"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in args.corpora:
            rows.append(bench(corpus, embedder, args, Path(tmp)))
            if len(args.corpora) > 1:
                print(table(rows[-1:], args), end="\n\n", flush=True)
    print(table(rows, args))


if __name__ == "__main__":
    main()
