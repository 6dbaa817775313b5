"""Ray against the plain local path (not a test): where indexing time goes on each.

    PYTHONPATH=. .venv/bin/python bench/ray_index.py ../shared/data/polnear/dev/text --limit 40

Runs, in this order and in one process: the local path (read the files, then parse, tag
and embed them with `build._prepare`), then the same on a local Ray (start it, read on Ray,
prepare on Ray actors). Each stage is timed; Ray's actors are timed from inside too (how
long loading spaCy, the encoder and the tagger took, and how long they worked), so the
fixed costs separate from the per-article work. The index writes are the same on both
paths and are left out. Prints each stage on stderr as it ends (so a run stopped by its
time bound still reports what it reached), then one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

import indexer.distributed as distributed
from indexer.attribution.extract import load_tagger
from indexer.build import BuildOptions, _prepare
from indexer.embed import get_embedder
from indexer.ingest import _article_files, load_paths
from indexer.split import load_pipeline


class _TimedPrepare(distributed._Prepare):
    """The Ray actor, reporting its model loading and working seconds with its results."""

    def __init__(self, *args: Any) -> None:
        t = time.perf_counter()
        super().__init__(*args)
        load_pipeline(), load_tagger()
        self.load_s, self.pid, self.calls = time.perf_counter() - t, os.getpid(), 0

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        t = time.perf_counter()
        out = super().__call__(batch)
        self.calls += 1
        spent = {"actor": (self.pid, self.calls), "load_s": self.load_s}
        spent["work_s"] = time.perf_counter() - t
        # Every result row carries its actor's figures; the driver keeps one per actor.
        out["item"] = [distributed.pickle.dumps((p, spent)) for p in out["item"]]
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    files = _article_files([args.folder])[: args.limit]
    options = BuildOptions()
    out: dict[str, Any] = {"articles": len(files), "torch_threads_local": torch.get_num_threads()}

    def ended(stage: str, since: float) -> None:
        out[stage] = round(time.perf_counter() - since, 1)
        print(json.dumps({stage: out[stage]}), file=sys.stderr, flush=True)

    t = time.perf_counter()
    embedder = get_embedder("all-MiniLM-L6-v2")
    load_pipeline(), load_tagger()
    ended("local_load_models_s", t)
    t = time.perf_counter()
    articles = load_paths(files).articles
    ended("local_read_s", t)
    t = time.perf_counter()
    _prepare(articles, embedder, options)
    ended("local_prepare_s", t)

    t = time.perf_counter()
    cpus = distributed.connect(distributed.LOCAL)
    out["ray_cpus"] = cpus
    ended("ray_start_s", t)
    t = time.perf_counter()
    on_ray = distributed.load_paths_with_ray(files, distributed.LOCAL).articles
    ended("ray_read_s", t)
    distributed._Prepare = _TimedPrepare  # type: ignore[misc]
    t = time.perf_counter()
    results: list[Any] = distributed.prepare_with_ray(on_ray, embedder, options, "local")
    ended("ray_prepare_s", t)
    calls = {spent["actor"]: spent for _, spent in results}
    actors: dict[int, dict[str, float]] = {}
    for (pid, _), spent in calls.items():
        actor = actors.setdefault(pid, {"load_s": round(spent["load_s"], 1), "work_s": 0.0})
        actor["work_s"] = round(actor["work_s"] + spent["work_s"], 1)
    out["ray_actors"] = list(actors.values())
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
