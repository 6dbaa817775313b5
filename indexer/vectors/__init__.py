"""The vector store of an index version: FAISS files beside it, or a Milvus collection.

The manifest's `vectors` entry says which, so a reader never needs the build's settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.vectors.base import ChunkRows, VectorConfig, VectorStore
from indexer.vectors.faiss import FaissVectors

__all__ = [
    "ChunkRows",
    "VectorConfig",
    "VectorStore",
    "open_vectors",
    "release",
    "same_backend",
    "writable_copy",
]


def open_vectors(directory: Path, params: dict[str, Any]) -> VectorStore:
    """The read-only vector store of the version in `directory`."""
    if params.get("store") == "milvus":
        from indexer.vectors.milvus import MilvusVectors

        return MilvusVectors.open(params)
    return FaissVectors.open(directory, params)


def milvus_uri(config: VectorConfig, index_dir: Path) -> str:
    return config.milvus_uri or str(index_dir / "milvus.db")


def same_backend(params: dict[str, Any] | None, config: VectorConfig, index_dir: Path) -> bool:
    """Whether a version with manifest entry `params` already uses the configured store."""
    if params is None or params.get("store") != config.store:
        return False
    return config.store != "milvus" or params.get("uri") == milvus_uri(config, index_dir)


def writable_copy(
    previous: Path | None,
    params: dict[str, Any] | None,
    config: VectorConfig,
    index_dir: Path,
    dim: int,
) -> tuple[VectorStore, bool]:
    """A store for the next version, and whether it already holds `previous`'s vectors.

    It does when the previous version used the configured back-end; otherwise it is
    empty and the caller fills it from the SQLite store.
    """
    carry = previous is not None and params is not None and same_backend(params, config, index_dir)
    if config.store == "milvus":
        from indexer.vectors.milvus import MilvusVectors

        if carry and params is not None:
            return MilvusVectors.open(params).copy(index_dir, dim), True
        return MilvusVectors.create(milvus_uri(config, index_dir), index_dir, dim), False
    if carry and previous is not None and params is not None:
        return FaissVectors.open(previous, params, writable=True), True
    return FaissVectors.empty(dim), False


def release(index_dir: Path, params: dict[str, Any]) -> None:
    """After a swap: drop the Milvus collections that no longer back a version."""
    if params.get("store") == "milvus":
        from indexer.vectors.milvus import drop_unused

        drop_unused(str(params["uri"]), index_dir, keep=str(params["collection"]))
