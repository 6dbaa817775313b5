"""The vectors question answering works with, each text embedded at most once.

At question time the encoder runs only on what indexing could not know: the question,
and text an answer writes itself (an LLM's sentences, a claimant substituted into a
quoted sentence). Article sentences come with vectors stored at indexing (`add`), the
phrases the conflict finder compares claims by are read from the index's table of them
(`read_from`), and everything embedded stays in a bounded, process-wide cache, so the
conflict finder's fixed prototypes, a question asked again, or an answer sentence
checked three times by the verifier cost one encoder pass at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from indexer.embed import Embedder, Vectors
from indexer.lru import LRU


class Stored(Protocol):
    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]: ...


# About 1.5 KB a vector (384 float32): 20,000 hold every sentence of some 800 retrieved
# articles in 30 MB.
CACHE_SIZE = 20_000


class VectorCache:
    """An `Embedder` in front of a least-recently-used map from text to vector."""

    def __init__(self, embedder: Embedder, size: int = CACHE_SIZE) -> None:
        self.embedder = embedder
        self.dim = embedder.dim
        self._vectors: LRU[str, np.ndarray] = LRU(size)
        self._stored: Stored | None = None

    def read_from(self, stored: Stored) -> None:
        """Look texts up in `stored` (an index's phrase vectors) before encoding them. Any
        version's table will do: a text has the same vector in each."""
        self._stored = stored

    def add(self, texts: Sequence[str], vectors: Vectors) -> None:
        """Remember vectors computed elsewhere (stored at indexing) for these texts."""
        self._vectors.put_many(zip(texts, vectors, strict=True))

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors:
        """Vectors of `texts`, as `Embedder.embed` gives them; only unknown ones are encoded,
        in one batch."""
        found = {t: v for t in texts if (v := self._vectors.get(t)) is not None}
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        if todo and self._stored is not None:
            known = self._stored.lookup(todo)
            self._vectors.put_many(known.items())
            found.update(known)
            todo = [t for t in todo if t not in known]
        if todo:
            fresh = self.embedder.embed(todo, show_progress)
            found.update(zip(todo, fresh, strict=True))
            self._vectors.put_many(zip(todo, fresh, strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def __len__(self) -> int:
        return len(self._vectors)
