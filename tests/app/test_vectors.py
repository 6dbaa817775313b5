from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.vectors import VectorCache
from indexer.embed import Embedder, Vectors


class _Counting(Embedder):
    """The real embedder, recording what it is asked to embed."""

    def __init__(self, real: Embedder) -> None:
        self.__dict__.update(real.__dict__)
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors:
        self.asked += texts
        return super().embed(texts, show_progress)


def test_each_text_is_embedded_once_and_as_the_embedder_embeds_it(embedder: Embedder) -> None:
    counting = _Counting(embedder)
    cache = VectorCache(counting)
    texts = ["Rivers will rise.", "The club won.", "Rivers will rise."]
    first = cache.embed(texts)
    again = cache.embed(["The club won.", "A new sentence."])
    assert counting.asked == ["Rivers will rise.", "The club won.", "A new sentence."]
    np.testing.assert_allclose(first, embedder.embed(texts), atol=1e-5)
    np.testing.assert_allclose(again[0], first[1])
    assert cache.embed([]).shape == (0, embedder.dim)


def test_vectors_added_from_the_index_are_not_embedded_again(embedder: Embedder) -> None:
    counting = _Counting(embedder)
    cache = VectorCache(counting)
    stored = np.eye(2, embedder.dim, dtype=np.float32)
    cache.add(["first sentence", "second sentence"], stored)
    got = cache.embed(["second sentence", "a question?"])
    assert counting.asked == ["a question?"]
    np.testing.assert_array_equal(got[0], stored[1])


def test_the_cache_keeps_the_most_recently_used_texts(embedder: Embedder) -> None:
    counting = _Counting(embedder)
    cache = VectorCache(counting, size=2)
    cache.embed(["one", "two"])
    cache.embed(["one"])  # "two" is now the least recently used
    cache.embed(["three"])
    assert len(cache) == 2
    cache.embed(["one", "two"])
    assert counting.asked == ["one", "two", "three", "two"]


class _Table:
    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        return {t: self.vectors[t] for t in texts if t in self.vectors}


def test_texts_in_the_stored_table_are_read_not_embedded(embedder: Embedder) -> None:
    counting = _Counting(embedder)
    cache = VectorCache(counting)
    stored = np.eye(1, embedder.dim, dtype=np.float32)[0]
    cache.read_from(_Table({"warned": stored}))
    got = cache.embed(["warned", "a question?", "warned"])
    assert counting.asked == ["a question?"]
    np.testing.assert_array_equal(got[0], stored)
    np.testing.assert_array_equal(got[2], stored)
