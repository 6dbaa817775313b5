"""Dense vectors in FAISS, keyed by chunk id.

Vectors are L2-normalised, so inner product (IndexFlatIP) is cosine similarity; the
flat index is exact, and the parameters it was built with live in the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

from indexer.embed import Vectors

FILENAME = "vectors.faiss"


class VectorIndex:
    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def build(
        cls, ids: np.ndarray[Any, np.dtype[np.int64]], vectors: Vectors, dim: int
    ) -> VectorIndex:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(ids):
            index.add_with_ids(vectors, ids)
        return cls(index)

    def save(self, directory: Path) -> None:
        faiss.write_index(self._index, str(directory / FILENAME))

    @classmethod
    def load(cls, directory: Path) -> VectorIndex:
        return cls(faiss.read_index(str(directory / FILENAME)))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(
        self,
        query: Vectors,
        k: int,
        allowed: np.ndarray[Any, np.dtype[np.int64]] | None = None,
    ) -> list[tuple[int, float]]:
        """Top-k (chunk id, cosine) for one normalised query row, within `allowed` if given."""
        if allowed is not None and len(allowed) == 0:
            return []
        k = min(k, len(self) if allowed is None else len(allowed))
        if k <= 0:
            return []
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))  # type: ignore[call-arg]
        scores, ids = self._index.search(query.reshape(1, -1), k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
