from __future__ import annotations

import numpy as np
import pytest

from indexer.lexical import top_k


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
