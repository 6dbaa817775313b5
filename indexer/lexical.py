"""The BM25 lexical index, keyed by chunk id, in segments that a build adds to.

    bm25/
      segments.json             the segments, oldest first, with their deletion counts
      seg-LO-HI-TAG/            one immutable segment: the chunks with ids LO..HI when written
        terms.json  indptr.npy  docs.npy  codes.npy  pairs.npy  dl.npy  ids.npy
      seg-LO-HI-TAG.deleted.npz what this version deleted from it since (positions, and
                                the document frequencies they took away)

A segment keeps raw term frequencies, not BM25 scores: scores are computed per query from
corpus-wide statistics (live chunks, their mean length, document frequencies summed over
the segments), so they equal those of one segment built over every chunk, whatever the
segmentation. A build hard-links the previous version's segments into the new one, marks
the chunks deleted since, and writes one segment for the new chunks: adding articles costs
time for those articles, not for the index. Segments merge like a binary counter (the
newest into the one before it while that one holds no more chunks), so there are about
log2(chunks) of them and each chunk is rewritten about as often; a segment more than half
deleted is rewritten without its deleted chunks.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np
import Stemmer
from scipy import sparse

if TYPE_CHECKING:
    from indexer.store import Store

DIRNAME = "bm25"
_STATE = "segments.json"
_ARRAYS = ("indptr", "docs", "codes", "pairs", "dl", "ids")
# Lucene's BM25 (bm25s's default, as this index used before it had segments).
K1, B = 1.5, 0.75
_TEXT_BATCH = 50_000

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float32]]

# Snowball stems, so that "casualties" finds "casualty" and "deployed" "deployment"; the
# same stemmer tokenises the chunks when building and the question when searching.
_STEMMER = Stemmer.Stemmer("english")


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(  # type: ignore[no-any-return]
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


@dataclass
class _Segment:
    home: Path  # the bm25 directory it was loaded from
    name: str
    terms: dict[str, int]
    indptr: IntArray
    docs: np.ndarray[Any, np.dtype[np.int32]]  # chunk positions, per term
    # A posting's BM25 weight depends only on its term frequency and its chunk's length:
    # each posting holds the code of its (tf, length) pair, few and shared by many, so a
    # query weighs a list by looking up a table of the pairs instead of computing per chunk.
    codes: np.ndarray[Any, np.dtype[np.unsignedinteger[Any]]]
    pairs: np.ndarray[Any, np.dtype[np.int64]]  # (tf, tokens in the chunk) per code
    dl: np.ndarray[Any, np.dtype[np.int32]]  # tokens per chunk
    ids: IntArray  # chunk id at each position, ascending
    deleted: IntArray  # positions
    df_minus: dict[int, int]  # term column -> deleted chunks holding it

    @classmethod
    def load(cls, bm25: Path, name: str) -> _Segment:
        seg = bm25 / name
        # Memory-mapped, as plain arrays: numpy's memmap subclass slows every slice.
        arrays = {a: np.asarray(np.load(seg / f"{a}.npy", mmap_mode="r")) for a in _ARRAYS}
        terms = json.loads((seg / "terms.json").read_text())
        deleted, df_minus = np.empty(0, dtype=np.int64), {}
        gone = bm25 / f"{name}.deleted.npz"
        if gone.exists():
            with np.load(gone) as npz:
                deleted = npz["positions"]
                df_minus = dict(zip(npz["cols"].tolist(), npz["counts"].tolist(), strict=True))
        vocab = {t: i for i, t in enumerate(terms)}
        return cls(bm25, name, vocab, deleted=deleted, df_minus=df_minus, **arrays)

    @property
    def live(self) -> int:
        return len(self.ids) - len(self.deleted)

    def df(self, col: int) -> int:
        return int(self.indptr[col + 1] - self.indptr[col]) - self.df_minus.get(col, 0)

    def save_deletions(self, bm25: Path) -> None:
        if len(self.deleted):
            cols = np.array(sorted(self.df_minus), dtype=np.int64)
            counts = np.array([self.df_minus[c] for c in cols.tolist()], dtype=np.int64)
            np.savez(
                bm25 / f"{self.name}.deleted.npz", positions=self.deleted, cols=cols, counts=counts
            )


def _write_segment(bm25: Path, ids: list[int], texts: list[str]) -> str:
    """A new segment over these chunks (ids ascending); its name."""
    terms: dict[str, int] = {}
    rows, cols, lengths = [], [], []
    for start in range(0, len(texts), _TEXT_BATCH):
        docs = _tokens(texts[start : start + _TEXT_BATCH])
        found = [terms.setdefault(t, len(terms)) for doc in docs for t in doc]
        length = np.array([len(doc) for doc in docs], dtype=np.int64)
        rows.append(np.repeat(np.arange(start, start + len(docs)), length))
        cols.append(np.array(found, dtype=np.int64))
        lengths.append(length)
    row, col = np.concatenate(rows), np.concatenate(cols)
    # Duplicates summed: the counts of each term in each chunk, grouped by term.
    counts = sparse.csc_matrix(
        (np.ones(len(row), dtype=np.float32), (row, col)), shape=(len(texts), len(terms))
    )
    counts.sum_duplicates()
    name = f"seg-{ids[0]}-{ids[-1]}-{uuid.uuid4().hex[:6]}"
    seg = bm25 / name
    seg.mkdir()
    np.save(seg / "indptr.npy", counts.indptr.astype(np.int64))
    np.save(seg / "docs.npy", counts.indices.astype(np.int32))
    dl = np.concatenate(lengths)
    keys = counts.data.astype(np.int64) << 32 | dl[counts.indices]
    unique, codes = np.unique(keys, return_inverse=True)
    np.save(seg / "codes.npy", codes.astype(np.uint16 if len(unique) <= 1 << 16 else np.uint32))
    np.save(seg / "pairs.npy", np.stack([unique >> 32, unique & 0xFFFFFFFF], axis=1))
    np.save(seg / "dl.npy", dl.astype(np.int32))
    np.save(seg / "ids.npy", np.array(ids, dtype=np.int64))
    (seg / "terms.json").write_text(json.dumps(list(terms), ensure_ascii=False))
    return name


def _segments(directory: Path) -> list[_Segment]:
    bm25 = directory / DIRNAME
    state = json.loads((bm25 / _STATE).read_text())
    return [_Segment.load(bm25, s["name"]) for s in state["segments"]]


def _weights(pairs: np.ndarray[Any, np.dtype[np.int64]], avgdl: float) -> FloatArray:
    """Lucene's BM25 term-frequency part for each (tf, chunk length) pair, with the
    corpus-wide mean length: the same pair weighs the same in every segment."""
    tf, dl = pairs[:, 0].astype(np.float64), pairs[:, 1].astype(np.float64)
    return (tf / (tf + K1 * (1 - B + B * dl / avgdl))).astype(np.float32)


class LexicalIndex:
    """The segments of one version, scored together as one BM25 index."""

    def __init__(self, segments: list[_Segment]) -> None:
        self._segments = segments
        self._offsets = np.cumsum([0] + [len(s.ids) for s in segments])
        ids = [s.ids for s in segments]
        self._ids = np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)
        self._deleted = np.concatenate(
            [s.deleted + off for s, off in zip(segments, self._offsets, strict=False)] or [[]]
        ).astype(np.int64)
        self._n = sum(s.live for s in segments)
        # Summed as integers: a float32 sum of a million lengths rounds, and rounds
        # differently for each segmentation.
        total = sum(
            int(s.dl.sum(dtype=np.int64) - s.dl[s.deleted].sum(dtype=np.int64)) for s in segments
        )
        avgdl = total / self._n if self._n else 1.0
        self._weights = [_weights(s.pairs, avgdl) for s in segments]

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        return cls(_segments(directory))

    def __len__(self) -> int:
        return self._n

    def scores(self, tokens: list[str]) -> FloatArray:
        """BM25 of every chunk position for the query tokens (a repeated word counts again)."""
        out = np.zeros(len(self._ids), dtype=np.float32)
        for term in tokens:
            hits = [(i, s.terms[term]) for i, s in enumerate(self._segments) if term in s.terms]
            df = sum(self._segments[i].df(col) for i, col in hits)
            if df <= 0:
                continue
            idf = np.float32(math.log(1 + (self._n - df + 0.5) / (df + 0.5)))
            for i, col in hits:
                seg, lo, hi = self._segments[i], self._offsets[i], self._offsets[i + 1]
                start, end = seg.indptr[col], seg.indptr[col + 1]
                # Positions within one term's list are distinct: a plain += adds each once.
                # (As intp, which numpy would otherwise convert them to twice.)
                docs = seg.docs[start:end].astype(np.intp)
                out[lo:hi][docs] += np.take(idf * self._weights[i], seg.codes[start:end])
        out[self._deleted] = 0
        return out

    def search(
        self, query: str, k: int, allowed: IntArray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk id, BM25 score > 0), within `allowed` chunk ids if given."""
        tokens = _tokens([query])[0]
        if not tokens or not self._n:
            return []
        scores = self.scores(tokens)
        if allowed is not None:
            scores[~np.isin(self._ids, allowed)] = 0
        top = top_k(scores, k)
        return [(int(self._ids[i]), float(scores[i])) for i in top]


@dataclass
class _Planned:
    """One segment of the version being written: carried over, or written from the store."""

    lo: int  # the chunk id range it covers
    hi: int
    live: int
    carried: _Segment | None = None
    newly_deleted: IntArray | None = None  # chunk ids of `carried` deleted since


def write_lexical(
    staging: Path,
    store: Store,
    previous: Path | None = None,
    previous_store: Store | None = None,
    gone: IntArray | None = None,
) -> None:
    """Write the BM25 index of `store` into `staging`: the `previous` version's segments
    with the chunks in `gone` marked deleted, and a segment for the chunks added since."""
    bm25 = staging / DIRNAME
    bm25.mkdir()
    plan = (
        []
        if previous is None
        else _carried(previous, np.empty(0, dtype=np.int64) if gone is None else gone)
    )
    count, last = store.chunks_after(plan[-1].hi if plan else 0)
    if count:
        plan.append(_Planned(plan[-1].hi + 1 if plan else 1, last, count))
    names = []
    for p in _merged(plan):
        if p.carried is None:
            pairs = list(store.chunk_texts(p.lo, p.hi))
            names.append(_write_segment(bm25, [i for i, _ in pairs], [t for _, t in pairs]))
            continue
        seg = p.carried
        if p.newly_deleted is not None and len(p.newly_deleted):
            assert previous_store is not None
            _forget(seg, p.newly_deleted, previous_store)
        _link_tree(seg.home / seg.name, bm25 / seg.name)
        seg.save_deletions(bm25)
        names.append(seg.name)
    (bm25 / _STATE).write_text(json.dumps({"segments": [{"name": n} for n in names]}, indent=1))


def _carried(previous: Path, gone: IntArray) -> list[_Planned]:
    """The previous version's segments, each with the chunks in `gone` it holds marked."""
    plan = []
    gone = np.sort(gone)
    for seg in _segments(previous):
        mine = gone[(gone >= seg.ids[0]) & (gone <= seg.ids[-1])]
        pos = np.searchsorted(seg.ids, mine)
        seg.deleted = np.union1d(seg.deleted, pos).astype(np.int64)
        plan.append(_Planned(int(seg.ids[0]), int(seg.ids[-1]), seg.live, seg, mine))
    return plan


def _merged(plan: list[_Planned]) -> list[_Planned]:
    """The segments to keep as they are and the ranges to write anew (`carried` None)."""
    out: list[_Planned] = []
    for p in plan:
        if p.live == 0:
            continue
        if p.carried is not None and len(p.carried.deleted) > p.live:
            p = _Planned(p.lo, p.hi, p.live)  # more than half deleted: rewritten without
        out.append(p)
        # A binary counter: sizes fall from the oldest segment to the newest, so there are
        # about log2(chunks) segments and a chunk is rewritten about as many times.
        while len(out) >= 2 and out[-2].live <= out[-1].live:
            newer, older = out.pop(), out.pop()
            out.append(_Planned(older.lo, newer.hi, older.live + newer.live))
    return out


def _forget(seg: _Segment, ids: IntArray, previous_store: Store) -> None:
    """Take the deleted chunks' terms out of the segment's document frequencies, reading
    their texts from the previous version (the new one no longer has them)."""
    for start in range(0, len(ids), _TEXT_BATCH):
        chunks = previous_store.chunks(ids[start : start + _TEXT_BATCH].tolist())
        for doc in _tokens([c.text for c in chunks.values()]):
            for term in set(doc):
                col = seg.terms[term]
                seg.df_minus[col] = seg.df_minus.get(col, 0) + 1


def _link_tree(source: Path, target: Path) -> None:
    """Segments never change once written: a new version hard-links them (a copy where
    the file system has no hard links)."""
    target.mkdir()
    for path in source.iterdir():
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def top_k(scores: np.ndarray[Any, np.dtype[Any]], k: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Positions of the `k` best positive scores, best first, ties by position.

    Only the chunks holding a query word score above zero; among them a partial sort
    (O(n)) finds the k-th best score, and only the candidates at or above it are sorted,
    so a query over a million chunks does not sort a million scores.
    """
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    keep = np.flatnonzero(scores > 0)
    if k < len(keep):
        found = scores[keep]
        kth = np.partition(found, len(found) - k)[len(found) - k]
        keep = keep[found >= kth]
    order = np.lexsort((keep, -scores[keep]))
    return keep[order][:k]
