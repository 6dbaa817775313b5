"""Where an answer's CPU time goes (not a test): `Service.ask` in-process over PolNeAR
"who said it?" questions, after the warm-up, with the CPU time of each stage.

    PYTHONPATH=. .venv/bin/python bench/ask_cpu.py INDEX_DIR ../shared/data/polnear \\
        --questions 30

INDEX_DIR is an index of PolNeAR dev (`accordingto index ../shared/data/polnear/dev/text
--index-dir INDEX_DIR`). CPU time (`time.process_time`) is less inflated than wall time
when other work shares the cores. Stages overlap: the encoder and spaCy rows count every
caller, retrieval is inside "prepare", the conflict finder inside generation.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app.service
from app.conflicts import ConflictFinder
from app.retrieve import Retriever
from app.service import Service
from app.settings import Settings
from eval.polnear import load_split
from eval.polnear_questions import sample_questions
from indexer.embed import Embedder
from indexer.split import load_pipeline

SPENT: Counter[str] = Counter()


def timed(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            SPENT[name] += time.process_time() - start

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("polnear", type=Path)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    docs = load_split(args.polnear, "dev")
    asked = [q.question for q in sample_questions(docs, "dev", args.questions, args.seed)]
    service = Service(Settings(index_dir=args.index_dir))
    service.warm()
    nlp = load_pipeline()
    for cls, attr, name in (
        (Embedder, "embed", "encoder (every caller)"),
        (type(nlp), "__call__", "spaCy parse (every caller)"),
        (Service, "prepare", "prepare (retrieval, stored vectors and parses)"),
        (Retriever, "passages", "  retrieval (question embedding, search, fusion)"),
        (ConflictFinder, "conflicts", "conflict finder"),
    ):
        setattr(cls, attr, timed(name, getattr(cls, attr)))
    app.service.verify_answer = timed("verification", app.service.verify_answer)  # type: ignore[attr-defined]
    cpu = []
    for question in asked:
        start = time.process_time()
        service.ask(question)
        cpu.append(time.process_time() - start)
    n = len(asked)
    print(
        f"{n} questions: CPU per answer mean {1000 * statistics.mean(cpu):.1f} ms, "
        f"median {1000 * statistics.median(cpu):.1f} ms"
    )
    for name, spent in SPENT.most_common():
        print(f"  {name:50s} {1000 * spent / n:6.1f} ms")


if __name__ == "__main__":
    main()
