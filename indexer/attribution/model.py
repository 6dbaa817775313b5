"""The learned attribution tagger: find cues, then each cue's source and content.

Two small heads over the same token rows (`features.py`): the cue tagger labels every
token of a sentence window B/I/O as a cue; the role tagger, run once per found cue over
the sentences around it, labels tokens as that cue's source or content. Tagging per cue
links the three roles by construction and lets attributions nest ("X said that Y
claimed Z" gives two), which one flat tagging pass cannot. Each head is a linear
projection of the encoder states plus embeddings of the categorical columns, read by a
small bidirectional LSTM; the encoder itself stays frozen, so the pass that embeds
the chunks also feeds the tagger.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from indexer.attribution.features import (
    CUE_COLUMNS,
    RULE_COLUMNS,
    TOKEN_COLUMNS,
    ArticleFeatures,
    IntArray,
    Vocab,
    cue_columns,
)
from indexer.embed import BUNDLED_MODEL, get_embedder, resolve_model_path
from indexer.errors import IndexerError

DATA_DIR = Path(__file__).parent / "data"
WEIGHTS = DATA_DIR / "tagger.pt"
TRAIN_COMMAND = "accordingto train attribution ../shared/data/polnear"

# Role-tagger labels.
OUTSIDE, B_SRC, I_SRC, B_CON, I_CON = range(5)
CUE_WINDOW = 128  # tokens per cue-tagger window (whole sentences where they fit)
ROLE_BEFORE, ROLE_WINDOW = 48, 112  # tokens around a cue the role tagger reads
WORD = "word"  # the lemma column, read when the vocabulary has lemmas


@dataclass(frozen=True)
class TaggerConfig:
    """The architecture and inputs; saved with the weights."""

    use_rules: bool = True  # read the rule-based extractor's output as evidence
    # The encoder's hidden states the tagger reads, side by side (0 the input
    # embeddings, -1 the last layer, the one whose pooled output is the chunk vector).
    encoder_layers: tuple[int, ...] = (-1,)
    state_dim: int = 384  # per layer
    projection: int = 96
    hidden: int = 128
    layers: int = 1
    embedding_dim: int = 8
    word_dim: int = 32  # the lemma column's embedding, when the vocabulary has lemmas
    dropout: float = 0.25
    # Decoding: a token is a cue, or content, when the head gives it at least this
    # probability (chosen on dev after training; 0.5 is close to the most likely label).
    cue_threshold: float = 0.5
    content_threshold: float = 0.5
    # Fine-tuning: the encoder's layers above this one run again over the token rows,
    # starting from this layer's states (one of `encoder_layers`), with weights that
    # start as the bundled model's and are trained with the heads (None: frozen encoder,
    # no extra layers). Shared by both heads; each head adds its own columns to the
    # input rows, so the role tagger's layers know which cue they read for.
    refine_from: int | None = None


class _Refiner(nn.Module):
    """The encoder's top layers, run again over token rows (each a token's mean word-piece
    state at `refine_from`). Built from the base model's configuration; the weights come
    from the base model when training starts and from the tagger's file after."""

    def __init__(self, config: TaggerConfig) -> None:
        super().__init__()
        from transformers import AutoConfig, AutoModel

        assert config.refine_from is not None
        base = AutoConfig.from_pretrained(resolve_model_path(BUNDLED_MODEL))
        self.slot = config.encoder_layers.index(config.refine_from)
        first = config.refine_from % (base.num_hidden_layers + 1)
        # A randomly initialised base model of the same shape (its weights are not
        # read here) whose top layers become ours.
        model: Any = AutoModel.from_config(base)  # type: ignore[no-untyped-call]
        self.layers = nn.ModuleList(model.encoder.layer[first:])
        self.state_dim = config.state_dim

    def start_from_base(self) -> None:
        """Copy the bundled model's weights into the layers (training starts here)."""
        transformer: Any = get_embedder(BUNDLED_MODEL)._model[0]
        encoder = transformer.auto_model.encoder
        top = encoder.layer[len(encoder.layer) - len(self.layers) :]
        for mine, theirs in zip(self.layers, top, strict=True):
            mine.load_state_dict(theirs.state_dict())

    def start(self, states: torch.Tensor) -> torch.Tensor:
        """The rows' states at `refine_from`, out of the side-by-side layers."""
        lo = self.slot * self.state_dim
        return states[..., lo : lo + self.state_dim]

    def forward(self, hidden: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """`hidden`: (windows, tokens, state_dim) rows to run the layers over."""
        keep = torch.arange(hidden.shape[1])[None, :] < lengths[:, None]
        # Additive attention mask, as the encoder's own layers take it.
        mask = (~keep)[:, None, None, :].to(hidden.dtype) * torch.finfo(hidden.dtype).min
        for layer in self.layers:
            hidden = layer(hidden, attention_mask=mask)
        return hidden


class _Head(nn.Module):
    def __init__(
        self, config: TaggerConfig, columns: Sequence[str], sizes: dict[str, int], labels: int
    ) -> None:
        super().__init__()
        refined = config.state_dim if config.refine_from is not None else 0
        self.proj = nn.Linear(
            config.state_dim * len(config.encoder_layers) + refined, config.projection
        )
        dims = [config.word_dim if c == WORD else config.embedding_dim for c in columns]
        self.embeddings = nn.ModuleList(
            nn.Embedding(sizes[c], d) for c, d in zip(columns, dims, strict=True)
        )
        # What the columns add to the refining layers' input rows: zero at first, so
        # training starts from the base model's own computation.
        self.inject = nn.Linear(sum(dims), refined) if refined else None
        if self.inject is not None:
            nn.init.zeros_(self.inject.weight)
            nn.init.zeros_(self.inject.bias)
        width = config.projection + sum(dims)
        self.dropout = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(
            width,
            config.hidden,
            num_layers=config.layers,
            bidirectional=True,
            batch_first=True,
            dropout=config.dropout if config.layers > 1 else 0.0,
        )
        self.out = nn.Linear(2 * config.hidden, labels)

    def forward(
        self,
        states: torch.Tensor,
        cats: torch.Tensor,
        lengths: torch.Tensor,
        refiner: _Refiner | None = None,
    ) -> torch.Tensor:
        columns = [emb(cats[..., k]) for k, emb in enumerate(self.embeddings)]
        if refiner is not None and self.inject is not None:
            start = refiner.start(states) + self.inject(torch.cat(columns, dim=-1))
            states = torch.cat([states, refiner(start, lengths)], dim=-1)
        x = self.dropout(torch.cat([torch.relu(self.proj(states)), *columns], dim=-1))
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        hidden, _ = self.lstm(packed)
        hidden, _ = nn.utils.rnn.pad_packed_sequence(
            hidden, batch_first=True, total_length=x.shape[1]
        )
        logits: torch.Tensor = self.out(self.dropout(hidden))
        return logits


@dataclass(frozen=True)
class Window:
    """Tokens [lo, hi) of one article, with extra per-token columns for the role tagger."""

    lo: int
    hi: int
    extra: IntArray | None = None


@dataclass(frozen=True)
class FoundAttribution:
    """A tagged attribution, as character spans of the article text."""

    cue: tuple[int, int]
    content: tuple[int, int]
    source: tuple[int, int] | None


@dataclass(frozen=True)
class Tagged:
    """One article's attributions, and the cues the cue head found that the role head
    then turned down (no content), as character spans."""

    found: list[FoundAttribution]
    rejected: list[tuple[int, int]]


@dataclass
class AttributionTagger:
    """The two heads with their vocabulary and configuration."""

    config: TaggerConfig
    vocab: Vocab
    cue_head: _Head = field(init=False)
    role_head: _Head = field(init=False)
    meta: dict[str, Any] = field(default_factory=dict)

    refiner: _Refiner | None = field(init=False)

    def __post_init__(self) -> None:
        sizes = self.vocab.sizes()
        self.cue_head = _Head(self.config, self.token_columns, sizes, 3)
        self.role_head = _Head(self.config, self.role_columns, sizes, 5)
        self.refiner = _Refiner(self.config) if self.config.refine_from is not None else None

    @property
    def token_columns(self) -> list[str]:
        columns = [c for c in TOKEN_COLUMNS if self.config.use_rules or c not in RULE_COLUMNS]
        return [*columns, WORD] if self.vocab.words else columns

    @property
    def role_columns(self) -> list[str]:
        cue = [c for c in CUE_COLUMNS if self.config.use_rules or not c.startswith("cue_rule")]
        return [*self.token_columns, *cue]

    def parts(self) -> dict[str, nn.Module]:
        """The trained modules by the names they are saved under."""
        named: dict[str, nn.Module] = {"cue": self.cue_head, "role": self.role_head}
        if self.refiner is not None:
            named["refine"] = self.refiner
        return named

    def modules(self) -> list[nn.Module]:
        return list(self.parts().values())

    def logits(
        self, head: _Head, states: torch.Tensor, cats: torch.Tensor, lengths: torch.Tensor
    ) -> torch.Tensor:
        logits: torch.Tensor = head(states, cats, lengths, self.refiner)
        return logits

    # --- batching ------------------------------------------------------------------

    def _token_cats(self, features: ArticleFeatures, lo: int, hi: int) -> IntArray:
        keep = [TOKEN_COLUMNS.index(c) for c in self.token_columns if c != WORD]
        cats = features.cats[lo:hi, keep]
        if not self.vocab.words:
            return cats
        words = self.vocab.word_ids(features.lemmas[lo:hi])
        return np.concatenate([cats, words[:, None]], axis=1)

    def _role_extra(self, extra: IntArray) -> IntArray:
        keep = [CUE_COLUMNS.index(c) for c in self.role_columns if c in CUE_COLUMNS]
        return extra[:, keep]

    def batch(
        self, items: Sequence[tuple[ArticleFeatures, Window]], role: bool
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Padded (states, cats, lengths) tensors for windows of articles."""
        longest = max(w.hi - w.lo for _, w in items)
        dim = self.config.state_dim * len(self.config.encoder_layers)
        width = len(self.role_columns if role else self.token_columns)
        states = np.zeros((len(items), longest, dim), dtype=np.float32)
        cats = np.zeros((len(items), longest, width), dtype=np.int64)
        lengths = np.zeros(len(items), dtype=np.int64)
        for b, (f, w) in enumerate(items):
            n = w.hi - w.lo
            states[b, :n] = f.states[w.lo : w.hi]
            token = self._token_cats(f, w.lo, w.hi)
            if role:
                assert w.extra is not None
                token = np.concatenate([token, self._role_extra(w.extra)], axis=1)
            cats[b, :n] = token
            lengths[b] = n
        return torch.from_numpy(states), torch.from_numpy(cats), torch.from_numpy(lengths)

    def role_window(self, features: ArticleFeatures, cue: tuple[int, int]) -> Window:
        """The sentences around a cue (the one before to the one after), at most
        ROLE_WINDOW tokens, with the per-cue columns."""
        sent = features.sentence
        k = int(sent[cue[0]])
        lo = int(np.searchsorted(sent, k - 1, side="left"))
        hi = int(np.searchsorted(sent, k + 1, side="right"))
        lo = max(lo, cue[0] - ROLE_BEFORE)
        hi = min(hi, lo + ROLE_WINDOW)
        lo = min(lo, cue[0])
        hi = max(hi, cue[1])
        return Window(lo, hi, cue_columns(features, cue, (lo, hi), self.vocab))

    # --- prediction ----------------------------------------------------------------

    def predict(
        self, articles: Sequence[ArticleFeatures], batch_size: int = 64
    ) -> list[list[FoundAttribution]]:
        """The attributions of each article, in text order."""
        return [t.found for t in self.tag(articles, batch_size)]

    def tag(self, articles: Sequence[ArticleFeatures], batch_size: int = 64) -> list[Tagged]:
        """Each article's attributions, in text order, with the cues turned down."""
        cues = self.find_cues(articles, batch_size)
        out = [Tagged([], []) for _ in articles]
        jobs = [
            (a, cue, self.role_window(articles[a], cue))
            for a in range(len(articles))
            for cue in cues[a]
        ]
        for part in _chunks(jobs, batch_size):
            items = [(articles[a], w) for a, _, w in part]
            probs = self._probs(self.role_head, items, role=True)
            for (a, cue, w), p in zip(part, probs, strict=True):
                attribution = _decode_roles(articles[a], cue, w, p, self.config.content_threshold)
                if attribution is not None:
                    out[a].found.append(attribution)
                else:
                    out[a].rejected.append(_chars(articles[a], *cue))
        return out

    def find_cues(
        self, articles: Sequence[ArticleFeatures], batch_size: int = 64
    ) -> list[list[tuple[int, int]]]:
        """Each article's cues as [first, last) token ranges, in text order, where the cue
        head's P(cue) reaches the configured threshold."""
        for m in self.modules():
            m.eval()
        cues: list[list[tuple[int, int]]] = [[] for _ in articles]
        windows = [(a, f, w) for a, f in enumerate(articles) for w in cue_windows(f)]
        for part in _chunks(windows, batch_size):
            probs = self._probs(self.cue_head, [(f, w) for _, f, w in part], role=False)
            for (a, _, w), p in zip(part, probs, strict=True):
                row = _cue_labels(p, self.config.cue_threshold)
                cues[a].extend((w.lo + s, w.lo + e) for s, e in _runs(row, 1, 2))
        return cues

    def _probs(
        self, head: _Head, items: Sequence[tuple[ArticleFeatures, Window]], role: bool
    ) -> list[npt.NDArray[np.float32]]:
        states, cats, lengths = self.batch(items, role)
        with torch.inference_mode():
            probs = torch.softmax(self.logits(head, states, cats, lengths), dim=-1).numpy()
        return [probs[b, : int(n)] for b, n in enumerate(lengths)]

    # --- persistence -----------------------------------------------------------------

    def save(self, path: Path = WEIGHTS, meta: dict[str, Any] | None = None) -> None:
        """Half-precision weights, and beside them a JSON file with the configuration,
        the vocabulary, the weights' hash and whatever `meta` records (seed, data)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            name: {k: v.half() for k, v in part.state_dict().items()}
            for name, part in self.parts().items()
        }
        torch.save(state, path)
        info = {
            "config": asdict(self.config),
            "vocab": self.vocab.as_dict(),
            "sha256": _sha256(path),
            **(meta or {}),
        }
        meta_path(path).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        self.meta = info

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> AttributionTagger:
        """The tagger saved at `path`; a missing or damaged file is an error naming it
        and the command that rebuilds it."""
        info_path = meta_path(path)
        rebuild = f"Rebuild it with `{TRAIN_COMMAND}`" + (
            "." if path == WEIGHTS else f" --out {path}."
        )
        if not path.exists() or not info_path.exists():
            missing = path if not path.exists() else info_path
            raise AttributionModelError(
                f"The attribution model file {missing} is missing. {rebuild}"
            )
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            if info.get("sha256") != _sha256(path):
                raise ValueError("its hash does not match the one recorded beside it")
            config = {**info["config"]}
            config["encoder_layers"] = tuple(config.get("encoder_layers", (-1,)))
            tagger = cls(TaggerConfig(**config), Vocab.of(info["vocab"]), meta=info)
            state = torch.load(path, map_location="cpu", weights_only=True)
            if set(state) != set(tagger.parts()):
                raise ValueError(f"it holds {sorted(state)}, not {sorted(tagger.parts())}")
            for name, part in tagger.parts().items():
                part.load_state_dict({k: v.float() for k, v in state[name].items()})
        except Exception as exc:  # any damage: unreadable JSON, torch pickle, shapes
            raise AttributionModelError(
                f"The attribution model file {path} is damaged ({exc}). {rebuild}"
            ) from exc
        for m in tagger.modules():
            m.eval()
        return tagger


class AttributionModelError(IndexerError):
    """The trained attribution model cannot be loaded."""


def meta_path(weights: Path) -> Path:
    return weights.with_suffix(".json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cue_windows(features: ArticleFeatures) -> list[Window]:
    """Whole sentences packed into windows of at most CUE_WINDOW tokens (a longer
    sentence is cut into pieces)."""
    windows: list[Window] = []
    sent = features.sentence
    n = len(features)
    lo = 0
    while lo < n:
        hi = min(lo + CUE_WINDOW, n)
        if hi < n and sent[hi] == sent[hi - 1]:
            # Back off to the last sentence boundary inside the window, if there is one.
            boundary = int(np.searchsorted(sent, sent[hi], side="left"))
            hi = boundary if boundary > lo else hi
        windows.append(Window(lo, hi))
        lo = hi
    return windows


def _runs(labels: IntArray, begin: int, inside: int) -> Iterator[tuple[int, int]]:
    """[start, end) runs of B/I labels; an I with no B before it starts a run."""
    start = None
    for i, label in enumerate(labels):
        if label == begin or (label == inside and start is None):
            if start is not None:
                yield start, i
            start = i
        elif label != inside and start is not None:
            yield start, i
            start = None
    if start is not None:
        yield start, len(labels)


def _cue_labels(probs: npt.NDArray[np.float32], threshold: float) -> IntArray:
    """B/I/O cue labels: a cue token where P(not O) reaches `threshold`."""
    cue = 1.0 - probs[:, 0] >= threshold
    return np.where(cue, np.where(probs[:, 1] >= probs[:, 2], 1, 2), 0)


def _role_labels(probs: npt.NDArray[np.float32], threshold: float) -> IntArray:
    """Role labels: content where P(content) reaches `threshold` and beats P(source),
    source where P(source) beats both other outcomes."""
    source = probs[:, B_SRC] + probs[:, I_SRC]
    content = probs[:, B_CON] + probs[:, I_CON]
    is_content = (content >= threshold) & (content >= source)
    is_source = ~is_content & (source > content) & (source > probs[:, OUTSIDE])
    return np.where(
        is_content,
        np.where(probs[:, B_CON] >= probs[:, I_CON], B_CON, I_CON),
        np.where(is_source, np.where(probs[:, B_SRC] >= probs[:, I_SRC], B_SRC, I_SRC), OUTSIDE),
    )


def _decode_roles(
    features: ArticleFeatures,
    cue: tuple[int, int],
    w: Window,
    probs: npt.NDArray[np.float32],
    threshold: float,
) -> FoundAttribution | None:
    """The cue's content (all its content runs, covered) and its most confident source
    run; no content means the cue was not an attribution after all."""
    labels = _role_labels(probs, threshold)
    content = list(_runs(labels, B_CON, I_CON))
    if not content:
        return None
    sources = list(_runs(labels, B_SRC, I_SRC))
    source = None
    if sources:
        s, e = max(sources, key=lambda r: float(probs[r[0] : r[1], [B_SRC, I_SRC]].sum(-1).mean()))
        source = _chars(features, w.lo + s, w.lo + e)
    first, last = w.lo + content[0][0], w.lo + content[-1][1]
    return FoundAttribution(
        cue=_chars(features, *cue), content=_chars(features, first, last), source=source
    )


def _chars(features: ArticleFeatures, first: int, last: int) -> tuple[int, int]:
    return int(features.spans[first, 0]), int(features.spans[last - 1, 1])


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
