"""The embedding model run by ONNX Runtime: the vectors and token states PyTorch gives,
an export made once and never left half-written, and a clear refusal of models it does
not run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from indexer import onnx_encoder
from indexer.embed import BUNDLED_MODEL, Embedder, resolve_model_path
from indexer.errors import IndexerError

# Lengths from two words to past the model's 256-piece limit, so batches pad and truncate.
TEXTS = [
    "Who said it?",
    "The health ministry said on Monday that 120 people had died in the floods.",
    "“We will not accept these figures,” the opposition leader told reporters in the "
    "capital, adding that the real toll was far higher and that the government had "
    "stopped counting the missing weeks ago.",
    " ".join(["The agency revised its estimate again."] * 60),
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(BUNDLED_MODEL, 2, "torch")


def test_onnx_gives_pytorchs_vectors_alone_and_in_padded_batches(
    embedder: Embedder, torch_embedder: Embedder
) -> None:
    assert embedder.backend == "onnx"
    expected = torch_embedder.embed(TEXTS)
    batched = Embedder(BUNDLED_MODEL, 3, "onnx").embed(TEXTS)
    alone = np.concatenate([embedder.embed([t]) for t in TEXTS])
    for got in (batched, alone):
        assert got.shape == expected.shape and got.dtype == np.float32
        assert np.allclose((got * expected).sum(axis=1), 1.0, atol=1e-5)


def test_onnx_passages_give_pytorchs_token_states_and_the_embed_vector(
    embedder: Embedder, torch_embedder: Embedder
) -> None:
    layers = (2, 4, -1)
    expected = torch_embedder.encode_passages(TEXTS, layers)
    got = embedder.encode_passages(TEXTS, layers)
    vectors = embedder.embed(TEXTS)
    for e, g, v in zip(expected, got, vectors, strict=True):
        assert np.array_equal(e.offsets, g.offsets)
        assert g.token_states.shape == e.token_states.shape == (len(g.offsets), 3 * 384)
        assert np.abs(g.token_states.astype(np.float32) - e.token_states).max() < 0.02
        assert float(g.vector @ v) > 0.99999


def test_the_export_is_made_once_and_never_left_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    monkeypatch.setattr(onnx_encoder, "CACHE", tmp_path)
    real = torch.onnx.export

    def interrupted(model: Any, args: Any, f: str, **kwargs: Any) -> None:
        Path(f).write_bytes(b"half a graph")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch.onnx, "export", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Embedder(BUNDLED_MODEL, 8, "onnx")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    monkeypatch.setattr(torch.onnx, "export", real)
    first = Embedder(BUNDLED_MODEL, 8, "onnx")
    [exported] = tmp_path.rglob("*.onnx")
    monkeypatch.setattr(torch.onnx, "export", interrupted)  # a second export would fail
    again = Embedder(BUNDLED_MODEL, 8, "onnx")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [exported]
    assert np.array_equal(first.embed(TEXTS[:2]), again.embed(TEXTS[:2]))


def test_a_model_that_is_not_mean_pooled_is_refused_with_the_setting_to_use(
    tmp_path: Path,
) -> None:
    model = tmp_path / "cls-model"
    shutil.copytree(resolve_model_path(BUNDLED_MODEL), model)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    with pytest.raises(IndexerError, match="ACCORDINGTO_ENCODER_BACKEND=torch"):
        Embedder(str(model), 8, "onnx")
    assert Embedder(str(model), 8, "torch").embed(["still runs"]).shape == (1, 384)
