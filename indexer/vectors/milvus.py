"""Milvus: the vector store for serving at scale (`pip install 'accordingto[milvus]'`).

A file path URI runs Milvus Lite embedded; an http://host:19530 URI talks to a Milvus
standalone or cluster with the same code. Each index version owns one collection, named
in its manifest; collections no version points at are dropped after the swap.

Lexical search stays in the project's BM25: Milvus's BM25 tokenises with its own
analyzer, so the same question would rank other chunks over Milvus than over FAISS.

The vector index follows the size as FAISS's does: an exact FLAT scan up to
IVF_THRESHOLD chunks, Milvus's AUTOINDEX past it. AUTOINDEX is approximate even over a
thousand chunks (Milvus Lite missed the 15th best chunk of a PolNeAR dev question), which
changed answers against FAISS's exact scan.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from indexer.embed import Vectors
from indexer.errors import IndexerError
from indexer.vectors.base import ChunkIds, ChunkRows, VectorStore
from indexer.vectors.faiss import IVF_THRESHOLD

if TYPE_CHECKING:
    from indexer.store import ArticleFilter

_PREFIX = "accordingto_"
_COPY_BATCH = 2000
_MAX_TEXT = 512  # outlet, article id and date fields; longer values are refused by Milvus


@lru_cache(maxsize=8)
def client(uri: str) -> Any:
    """One client per URI and process: Milvus Lite serves one embedded database per file."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise IndexerError(
            "ACCORDINGTO_VECTOR_STORE=milvus needs pymilvus and Milvus Lite: "
            "pip install 'accordingto[milvus]'"
        ) from exc
    from pymilvus.exceptions import MilvusException

    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        return MilvusClient(uri)
    except MilvusException as exc:
        if "://" in uri:
            raise IndexerError(
                f"Cannot reach Milvus at {uri} ({exc.message}). Start it, or set "
                "ACCORDINGTO_MILVUS_URI to a file path to run Milvus Lite embedded."
            ) from exc
        raise IndexerError(
            f"Cannot open the Milvus Lite database {uri} ({exc.message}). Milvus Lite "
            "serves one process at a time: stop the other server or indexer using it, "
            "or run a Milvus server and set ACCORDINGTO_MILVUS_URI=http://host:19530."
        ) from exc


def collection_prefix(index_dir: Path) -> str:
    """Collections of one index directory; several can share a Milvus server."""
    return f"{_PREFIX}{hashlib.sha1(str(index_dir.resolve()).encode()).hexdigest()[:10]}_"


class MilvusVectors(VectorStore):
    def __init__(self, uri: str, collection: str) -> None:
        self._uri = uri
        self._collection = collection
        self._client = client(uri)
        self._lock = threading.Lock()  # the Lite client is not safe across request threads

    @classmethod
    def create(cls, uri: str, index_dir: Path, dim: int) -> MilvusVectors:
        """A new, empty collection for a version being built."""
        from pymilvus import DataType

        name = f"{collection_prefix(index_dir)}{uuid.uuid4().hex[:12]}"
        milvus = client(uri)
        schema = milvus.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("article_id", DataType.VARCHAR, max_length=_MAX_TEXT)
        schema.add_field("outlet", DataType.VARCHAR, max_length=_MAX_TEXT)
        schema.add_field("published", DataType.VARCHAR, max_length=_MAX_TEXT)
        milvus.create_collection(name, schema=schema, index_params=_index("FLAT"))
        return cls(uri, name)

    @classmethod
    def open(cls, params: dict[str, Any]) -> MilvusVectors:
        store = cls(str(params["uri"]), str(params["collection"]))
        if not store._client.has_collection(store._collection):
            raise IndexerError(
                f"Milvus at {store._uri} has no collection {store._collection}, which the "
                "index manifest names. Rebuild the index: accordingto index PATH --rebuild"
            )
        store._client.load_collection(store._collection)
        return store

    def copy(self, index_dir: Path, dim: int) -> MilvusVectors:
        """A new collection holding this one's rows, for the next version to change."""
        target = MilvusVectors.create(self._uri, index_dir, dim)
        for rows in self._rows():
            target._client.insert(target._collection, rows)
        return target

    def _rows(self) -> Iterator[list[dict[str, Any]]]:
        it = self._client.query_iterator(
            self._collection,
            batch_size=_COPY_BATCH,
            filter="id >= 0",
            output_fields=["id", "vector", "article_id", "outlet", "published"],
        )
        try:
            while batch := it.next():
                yield batch
        finally:
            it.close()

    def count(self) -> int:
        with self._lock:
            res = self._client.query(self._collection, filter="id >= 0", output_fields=["count(*)"])
        return int(res[0]["count(*)"])

    def add(self, rows: ChunkRows) -> None:
        if not len(rows):
            return
        data = [
            {
                "id": int(cid),
                "vector": vec.tolist(),
                "article_id": aid,
                # Lower-cased: SQLite compares outlets case-insensitively too.
                "outlet": (outlet or "").lower(),
                "published": published or "",
            }
            for cid, vec, aid, outlet, published in zip(
                rows.ids, rows.vectors, rows.article_ids, rows.outlets, rows.published, strict=True
            )
        ]
        with self._lock:
            self._client.insert(self._collection, data)

    def remove(self, ids: ChunkIds) -> None:
        if len(ids):
            with self._lock:
                self._client.delete(self._collection, ids=[int(i) for i in ids])

    def search(
        self,
        query: Vectors,
        k: int,
        allowed: ChunkIds | None = None,
        flt: ArticleFilter | None = None,
    ) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        with self._lock:
            hits = self._client.search(
                self._collection,
                data=[np.asarray(query, dtype=np.float32).reshape(-1).tolist()],
                limit=k,
                anns_field="vector",
                filter=filter_expression(flt),
                search_params={"metric_type": "IP"},
            )
        return [(int(h["id"]), float(h["distance"])) for h in hits[0]]

    def save(self, directory: Path) -> dict[str, Any]:
        kind = "FLAT" if self.count() <= IVF_THRESHOLD else "AUTOINDEX"
        with self._lock:
            self._client.flush(self._collection)
            if self._client.describe_index(self._collection, "vector")["index_type"] != kind:
                self._client.release_collection(self._collection)
                self._client.drop_index(self._collection, "vector")
                self._client.create_index(self._collection, _index(kind))
                self._client.load_collection(self._collection)
        return {
            "store": "milvus",
            "uri": self._uri,
            "collection": self._collection,
            "index": kind,
        }

    def drop(self) -> None:
        self._client.drop_collection(self._collection)


def _index(kind: str) -> Any:
    from pymilvus import MilvusClient

    params = MilvusClient.prepare_index_params()
    params.add_index("vector", index_type=kind, metric_type="IP")
    return params


def drop_unused(uri: str, index_dir: Path, keep: str | None) -> None:
    """Drop this index directory's collections but `keep`: replaced versions, failed builds."""
    milvus = client(uri)
    prefix = collection_prefix(index_dir)
    for name in milvus.list_collections():
        if name.startswith(prefix) and name != keep:
            milvus.drop_collection(name)


def filter_expression(flt: ArticleFilter | None) -> str:
    """The article filter as a Milvus boolean expression (the empty string: no filter)."""
    if flt is None:
        return ""
    conds: list[str] = []
    if flt.outlet:
        conds.append(f"outlet == {_quote(flt.outlet.lower())}")
    if flt.published_from or flt.published_to:
        conds.append('published != ""')  # SQLite: an undated article matches no date range
    if flt.published_from:
        conds.append(f"published >= {_quote(flt.published_from)}")
    if flt.published_to:
        conds.append(f"published <= {_quote(flt.published_to)}")
    if flt.article_id:
        conds.append(f"article_id == {_quote(flt.article_id)}")
    return " and ".join(conds)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
