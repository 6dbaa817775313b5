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

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from indexer.embed import Embedder, Vectors


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
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._stored: Stored | None = None

    def read_from(self, stored: Stored) -> None:
        """Look texts up in `stored` (an index's phrase vectors) before encoding them. Any
        version's table will do: a text has the same vector in each."""
        self._stored = stored

    def add(self, texts: Sequence[str], vectors: Vectors) -> None:
        """Remember vectors computed elsewhere (stored at indexing) for these texts."""
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._put(text, vector)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors:
        """Vectors of `texts`, as `Embedder.embed` gives them; only unknown ones are encoded,
        in one batch."""
        with self._lock:
            found = {t: v for t in texts if (v := self._get(t)) is not None}
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        if todo and self._stored is not None:
            known = self._stored.lookup(todo)
            with self._lock:
                for text, vector in known.items():
                    self._put(text, vector)
            found.update(known)
            todo = [t for t in todo if t not in known]
        if todo:
            fresh = self.embedder.embed(todo, show_progress)
            found.update(zip(todo, fresh, strict=True))
            with self._lock:
                for text, vector in zip(todo, fresh, strict=True):
                    self._put(text, vector)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def __len__(self) -> int:
        return len(self._vectors)

    def _get(self, text: str) -> np.ndarray | None:
        vector = self._vectors.get(text)
        if vector is not None:
            self._vectors.move_to_end(text)
        return vector

    def _put(self, text: str, vector: np.ndarray) -> None:
        self._vectors[text] = vector
        self._vectors.move_to_end(text)
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)
