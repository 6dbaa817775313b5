"""The index directory: versioned builds behind an atomically swapped `current` link.

    INDEX_DIR/
      current -> v-20250227T101500-1a2b3c   (symlink, replaced with os.replace)
      v-.../manifest.json  store.sqlite  vectors.faiss (or a Milvus collection)  bm25/
      .building-*/                          (a build in progress; never read)
      .lock                                 (one writer at a time)

A build writes a complete new version directory, fsyncs it, then swaps the link.
Killing the indexer at any moment therefore leaves `current` pointing at the previous
complete version; leftovers are removed by the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexer.errors import EmbeddingModelMismatchError, IndexFormatError, IndexNotFoundError
from indexer.lexical import LexicalIndex
from indexer.store import Store
from indexer.vectors import open_vectors

# 2: the `vectors` entry (FAISS flat or IVF, or a Milvus collection) replaced `faiss`.
FORMAT_VERSION = 2
CURRENT = "current"
MANIFEST = "manifest.json"
STORE = "store.sqlite"


@dataclass
class Manifest:
    format_version: int
    embedding_model: str
    embedding_dim: int
    built_at: str
    counts: dict[str, int]
    chunking: dict[str, int]
    spacy_model: str
    # Which vector store backs this version and how it was built (index type, IVF lists,
    # probes, training size; or the Milvus URI and collection).
    vectors: dict[str, Any] = field(default_factory=lambda: {"store": "faiss"})

    def write(self, directory: Path) -> None:
        _write_durably(directory / MANIFEST, json.dumps(asdict(self), indent=2))

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise IndexFormatError(
                f"Cannot read {path} ({exc}). Rebuild the index: accordingto index PATH --rebuild"
            ) from exc
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexFormatError(
                f"{path} has index format {data.get('format_version')}, this version reads "
                f"format {FORMAT_VERSION}. Rebuild it: accordingto index PATH --rebuild"
            )
        return cls(**data)


def current_version(index_dir: Path) -> Path | None:
    """The complete version `current` points at, or None when there is none yet."""
    link = index_dir / CURRENT
    if not link.is_symlink():
        return None
    target = index_dir / os.readlink(link)
    return target if (target / MANIFEST).exists() else None


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexFormatError(
                f"Another indexing run holds {index_dir}/.lock; wait for it to finish."
            ) from exc
        yield


def new_staging_dir(index_dir: Path) -> Path:
    for stale in index_dir.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = index_dir / f".building-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def publish(index_dir: Path, staging: Path) -> Path:
    """Make the complete `staging` build the current version, then drop older versions."""
    for path in staging.rglob("*"):
        if path.is_file():
            _fsync(path)
    version = index_dir / f"v-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    staging.rename(version)
    tmp_link = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    tmp_link.symlink_to(version.name)
    os.replace(tmp_link, index_dir / CURRENT)
    _fsync_dir(index_dir)
    for old in index_dir.glob("v-*"):
        if old != version:
            shutil.rmtree(old, ignore_errors=True)
    return version


class Index:
    """A read-only view of one complete index version."""

    def __init__(self, directory: Path, manifest: Manifest) -> None:
        self.directory = directory
        self.manifest = manifest
        self.store = Store(directory / STORE, readonly=True)
        self.vectors = open_vectors(directory, manifest.vectors)
        self.lexical = LexicalIndex.load(directory)

    @classmethod
    def open(cls, index_dir: Path, embedding_model: str | None = None) -> Index:
        """Open the current version; refuse one built with another embedding model."""
        version = current_version(index_dir)
        if version is None:
            raise IndexNotFoundError(str(index_dir))
        manifest = Manifest.read(version)
        if embedding_model is not None and manifest.embedding_model != embedding_model:
            raise EmbeddingModelMismatchError(manifest.embedding_model, embedding_model)
        return cls(version, manifest)

    def close(self) -> None:
        self.store.close()


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync(path)
