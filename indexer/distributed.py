"""Indexing across machines with Ray Data (`pip install 'accordingto[ray]'`).

`accordingto index PATH --ray` starts a local Ray with one worker per core; `--ray
ADDRESS` joins a running cluster (`ray start --head` on one machine, `ray start
--address=HEAD:6379` on the others, with this package and its models installed on each).
Reading, parsing, claim extraction and embedding run as Ray Data batches, each worker
calling the same per-article functions as the local path; the driver then writes the
index exactly as a local build does, so both give the same store.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import indexer
from indexer.embed import Embedder, get_embedder
from indexer.errors import IndexerError
from indexer.ingest import IngestReport, _article_files, _drop_duplicate_ids, load_paths
from indexer.models import Article

if TYPE_CHECKING:
    from indexer.build import BuildOptions, _Prepared

# `ray.init` starts a new local Ray for this address; any other joins that cluster.
LOCAL = "local"
# Files read per batch, and articles parsed and embedded per batch: small enough that
# every worker gets several batches of a modest corpus, large enough to batch the encoder.
READ_BATCH = 64
PREPARE_BATCH = 8


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise IndexerError("Indexing with --ray needs Ray: pip install 'accordingto[ray]'") from exc
    return ray


def connect(address: str) -> int:
    """Join Ray at `address` (LOCAL: start one) unless joined already; its CPU count.

    Ray stays up until the process exits (Ray shuts itself down then), so reading and
    preparing share one session: starting a local Ray costs several seconds.
    """
    ray = _ray()
    if not ray.is_initialized():
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
            # Workers run this driver's indexer code, not whatever version a node has.
            runtime_env={
                "py_modules": [str(Path(indexer.__file__).parent)],
                "env_vars": {
                    "HF_HUB_OFFLINE": "1",
                    "OMP_NUM_THREADS": "1",
                    "TOKENIZERS_PARALLELISM": "false",
                },
            },
        )
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _dataset(items: Sequence[Any], batch_size: int) -> Any:
    ray = _ray()
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    rows = [{"i": i, "item": pickle.dumps(x)} for i, x in enumerate(items)]
    return ray.data.from_items(rows, override_num_blocks=max(1, -(-len(rows) // batch_size)))


def _ordered(ds: Any) -> list[Any]:
    """The pickled results of a dataset in input order (Ray Data does not keep it)."""
    rows = sorted(ds.take_all(), key=lambda r: int(r["i"]))
    return [pickle.loads(r["item"]) for r in rows]


def _read(batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, list[Any]]:
    files = [pickle.loads(b) for b in batch["item"]]
    return {"i": [int(batch["i"][0])], "item": [pickle.dumps(load_paths(files))]}


def load_paths_with_ray(paths: Sequence[Path], address: str) -> IngestReport:
    """`ingest.load_paths`, the files read and parsed on Ray workers."""
    files = _article_files(paths)
    report = IngestReport()
    if not files:
        return report
    connect(address)
    ds = _dataset(files, READ_BATCH).map_batches(_read, batch_size=READ_BATCH, batch_format="numpy")
    for part in _ordered(ds):
        report.articles.extend(part.articles)
        report.skipped.extend(part.skipped)
        report.warnings.extend(part.warnings)
    # Ids are unique within each batch already; the first seen wins across batches too.
    report.articles = _drop_duplicate_ids(report.articles, report.skipped)
    return report


class _Prepare:
    """One Ray actor: loads spaCy and the encoder once, then prepares batches of articles."""

    def __init__(self, options: BuildOptions, model: str, batch_size: int) -> None:
        self.options = options
        self.embedder = get_embedder(model, batch_size)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, list[Any]]:
        from indexer.build import _prepare

        articles: list[Article] = [pickle.loads(b) for b in batch["item"]]
        prepared = _prepare(articles, self.embedder, self.options)
        return {
            "i": [int(i) for i in batch["i"]],
            "item": [pickle.dumps(p) for p in prepared],
        }


def prepare_with_ray(
    articles: list[Article], embedder: Embedder, options: BuildOptions, address: str
) -> list[_Prepared]:
    """`build._prepare` over `articles` (parse, encode, tag), on Ray workers, in order."""
    if not articles:
        return []
    ray = _ray()
    cpus = connect(address)
    # One single-threaded actor per CPU: the parallelism is Ray's, not torch's.
    actors = min(cpus, -(-len(articles) // PREPARE_BATCH))
    ds = _dataset(articles, PREPARE_BATCH).map_batches(
        _Prepare,
        fn_constructor_args=(options, embedder.name, embedder.batch_size),
        batch_size=PREPARE_BATCH,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=1,
    )
    prepared: list[_Prepared] = _ordered(ds)
    return prepared
