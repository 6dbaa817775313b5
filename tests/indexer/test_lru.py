from __future__ import annotations

from indexer.lru import LRU


def test_the_least_recently_used_entry_is_forgotten_first() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put_many([("a", 1), ("b", 2)])
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put_many([("c", 3)])
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_a_batch_larger_than_the_map_keeps_its_last_entries() -> None:
    cache: LRU[int, int] = LRU(3)
    cache.put_many((k, k * k) for k in range(5))
    assert [cache.get(k) for k in range(5)] == [None, None, 4, 9, 16]
