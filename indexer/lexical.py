"""The BM25 lexical index (bm25s), keyed by chunk id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

DIRNAME = "bm25"
_IDS = "chunk_ids.json"


# Snowball stems, so that "casualties" finds "casualty" and "deployed" "deployment"; the
# same stemmer tokenises the chunks when building and the question when searching.
_STEMMER = Stemmer.Stemmer("english")


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(  # type: ignore[no-any-return]
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25 | None, chunk_ids: list[int]) -> None:
        self._retriever = retriever
        self._ids = np.array(chunk_ids, dtype=np.int64)

    @classmethod
    def build(cls, chunk_ids: list[int], texts: list[str]) -> LexicalIndex:
        if not texts:
            return cls(None, [])
        retriever = bm25s.BM25()
        retriever.index(_tokens(texts), show_progress=False)
        return cls(retriever, chunk_ids)

    def save(self, directory: Path) -> None:
        target = directory / DIRNAME
        target.mkdir()
        if self._retriever is not None:
            self._retriever.save(str(target), show_progress=False)
        (target / _IDS).write_text(json.dumps(self._ids.tolist()))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        target = directory / DIRNAME
        ids: list[int] = json.loads((target / _IDS).read_text())
        if not ids:
            return cls(None, [])
        # Memory-mapped: opening a big index maps its score matrix instead of reading it.
        retriever = bm25s.BM25.load(str(target), mmap=True, show_progress=False, verbosity=0)
        return cls(retriever, ids)

    def __len__(self) -> int:
        return len(self._ids)

    def search(
        self, query: str, k: int, allowed: np.ndarray[Any, np.dtype[np.int64]] | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk id, BM25 score > 0), within `allowed` chunk ids if given."""
        if self._retriever is None:
            return []
        tokens = _tokens([query])[0]
        if not tokens:
            return []
        mask = None if allowed is None else np.isin(self._ids, allowed).astype(np.float32)
        scores = self._retriever.get_scores(tokens, weight_mask=mask)
        top = top_k(scores, k)
        return [(int(self._ids[i]), float(scores[i])) for i in top]


def top_k(scores: np.ndarray[Any, np.dtype[Any]], k: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Positions of the `k` best positive scores, best first, ties by position.

    A partial sort (O(n)) finds the k-th best score; only the candidates at or above it
    are sorted, so a query over a million chunks does not sort a million scores.
    """
    if k <= 0 or len(scores) == 0:
        return np.empty(0, dtype=np.intp)
    if k < len(scores):
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        keep = np.flatnonzero((scores >= kth) & (scores > 0))
    else:
        keep = np.flatnonzero(scores > 0)
    order = np.lexsort((keep, -scores[keep]))
    return keep[order][:k]
