"""What every vector store back-end offers: chunk vectors keyed by chunk id, searched by
cosine similarity, optionally within an article filter.

Vectors are L2-normalised, so inner product is cosine similarity in every back-end.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from indexer.embed import Vectors

if TYPE_CHECKING:
    from indexer.store import ArticleFilter

ChunkIds = np.ndarray[Any, np.dtype[np.int64]]
StoreKind = Literal["faiss", "milvus"]


@dataclass(frozen=True)
class VectorConfig:
    """Where a build writes its vectors; a reader follows the manifest instead."""

    store: StoreKind = "faiss"
    # A file path runs Milvus Lite embedded; http://host:19530 talks to a Milvus server.
    milvus_uri: str | None = None


@dataclass(frozen=True)
class ChunkRows:
    """A batch of chunks with what a back-end needs to filter them by article."""

    ids: ChunkIds
    vectors: Vectors
    article_ids: Sequence[str]
    outlets: Sequence[str | None]
    published: Sequence[str | None]

    def __len__(self) -> int:
        return len(self.ids)


class VectorStore(ABC):
    @abstractmethod
    def add(self, rows: ChunkRows) -> None: ...

    @abstractmethod
    def remove(self, ids: ChunkIds) -> None: ...

    @abstractmethod
    def search(
        self,
        query: Vectors,
        k: int,
        allowed: ChunkIds | None = None,
        flt: ArticleFilter | None = None,
    ) -> list[tuple[int, float]]:
        """Top-k (chunk id, cosine) for one normalised query row, best first.

        `allowed` holds the chunk ids `flt` selects (resolved in SQLite); a back-end
        that evaluates the filter itself uses `flt` and may ignore `allowed`.
        """

    @abstractmethod
    def save(self, directory: Path) -> dict[str, Any]:
        """Write what a reader needs into the version `directory`; the manifest entry."""

    @abstractmethod
    def count(self) -> int: ...

    def __len__(self) -> int:
        return self.count()
