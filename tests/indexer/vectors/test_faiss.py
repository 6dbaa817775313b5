"""The FAISS vector store on synthetic unit vectors: exact while flat, IVF past the
threshold, memory-mapped when opened, and changed in place by later builds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import indexer.vectors.faiss as fv
from indexer.vectors import ChunkRows, open_vectors
from indexer.vectors.faiss import FaissVectors

DIM = 32


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _rows(ids: np.ndarray, vectors: np.ndarray) -> ChunkRows:
    n = len(ids)
    return ChunkRows(ids.astype(np.int64), vectors, ["a"] * n, [None] * n, [None] * n)


def _exact(ids: np.ndarray, vectors: np.ndarray, q: np.ndarray, k: int) -> list[int]:
    scores = vectors @ q
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def test_a_small_index_is_flat_exact_and_filtered(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    ids, vecs = np.arange(10, 510), _unit(rng, 500)
    store = FaissVectors.empty(DIM)
    store.add(_rows(ids, vecs))
    params = store.save(tmp_path)
    assert params["index"] == "IDMap,Flat"
    opened = open_vectors(tmp_path, params)
    q = _unit(rng, 1)[0]
    assert [i for i, _ in opened.search(q, 10)] == _exact(ids, vecs, q, 10)
    allowed = ids[::7]
    hits = opened.search(q, 5, allowed)
    assert [i for i, _ in hits] == _exact(allowed, vecs[::7], q, 5)
    assert opened.search(q, 5, np.array([], dtype=np.int64)) == []


def test_past_the_threshold_the_index_is_ivf_and_finds_planted_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fv, "IVF_THRESHOLD", 3000)
    rng = np.random.default_rng(2)
    base = _unit(rng, 6000)
    queries = _unit(rng, 20)
    # Ten near copies of each query: the neighbours an approximate index must find.
    planted = np.repeat(queries, 10, axis=0) + 0.05 * rng.standard_normal((200, DIM))
    planted = (planted / np.linalg.norm(planted, axis=1, keepdims=True)).astype(np.float32)
    vecs = np.vstack([base, planted])
    ids = np.arange(1, len(vecs) + 1)
    store = FaissVectors.empty(DIM)
    store.add(_rows(ids, vecs))
    params = store.save(tmp_path)
    assert params["index"].startswith("IVF") and params["trained_on"] == len(vecs)
    # Half-precision vectors: the file holds about half the bytes of the float32 ones.
    assert (tmp_path / fv.FILENAME).stat().st_size < 0.6 * vecs.nbytes
    assert params["nlist"] == fv.nlist_for(len(vecs)) and params["nprobe"] == fv.NPROBE
    opened = open_vectors(tmp_path, params)
    found = [
        len({i for i, _ in opened.search(q, 10)} & set(_exact(ids, vecs, q, 10))) for q in queries
    ]
    assert sum(found) / (10 * len(queries)) >= 0.95
    # A narrow filter still finds the best allowed vector: more lists are probed.
    allowed = ids[::500]
    assert (
        opened.search(queries[0], 1, allowed)[0][0]
        == _exact(allowed, vecs[::500], queries[0], 1)[0]
    )


@pytest.mark.parametrize("threshold", [10**9, 300])
def test_a_later_build_changes_the_previous_index_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    monkeypatch.setattr(fv, "IVF_THRESHOLD", threshold)
    rng = np.random.default_rng(3)
    vecs = _unit(rng, 1200)
    ids = np.arange(1, 1201)
    first = FaissVectors.empty(DIM)
    first.add(_rows(ids[:1000], vecs[:1000]))
    (tmp_path / "v1").mkdir()
    params = first.save(tmp_path / "v1")

    second = FaissVectors.open(tmp_path / "v1", params, writable=True)
    gone = ids[100:300]
    second.remove(gone)
    second.add(_rows(ids[1000:], vecs[1000:]))
    (tmp_path / "v2").mkdir()
    params2 = second.save(tmp_path / "v2")
    assert params2["index"] == params["index"]  # same type: no retraining needed

    kept = np.setdiff1d(ids, gone)
    reopened = FaissVectors.open(tmp_path / "v2", params2, writable=True)
    got_ids, got_vecs = reopened._contents()
    order = np.argsort(got_ids)
    assert np.array_equal(got_ids[order], kept)
    # float16 past the threshold: equal to within its precision (2**-11 near 1).
    assert np.allclose(got_vecs[order], vecs[kept - 1], rtol=0, atol=5e-4)
    # The first version's file is untouched: readers of it keep their answers.
    assert FaissVectors.open(tmp_path / "v1", params).count() == 1000
