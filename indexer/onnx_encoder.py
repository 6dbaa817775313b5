"""The embedding model's transformer run by ONNX Runtime instead of PyTorch: the same
vectors (cosine 1.0000 with PyTorch's on PolNeAR dev sentences) in half the time for one
text, which is what question time embeds (`indexer.embed.ONNX_MAX_TEXTS`).

The ONNX graph is exported here, once, from the installed weights by PyTorch's own
exporter, and kept in a cache folder keyed by the weights' hash and the PyTorch version:
nothing is downloaded. (sentence-transformers' own ONNX backend exports through optimum,
whose ONNX package pins transformers below the version this project runs.) The graph
returns every layer's hidden states (a caller asks for the ones it reads), as the
indexer's one pass over a chunk does for the attribution tagger.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer.errors import IndexerError

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
CACHE = Path(os.environ.get("ACCORDINGTO_CACHE_DIR", Path.home() / ".cache" / "accordingto"))
_OPSET = 17


class OnnxTransformer:
    """An exported transformer: token ids in, every layer's hidden states out."""

    def __init__(self, transformer: Any, model_dir: Path, threads: int) -> None:
        try:
            import onnxruntime as ort
        except ImportError as e:  # pragma: no cover - a dependency of the package
            raise IndexerError(
                "The ONNX encoder needs onnxruntime: pip install onnxruntime onnx, or set "
                "ACCORDINGTO_ENCODER_BACKEND=torch."
            ) from e
        path = _exported(transformer, model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # ONNX Runtime's threads spin for a while after each run by default, taking the
        # cores from what comes next (a FAISS search right after the question's embedding
        # took 3.1 ms instead of 0.14 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.depth = int(transformer.config.num_hidden_layers)

    def hidden_states(
        self, encoded: Mapping[str, Any], layers: Sequence[int]
    ) -> list[npt.NDArray[np.float32]]:
        """The hidden states of `layers` (0 the input embeddings, `depth` or -1 the last
        layer), each (batch, pieces, dim), of a tokenizer's output; only those are copied
        out of the run."""
        feed = {k: np.asarray(encoded[k], dtype=np.int64) for k in INPUTS}
        names = [f"hidden_{k % (self.depth + 1)}" for k in layers]
        return [np.asarray(h, dtype=np.float32) for h in self.session.run(names, feed)]


def _exported(transformer: Any, model_dir: Path) -> Path:
    """The ONNX file of `transformer` (a Hugging Face model), exported on first use."""
    import torch

    weights = sorted(model_dir.rglob("*.safetensors")) or sorted(model_dir.rglob("*.bin"))
    digest = hashlib.sha256()
    for w in weights:
        digest.update(w.read_bytes())
    digest.update(torch.__version__.encode())
    folder = CACHE / "onnx" / digest.hexdigest()[:16]
    path = folder / "model.onnx"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    depth = int(transformer.config.num_hidden_layers)

    class _AllStates(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                output_hidden_states=True,
            )
            return tuple(out.hidden_states)

    example = torch.ones((2, 8), dtype=torch.long)
    outputs = [f"hidden_{k}" for k in range(depth + 1)]
    axes = {name: {0: "batch", 1: "pieces"} for name in (*INPUTS, *outputs)}
    # Written beside its final name and renamed: a process that stops mid-export, or two
    # exporting at once, never leave a partial file where a reader looks.
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".onnx", delete=False) as tmp:
        staging = Path(tmp.name)
    try:
        # The tracer warns that shapes it reads become constants (the attention mask's
        # padding, never used by this encoder); the graph is checked against PyTorch's
        # vectors over padded batches of every length by the tests, not trusted on that.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _AllStates(transformer.eval()),
                (example, example, torch.zeros_like(example)),
                str(staging),
                input_names=list(INPUTS),
                output_names=outputs,
                dynamic_axes=axes,
                opset_version=_OPSET,
                dynamo=False,
            )
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
    return path
