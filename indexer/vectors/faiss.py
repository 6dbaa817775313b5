"""FAISS on local files: an exact flat scan while the index is small, an inverted-file
(IVF) index of half-precision vectors past IVF_THRESHOLD chunks.

A reader memory-maps the file, so opening costs page-table entries, not reading every
vector; a build starts from the previous version's file and applies only the change.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from indexer.embed import Vectors
from indexer.vectors.base import ChunkIds, ChunkRows, VectorStore

if TYPE_CHECKING:
    from indexer.store import ArticleFilter

FILENAME = "vectors.faiss"
# Past this many chunks a flat scan costs more than ~5 ms a query on one core
# (bench/scale.py; see "Scaling out" in the README), so the index becomes IVF.
IVF_THRESHOLD = 50_000
# Centroids trained on N vectors stay good while the index grows; past this factor the
# lists grow long and the build retrains on the whole index.
RETRAIN_GROWTH = 8
# Lists probed per query. bench/scale.py at 1M chunks (1,000 lists), probes: p50 ms,
# recall@10 of planted neighbours: 8: 2.7, 0.971; 12: 3.8, 0.988; 16: 4.6, 0.994.
NPROBE = 12
# k-means sample per centroid: FAISS warns below 39; more buys little.
_SAMPLE_PER_LIST = 64


def nlist_for(n: int) -> int:
    """~sqrt(n) lists: balances the centroid scan against the list scans."""
    return max(64, int(math.sqrt(n)))


class FaissVectors(VectorStore):
    def __init__(self, index: Any, trained_on: int = 0) -> None:
        self._index = index
        self._trained_on = trained_on

    @classmethod
    def empty(cls, dim: int) -> FaissVectors:
        return cls(faiss.IndexIDMap(faiss.IndexFlatIP(dim)))

    @classmethod
    def open(cls, directory: Path, params: dict[str, Any], writable: bool = False) -> FaissVectors:
        """The version's index; memory-mapped and read-only unless `writable`."""
        path = str(directory / FILENAME)
        index = faiss.read_index(path) if writable else faiss.read_index(path, faiss.IO_FLAG_MMAP)
        if _is_ivf(index):
            faiss.extract_index_ivf(index).nprobe = int(params.get("nprobe", NPROBE))
        return cls(index, int(params.get("trained_on", 0)))

    def count(self) -> int:
        return int(self._index.ntotal)

    def add(self, rows: ChunkRows) -> None:
        if len(rows):
            self._index.add_with_ids(rows.vectors, rows.ids)

    def remove(self, ids: ChunkIds) -> None:
        if len(ids):
            self._index.remove_ids(faiss.IDSelectorBatch(ids))

    def search(
        self,
        query: Vectors,
        k: int,
        allowed: ChunkIds | None = None,
        flt: ArticleFilter | None = None,
    ) -> list[tuple[int, float]]:
        if allowed is not None and len(allowed) == 0:
            return []
        k = min(k, self.count() if allowed is None else len(allowed))
        if k <= 0:
            return []
        sel = None if allowed is None else faiss.IDSelectorBatch(allowed)
        if _is_ivf(self._index):
            ivf = faiss.extract_index_ivf(self._index)
            nprobe = ivf.nprobe
            if allowed is not None:
                # A narrow filter leaves few hits per list: probe proportionally more.
                nprobe = min(ivf.nlist, math.ceil(nprobe * self.count() / len(allowed)))
            params: Any = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)  # type: ignore[call-arg]
        else:
            params = None if sel is None else faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
        scores, ids = self._index.search(query.reshape(1, -1), k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, directory: Path) -> dict[str, Any]:
        n = self.count()
        ivf = _is_ivf(self._index)
        if (not ivf and n > IVF_THRESHOLD) or (ivf and n > RETRAIN_GROWTH * self._trained_on):
            self._index = _train_ivf(*self._contents())
            self._trained_on = n
        faiss.write_index(self._index, str(directory / FILENAME))
        if not _is_ivf(self._index):
            return {"store": "faiss", "index": "IDMap,Flat", "metric": "cosine"}
        nlist = int(faiss.extract_index_ivf(self._index).nlist)
        return {
            "store": "faiss",
            "index": f"IVF{nlist},SQfp16",
            "metric": "cosine",
            "nlist": nlist,
            "nprobe": int(faiss.extract_index_ivf(self._index).nprobe),
            "trained_on": self._trained_on,
        }

    def _contents(self) -> tuple[ChunkIds, Vectors]:
        """Every (id, vector) held, read from the index itself rather than SQLite."""
        if not _is_ivf(self._index):
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            return ids, self._index.index.reconstruct_n(0, self.count())
        inv: Any = faiss.extract_index_ivf(self._index).invlists
        dim = self._index.d
        id_parts, vec_parts = [], []
        for lst in range(inv.nlist):
            size = inv.list_size(lst)
            if size:
                id_parts.append(faiss.rev_swig_ptr(inv.get_ids(lst), size).copy())
                codes = faiss.rev_swig_ptr(inv.get_codes(lst), size * inv.code_size)
                # Not residuals (see _train_ivf): each code is the vector in float16.
                vectors = np.frombuffer(codes.copy(), dtype=np.float16).reshape(size, dim)
                vec_parts.append(vectors.astype(np.float32))
        return np.concatenate(id_parts), np.concatenate(vec_parts)


def _is_ivf(index: Any) -> bool:
    return isinstance(index, faiss.IndexIVF)


def _train_ivf(ids: ChunkIds, vectors: Vectors) -> Any:
    n, dim = vectors.shape
    nlist = nlist_for(n)
    # A fixed seed: the same vectors give the same index, build after build.
    sample = np.random.default_rng(0).choice(n, min(n, nlist * _SAMPLE_PER_LIST), replace=False)
    # Vectors in float16: half the bytes of float32 (0.77 GB instead of 1.5 GB at 1M chunks,
    # which is what a server pages in) and faster to scan; a unit vector keeps about three
    # significant digits a component, and recall@10 at 1M chunks did not move (README).
    # Stored whole, not as residuals from their centroid, so they read back directly.
    fp16, ip = faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist, fp16, ip, False)
    index.cp.seed = 0
    index.train(np.ascontiguousarray(vectors[np.sort(sample)]))
    index.add_with_ids(vectors, ids)
    index.nprobe = NPROBE
    return index
