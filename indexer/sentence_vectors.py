"""Every stored sentence's embedding, computed at indexing so that answering a question
embeds no article text: the extractive generator, the conflict finder and the verifier
read these instead of running the encoder over the sentences they were given.

    v-.../sentences.npy      (sentences, dim) float32, memory-mapped when read
    v-.../sentence_ids.npy   the `sentences` rowid of each row, ascending

Each sentence is embedded on its own, exactly as `Embedder.embed` embeds any text at
question time, so a stored vector and a freshly computed one are the same vector.
(Pooling the chunk pass's word-piece states over each sentence would cost no second
pass, but gives other vectors: on 10 PolNeAR dev articles, cosine 0.71 on average with
the sentence's own embedding and 0.16 at the 5th percentile; see README, "Speed".)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embed import Vectors
from indexer.store import Store

VECTORS_FILE = "sentences.npy"
IDS_FILE = "sentence_ids.npy"


class SentenceVectors:
    """A version's sentence vectors, looked up by sentence rowid."""

    def __init__(self, ids: np.ndarray[Any, np.dtype[np.int64]], vectors: Vectors) -> None:
        self.ids = ids
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def open(cls, directory: Path) -> SentenceVectors:
        ids = np.load(directory / IDS_FILE, mmap_mode="r")
        vectors = np.load(directory / VECTORS_FILE, mmap_mode="r")
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} sentence ids for {len(vectors)} sentence vectors")
        return cls(ids, vectors)

    def get(self, ids: Sequence[int]) -> Vectors:
        """The vectors of sentences `ids` (rowids), in that order; KeyError for one not stored."""
        wanted = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self.ids, wanted)
        rows = np.minimum(rows, max(len(self.ids) - 1, 0))
        if len(self.ids) == 0 or not np.array_equal(self.ids[rows], wanted):
            raise KeyError("a sentence has no stored vector")
        return np.asarray(self.vectors[rows], dtype=np.float32)


def write_sentence_vectors(
    store: Store,
    staging: Path,
    fresh: Mapping[str, Vectors],
    previous: Path | None,
) -> int:
    """Write the vectors of every sentence in `store` into `staging`: those of the articles
    in `fresh` (article id -> one row per sentence, by index) from there, the others from
    the previous version (the store is a byte copy of its store, so their rowids are the
    same). Returns how many were written."""
    old = SentenceVectors.open(previous) if previous is not None else None
    rows = store.db.execute(
        "SELECT rowid, article_id, idx FROM sentences ORDER BY rowid"
    ).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    dim = next((v.shape[1] for v in fresh.values()), old.vectors.shape[1] if old else 0)
    out = np.zeros((len(rows), dim), dtype=np.float32)
    kept = [i for i, r in enumerate(rows) if r[1] not in fresh]
    if kept:
        if old is None:
            raise ValueError("sentences without vectors and no previous version holding them")
        out[kept] = old.get(ids[kept].tolist())
    for i, (_, article_id, idx) in enumerate(rows):
        if article_id in fresh:
            out[i] = fresh[article_id][idx]
    np.save(staging / IDS_FILE, ids)
    np.save(staging / VECTORS_FILE, out)
    return len(rows)
