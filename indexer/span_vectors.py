"""The embedding of every stored sentence and claim (what it says: `Claim.said`), computed at indexing so that
answering a question embeds no article text: the extractive generator, the conflict
finder and the verifier read these instead of running the encoder over what they were
given.

    v-.../sentences.npy  sentence_ids.npy   (sentences, dim) float32; `sentences` rowids
    v-.../claims.npy     claim_ids.npy      (claims, dim) float32; `claims` ids

Vectors are memory-mapped when read. Each text is embedded on its own, exactly as
`Embedder.embed` embeds any text at question time, so a stored vector and a freshly
computed one are the same vector. (Pooling the chunk pass's word-piece states over each
sentence would cost no second pass, but gives other vectors: on 10 PolNeAR dev articles,
cosine 0.71 on average with the sentence's own embedding, 0.16 at the 5th percentile.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embed import Vectors
from indexer.store import Store


@dataclass(frozen=True)
class Kind:
    """One table whose rows have stored vectors, and the two files holding them."""

    table: str
    vectors_file: str
    ids_file: str


SENTENCES = Kind("sentences", "sentences.npy", "sentence_ids.npy")
CLAIMS = Kind("claims", "claims.npy", "claim_ids.npy")


class SpanVectors:
    """One version's vectors of one kind, looked up by row id."""

    def __init__(self, ids: np.ndarray[Any, np.dtype[np.int64]], vectors: Vectors) -> None:
        self.ids = ids
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def open(cls, directory: Path, kind: Kind) -> SpanVectors:
        ids = np.load(directory / kind.ids_file, mmap_mode="r")
        vectors = np.load(directory / kind.vectors_file, mmap_mode="r")
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} {kind.table} ids for {len(vectors)} vectors")
        return cls(ids, vectors)

    def get(self, ids: Sequence[int]) -> Vectors:
        """The vectors of rows `ids`, in that order; KeyError for one not stored."""
        wanted = np.asarray(ids, dtype=np.int64)
        if len(wanted) == 0:
            return np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
        rows = np.minimum(np.searchsorted(self.ids, wanted), max(len(self.ids) - 1, 0))
        if len(self.ids) == 0 or not np.array_equal(self.ids[rows], wanted):
            raise KeyError("a row has no stored vector")
        return np.asarray(self.vectors[rows], dtype=np.float32)


def stored_rows(
    store: Store, table: str
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], list[str], list[int]]:
    """Every row of `table` in rowid order: (rowids, article ids, position in its article)."""
    rows = store.db.execute(
        "SELECT rowid, article_id, row_number() OVER (PARTITION BY article_id ORDER BY rowid)"
        f" - 1 FROM {table} ORDER BY rowid"
    ).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return ids, [r[1] for r in rows], [r[2] for r in rows]


def write_span_vectors(
    store: Store,
    staging: Path,
    kind: Kind,
    fresh: Mapping[str, Vectors],
    previous: Path | None,
) -> int:
    """Write the vectors of every row of `kind` in `store` into `staging`: those of the
    articles in `fresh` (article id -> one vector per row, in the order they were stored)
    from there, the others from the previous version (the store is a byte copy of its
    store, so their ids are the same). Returns how many were written."""
    old = SpanVectors.open(previous, kind) if previous is not None else None
    ids, articles, positions = stored_rows(store, kind.table)
    dim = next((v.shape[1] for v in fresh.values()), old.vectors.shape[1] if old else 0)
    out = np.zeros((len(ids), dim), dtype=np.float32)
    kept = [i for i, a in enumerate(articles) if a not in fresh]
    if kept:
        if old is None:
            raise ValueError(f"{kind.table} without vectors and no previous version with them")
        out[kept] = old.get(ids[kept].tolist())
    for i, (article_id, position) in enumerate(zip(articles, positions, strict=True)):
        if article_id in fresh:
            out[i] = fresh[article_id][position]
    np.save(staging / kind.ids_file, ids)
    np.save(staging / kind.vectors_file, out)
    return len(ids)
