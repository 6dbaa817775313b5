from __future__ import annotations

import itertools
import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from indexer.build import BuildOptions, update_index
from indexer.embed import Embedder
from indexer.index import Index, current_version
from indexer.lexical import (
    DIRNAME,
    LexicalIndex,
    _merged,
    _Planned,
    _Segment,
    _tokens,
    _weights,
    top_k,
    write_lexical,
)
from indexer.models import Article
from indexer.store import ArticleFilter

# Small chunks, rules for claims: many chunks per article, quickly.
OPTIONS = BuildOptions(chunk_max_chars=120, chunk_overlap=0, claim_extractor="rules")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 3, 10, 500])
def test_partial_top_k_equals_a_stable_full_sort(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, many zeros: ties at the k-th place and fewer positives than k.
    scores = rng.integers(0, 6, 300).astype(np.float32) * rng.integers(0, 2, 300)
    full = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
    assert top_k(scores, k).tolist() == full


def test_top_k_of_nothing_is_empty() -> None:
    assert top_k(np.zeros(0, dtype=np.float32), 5).tolist() == []
    assert top_k(np.zeros(4, dtype=np.float32), 5).tolist() == []


class Corpus:
    """Articles of made-up words drawn with Zipf frequencies: common and rare terms."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        letters = list("abcdefghiklmnoprstuvw")
        self.words = sorted(
            {"".join(self.rng.choice(letters, self.rng.integers(4, 9))) for _ in range(400)}
        )
        weights = 1 / np.arange(1, len(self.words) + 1)
        self.p = weights / weights.sum()
        self.made = 0

    def sentence(self) -> str:
        words = self.rng.choice(self.words, self.rng.integers(5, 12), p=self.p)
        return " ".join(words).capitalize() + "."

    def article(self, source: str | None = None) -> Article:
        self.made += 1
        body = " ".join(self.sentence() for _ in range(self.rng.integers(2, 6)))
        aid = f"a{self.made}"
        text = f"Story {aid}\n\n{body}"
        return Article(id=aid, title=f"Story {aid}", text=text, source=source or f"/{aid}.txt")

    def query(self) -> str:
        return " ".join(self.rng.choice(self.words, self.rng.integers(1, 4), p=self.p))


def _rebuilt(index: Index, where: Path) -> LexicalIndex:
    """One segment over every chunk of the index's store: what a full rebuild gives."""
    where.mkdir()
    write_lexical(where, index.store)
    return LexicalIndex.load(where)


def _segments(version: Path) -> list[str]:
    state = json.loads((version / DIRNAME / "segments.json").read_text())
    return [s["name"] for s in state["segments"]]


def test_versions_built_in_steps_rank_as_one_full_rebuild(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = Corpus(0)
    index_dir = tmp_path / "index"
    stored = [corpus.article() for _ in range(24)]
    update_index(index_dir, embedder, stored, options=OPTIONS)
    seen_deletions = seen_merge = 0
    most_segments = 1
    for step in range(7):
        before = _segments(current_version(index_dir))  # type: ignore[arg-type]
        added = [corpus.article() for _ in range(int(corpus.rng.integers(1, 6)))]
        # An edited file (a new id from the same source) and a removed article: deletions
        # in the carried segments, and a removed segment's worth at one step.
        edited = corpus.article(source=stored[step].source)
        removed = [stored[step + 10].id]
        update_index(index_dir, embedder, [*added, edited], remove=removed, options=OPTIONS)
        stored += added
        index = Index.open(index_dir)
        after = _segments(index.directory)
        most_segments = max(most_segments, len(after))
        seen_merge += len(after) < len(before) + 1
        bm25 = index.directory / DIRNAME
        seen_deletions += any((bm25 / f"{n}.deleted.npz").exists() for n in after)
        full = _rebuilt(index, tmp_path / f"full{step}")
        assert len(index.lexical) == len(full) == index.manifest.counts["chunks"]
        for _ in range(25):
            q = corpus.query()
            got, want = index.lexical.search(q, 10), full.search(q, 10)
            assert [i for i, _ in got] == [i for i, _ in want], q
            assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-6, atol=0), q
        index.close()
    # The steps did exercise what they were meant to.
    assert most_segments >= 2 and seen_merge and seen_deletions


def test_scores_are_bm25s_scores_over_the_same_chunks(tmp_path: Path, embedder: Embedder) -> None:
    corpus = Corpus(1)
    update_index(tmp_path / "i", embedder, [corpus.article() for _ in range(12)], options=OPTIONS)
    index = Index.open(tmp_path / "i")
    texts = [t for _, t in index.store.chunk_texts()]
    reference = bm25s.BM25()  # Lucene's BM25, k1 1.5, b 0.75
    reference.index(_tokens(texts), show_progress=False)
    for _ in range(20):
        tokens = _tokens([corpus.query()])[0]
        assert np.allclose(
            index.lexical.scores(tokens), reference.get_scores(tokens), rtol=1e-5, atol=1e-6
        )


def test_adding_articles_links_the_old_segments_instead_of_rewriting_them(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = Corpus(2)
    update_index(tmp_path, embedder, [corpus.article() for _ in range(16)], options=OPTIONS)
    first = current_version(tmp_path)
    assert first is not None
    [base] = _segments(first)
    files = {p.name: p.stat().st_ino for p in (first / DIRNAME / base).iterdir()}
    update_index(tmp_path, embedder, [corpus.article()], options=OPTIONS)
    second = current_version(tmp_path)
    assert second is not None and second != first
    names = _segments(second)
    assert names[0] == base and len(names) == 2
    assert {p.name: p.stat().st_ino for p in (second / DIRNAME / base).iterdir()} == files
    new = Index.open(tmp_path).store.chunk_ids(ArticleFilter(article_id=f"a{corpus.made}"))
    assert names[1].startswith(f"seg-{int(new.min())}-{int(new.max())}-")


def test_a_segment_more_than_half_deleted_is_rewritten_without_them(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = Corpus(3)
    articles = [corpus.article() for _ in range(6)]
    update_index(tmp_path, embedder, articles, options=OPTIONS)
    update_index(tmp_path, embedder, remove=[a.id for a in articles[:4]], options=OPTIONS)
    index = Index.open(tmp_path)
    [name] = _segments(index.directory)
    assert not (index.directory / DIRNAME / f"{name}.deleted.npz").exists()
    assert len(index.lexical) == index.manifest.counts["chunks"]
    held = np.load(index.directory / DIRNAME / name / "ids.npy")
    assert held.tolist() == index.store.chunk_ids(ArticleFilter()).tolist()


def test_segments_merge_like_a_binary_counter() -> None:
    plan: list[_Planned] = []
    for step in range(1, 101):
        plan = _merged([*plan, _Planned(step, step, 1)])
        sizes = [p.live for p in plan]
        # Sizes fall strictly from oldest to newest, so at most log2(chunks) + 1 segments.
        assert sum(sizes) == step and all(a > b for a, b in itertools.pairwise(sizes))
        assert sizes == [1 << b for b in reversed(range(step.bit_length())) if step >> b & 1]


# Every (tf, length) pair a chunk of up to 200 tokens can hold a word 1 to 5 times.
PAIRS = np.array([(tf, n) for tf in range(1, 6) for n in range(1, 201)], dtype=np.int64)


def _lengths_only(dl: np.ndarray, first_id: int) -> _Segment:
    """A segment with chunk lengths and every pair, no postings."""
    return _Segment(
        home=Path("."),
        name="s",
        terms={},
        indptr=np.zeros(1, dtype=np.int64),
        docs=np.empty(0, dtype=np.int32),
        codes=np.empty(0, dtype=np.uint16),
        pairs=PAIRS,
        dl=dl,
        ids=np.arange(first_id, first_id + len(dl), dtype=np.int64),
        deleted=np.empty(0, dtype=np.int64),
        df_minus={},
    )


def test_the_mean_length_is_exact_at_a_million_chunks_however_they_are_split() -> None:
    # Past 2**24 tokens a float32 sum rounds, and differently for each split.
    dl = np.random.default_rng(0).integers(1, 80, 1_000_000).astype(np.int32)
    exact = _weights(PAIRS, int(dl.sum(dtype=np.int64)) / len(dl)).tobytes()
    whole = LexicalIndex([_lengths_only(dl, 1)])
    split = LexicalIndex([_lengths_only(dl[:998_763], 1), _lengths_only(dl[998_763:], 998_764)])
    assert whole._weights[0].tobytes() == exact
    assert split._weights[0].tobytes() == split._weights[1].tobytes() == exact
