"""The index directory: versioned builds behind an atomically swapped `current` link.

    INDEX_DIR/
      current -> v-20250227T101500-1a2b3c   (symlink, replaced with os.replace)
      v-.../manifest.json  store.sqlite  vectors.faiss (or a Milvus collection)  bm25/
            sentences.npy  claims.npy  *_ids.npy (their vectors, indexer/span_vectors.py)
            sentence_parses.bin  sentence_parse_offsets.npy  claim_parses.bin ...
                                     (indexer/sentence_parses.py)
            phrases.npy  phrase_keys.npy  (claims' cues, lead-ins, nouns: span_vectors.py)
      .building-*/                          (a build in progress; never read)
      .lock                                 (one writer at a time)

A build writes a complete new version directory, fsyncs it, then swaps the link.
Killing the indexer at any moment therefore leaves `current` pointing at the previous
complete version; leftovers are removed by the next build.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from indexer.errors import (
    EmbeddingModelMismatchError,
    IndexFormatError,
    IndexNotFoundError,
    IndexWriteError,
)
from indexer.lexical import LexicalIndex
from indexer.sentence_parses import CLAIM_PARSES, SENTENCE_PARSES, ParseFiles, StoredParses
from indexer.span_vectors import (
    CLAIMS,
    PHRASES_FILE,
    SENTENCES,
    Kind,
    PhraseVectors,
    SpanVectors,
)
from indexer.store import Store
from indexer.vectors import open_vectors

_T = TypeVar("_T")

# 2: BM25 tokens are Snowball stems; 3: the `vectors` entry (FAISS flat or IVF, or a
# Milvus collection) replaced `faiss`; 4: vectors of every sentence and claim content,
# and each sentence's parse; 5: BM25 in segments of term frequencies (lexical.py); 6:
# vectors of the phrases the conflict finder compares claims by, parses of the claim
# contents that run past their sentence.
FORMAT_VERSION = 6
CURRENT = "current"
MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
LEXICAL = "bm25/"
_PAGES = ("page_count", "page_size")


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
            raise IndexDamagedError(
                directory, f"{MANIFEST} unreadable: {type(exc).__name__}"
            ) from exc
        if not isinstance(data, dict):
            raise IndexDamagedError(directory, f"{MANIFEST} is not a JSON object")
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexFormatError(
                f"The index version {directory.name} has index format "
                f"{data.get('format_version')}, this version reads format {FORMAT_VERSION}. "
                "Rebuild it: accordingto index PATH --rebuild"
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise IndexDamagedError(directory, f"{MANIFEST} lacks fields") from exc


def current_version(index_dir: Path) -> Path | None:
    """The complete version `current` points at, or None when there is none yet."""
    link = index_dir / CURRENT
    if not link.is_symlink():
        return None
    target = index_dir / os.readlink(link)
    return target if (target / MANIFEST).exists() else None


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time. A write that fails (read-only or full disk) becomes one
    IndexWriteError that says what to do, and leaves no partial build behind."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fh = open(index_dir / ".lock", "w")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise (_write_error(index_dir, exc) or exc) from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexFormatError(
                f"Another indexing run holds {index_dir}/.lock; wait for it to finish."
            ) from exc
        try:
            yield
        except (OSError, sqlite3.OperationalError, RuntimeError) as exc:
            _discard_staging(index_dir)
            error = _write_error(index_dir, exc)
            if error is None:
                raise
            raise error from None
        except BaseException:
            _discard_staging(index_dir)
            raise


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _write_error(index_dir: Path, exc: BaseException) -> IndexWriteError | None:
    """The one-line error for a failed write, or None when `exc` is not one."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    # SQLite and FAISS report the same causes in words rather than errno values.
    if code in _FULL or "disk is full" in text or "no space" in text or "too large" in text:
        return IndexWriteError(
            f"Cannot write the index in {index_dir}: the disk is full (or the file size "
            "limit reached). Free some space, or point --index-dir at another disk."
        )
    if code in _READ_ONLY or "readonly" in text or "read-only" in text:
        return IndexWriteError(
            f"Cannot write the index in {index_dir}: the directory is read-only or not "
            "yours. Point --index-dir (or ACCORDINGTO_INDEX_DIR) at a writable folder."
        )
    if isinstance(exc, OSError):
        return IndexWriteError(
            f"Cannot write the index in {index_dir}: {exc.strerror or type(exc).__name__}. "
            "Check the folder and the disk, then index again."
        )
    return None


def _discard_staging(index_dir: Path) -> None:
    for stale in index_dir.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)


def new_staging_dir(index_dir: Path) -> Path:
    _discard_staging(index_dir)
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
    """A read-only view of one complete index version, checked whole when opened."""

    def __init__(self, directory: Path, manifest: Manifest) -> None:
        self.directory = directory
        self.manifest = manifest
        self.store = _load(directory, STORE, lambda: Store(directory / STORE, readonly=True))
        try:
            counts = _load(directory, STORE, self._checked_counts)
            self.vectors = _load(
                directory, VECTORS, lambda: open_vectors(directory, self.manifest.vectors)
            )
            self.lexical = _load(directory, LEXICAL, lambda: LexicalIndex.load(directory))
            if len(self.vectors) != counts["chunks"] or len(self.lexical) != counts["chunks"]:
                raise IndexDamagedError(
                    directory,
                    f"{counts['chunks']} chunks stored, {len(self.vectors)} vectors, "
                    f"{len(self.lexical)} in the BM25 index",
                )
            self.sentence_vectors, self.claim_vectors = (
                self._span_vectors(kind, counts) for kind in (SENTENCES, CLAIMS)
            )
            self.sentence_parses, self.claim_parses = (
                self._parses(files, counts) for files in (SENTENCE_PARSES, CLAIM_PARSES)
            )
            self.phrase_vectors = _load(directory, PHRASES_FILE, lambda: PhraseVectors(directory))
        except BaseException:
            self.store.close()
            raise

    def _span_vectors(self, kind: Kind, counts: dict[str, int]) -> SpanVectors:
        found = _load(
            self.directory, kind.vectors_file, lambda: SpanVectors.open(self.directory, kind)
        )
        if len(found) != counts[kind.table]:
            raise IndexDamagedError(
                self.directory,
                f"{counts[kind.table]} {kind.table} stored, {len(found)} vectors of them",
            )
        return found

    def _parses(self, files: ParseFiles, counts: dict[str, int]) -> StoredParses:
        found = _load(
            self.directory, files.parses_file, lambda: StoredParses(self.directory, files)
        )
        if len(found) != counts[files.kind.table]:
            raise IndexDamagedError(
                self.directory,
                f"{counts[files.kind.table]} {files.kind.table}, {len(found)} parses of them",
            )
        return found

    def _checked_counts(self) -> dict[str, int]:
        # Not PRAGMA quick_check: it reads every page (10 s at a million chunks, at every
        # swap). A published version is never written again; a file cut short or replaced
        # shows in its header's page count against its size, or in its counts.
        pages, size = (self.store.db.execute(f"PRAGMA {p}").fetchone()[0] for p in _PAGES)
        if pages * size != self.store.path.stat().st_size:
            raise sqlite3.DatabaseError(f"{pages} pages of {size} bytes, not the file's size")
        counts = self.store.counts()
        if counts != self.manifest.counts:
            raise sqlite3.DatabaseError(
                f"it holds {counts}, the manifest says {self.manifest.counts}"
            )
        return counts

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


class IndexDamagedError(IndexFormatError):
    """A version whose files cannot be read or disagree with each other."""

    def __init__(self, version: Path, what: str) -> None:
        super().__init__(
            f"The index version {version.name} is damaged ({what}). Rebuild it from the "
            "articles: accordingto index PATH --rebuild"
        )


def _load(directory: Path, part: str, load: Callable[[], _T]) -> _T:
    """Load one part of a version; any failure names the part, never a path."""
    try:
        return load()
    except IndexDamagedError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError, sqlite3.Error) as exc:
        reason = type(exc).__name__ if isinstance(exc, OSError | RuntimeError) else str(exc)
        raise IndexDamagedError(directory, f"{part} unreadable: {reason}") from exc


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
