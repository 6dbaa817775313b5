"""Training the attribution tagger on PolNeAR train; dev chooses the epoch.

`accordingto train attribution DATA_DIR` parses and encodes every article once (the same
parse, chunks and encoder pass the indexer uses, so the tagger trains on the rows it will
read), trains both heads, keeps the epoch with the best content F1 on dev under the
benchmark's own scorer, and writes the weights with the seed, the settings and hashes of
the data beside them.
"""

from __future__ import annotations

import hashlib
import pickle
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from eval.claims_eval import ArticleScore, score_article
from eval.polnear import GoldAttribution, PolnearDoc, load_split
from indexer.attribution.extract import features_of, prepare
from indexer.attribution.features import ArticleFeatures, IntArray, Vocab, pipeline_vocab
from indexer.attribution.model import (
    B_CON,
    B_SRC,
    I_CON,
    I_SRC,
    WEIGHTS,
    AttributionTagger,
    FoundAttribution,
    TaggerConfig,
    Window,
    cue_windows,
)
from indexer.embed import BUNDLED_MODEL, get_embedder
from indexer.models import Claim, Span
from indexer.split import load_pipeline

# Bump when what the cached rows hold changes, so an old cache is not reused.
FEATURES_VERSION = 2
WORDS_MAX = 12_000  # the lemma embedding's rows at most


@dataclass(frozen=True)
class TrainOptions:
    epochs: int = 8
    batch_size: int = 64
    learning_rate: float = 3e-3
    # The refining encoder layers' (TaggerConfig.refine_from): pretrained weights want
    # far smaller steps than the freshly initialised heads.
    refine_learning_rate: float = 1e-4
    seed: int = 13
    tagger: TaggerConfig = field(default_factory=TaggerConfig)
    # A lemma earns its own embedding when it occurs this often in the training split;
    # rarer ones share the unknown id and are read through the encoder states alone
    # (0: no lemma column).
    word_min_count: int = 5
    chunk_max_chars: int = 600  # as the indexer's defaults: the rows must be the same
    chunk_overlap: int = 1
    limit: int | None = None  # articles per split, for a quick trial


@dataclass(frozen=True)
class Example:
    features: ArticleFeatures
    window: Window
    labels: IntArray


def train(
    data_dir: Path,
    out: Path = WEIGHTS,
    options: TrainOptions = TrainOptions(),
    cache_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train on `data_dir`'s train split, choose on dev, save to `out`; returns the
    record written beside the weights."""
    began = time.perf_counter()
    vocab = pipeline_vocab()
    splits = {
        name: _rows(data_dir, name, vocab, options, cache_dir, progress)
        for name in ("train", "dev")
    }
    # Seeded after the data: loading the encoder draws from torch's generator (its layers
    # are initialised before its weights are read), and a cached run does not load it.
    _seed(options.seed)
    if options.word_min_count:
        lemmas = (f.lemmas for f, _ in splits["train"][1])
        vocab = replace(vocab, words=lexicon(lemmas, options.word_min_count))
    tagger = AttributionTagger(options.tagger, vocab)
    cue_examples = [e for f, gold in splits["train"][1] for e in _cue_examples(f, gold)]
    role_examples = [e for f, gold in splits["train"][1] for e in _role_examples(tagger, f, gold)]
    if tagger.refiner is not None:
        tagger.refiner.start_from_base()
    heads = [p for m in (tagger.cue_head, tagger.role_head) for p in m.parameters()]
    rates = [options.learning_rate]
    groups: list[dict[str, Any]] = [{"params": heads, "lr": options.learning_rate}]
    if tagger.refiner is not None:
        rates.append(options.refine_learning_rate)
        groups.append({"params": list(tagger.refiner.parameters()), "lr": rates[-1]})
    params = [p for g in groups for p in g["params"]]
    optimiser = torch.optim.AdamW(groups, weight_decay=1e-4)
    steps = -(-len(cue_examples) // options.batch_size) - (
        -len(role_examples) // options.batch_size
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=rates, total_steps=steps * options.epochs
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    best: tuple[float, int, dict[str, Any]] = (-1.0, -1, {})
    history: list[dict[str, Any]] = []
    bar = tqdm(total=steps * options.epochs, desc="training", unit="batch", disable=not progress)
    for epoch in range(1, options.epochs + 1):
        for m in tagger.modules():
            m.train()
        batches = [(tagger.cue_head, b, False) for b in _batches(cue_examples, options.batch_size)]
        batches += [
            (tagger.role_head, b, True) for b in _batches(role_examples, options.batch_size)
        ]
        random.shuffle(batches)
        total = 0.0
        for head, batch, role in batches:
            states, cats, lengths = tagger.batch([(e.features, e.window) for e in batch], role)
            labels = torch.full(cats.shape[:2], -100, dtype=torch.long)
            for b, e in enumerate(batch):
                labels[b, : len(e.labels)] = torch.from_numpy(e.labels)
            logits = tagger.logits(head, states, cats, lengths)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 5.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
            bar.update(1)
        dev = _score(tagger, splits["dev"][1])
        record = {"epoch": epoch, "loss": round(total / max(len(batches), 1), 4), **dev}
        history.append(record)
        bar.write(
            f"epoch {epoch}: loss {record['loss']:.4f}  dev content P {dev['precision']:.3f} "
            f"R {dev['recall']:.3f} F1 {dev['f1']:.3f}"
        )
        if dev["f1"] > best[0]:
            best = (dev["f1"], epoch, _state(tagger))
    bar.close()
    _load_state(tagger, best[2])
    decoding = choose_thresholds(tagger, splits["dev"][1])
    meta = {
        "trained_on": "PolNeAR train; epoch chosen by content F1 on PolNeAR dev",
        "options": asdict(options),
        "base_model": BUNDLED_MODEL,
        "data": {name: digest for name, (digest, _) in splits.items()},
        "examples": {"cue_windows": len(cue_examples), "role_windows": len(role_examples)},
        "best_epoch": best[1],
        "dev": decoding,
        "history": history,
        "seconds": round(time.perf_counter() - began, 1),
        "torch": torch.__version__,
    }
    tagger.save(out, meta)
    return tagger.meta


def lexicon(articles: Iterable[Sequence[str]], min_count: int) -> tuple[str, ...]:
    """The lemmas of the training articles frequent enough to learn an embedding for,
    most frequent first (ties in first-seen order, so the list is reproducible)."""
    counts = Counter(w for lemmas in articles for w in lemmas if not w.isspace())
    frequent = [w for w, n in counts.most_common(WORDS_MAX) if n >= min_count]
    return tuple(frequent)


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# --- rows ----------------------------------------------------------------------------


def _rows(
    data_dir: Path,
    split: str,
    vocab: Vocab,
    options: TrainOptions,
    cache_dir: Path | None,
    progress: bool,
) -> tuple[str, list[tuple[ArticleFeatures, list[GoldAttribution]]]]:
    """The split's rows and gold, and a hash of its files; cached by that hash, as the
    parse and the encoder pass are most of a training run's time."""
    digest = split_digest(data_dir, split)
    layers = options.tagger.encoder_layers
    key = f"{split}-{digest[:16]}-f{FEATURES_VERSION}-{options.chunk_max_chars}-{options.chunk_overlap}-{options.limit}"
    key += "" if layers == (-1,) else "-layers" + "_".join(map(str, layers))
    path = cache_dir / f"{key}.pkl" if cache_dir is not None else None
    if path is not None and path.exists():
        with path.open("rb") as f:
            rows: list[tuple[ArticleFeatures, list[GoldAttribution]]] = pickle.load(f)
        return digest, rows
    docs = load_split(data_dir, split, limit=options.limit)
    rows = _featurize(docs, vocab, options, progress, split)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return digest, rows


def _featurize(
    docs: Sequence[PolnearDoc], vocab: Vocab, options: TrainOptions, progress: bool, split: str
) -> list[tuple[ArticleFeatures, list[GoldAttribution]]]:
    nlp = load_pipeline()
    embedder = get_embedder(BUNDLED_MODEL)
    rows: list[tuple[ArticleFeatures, list[GoldAttribution]]] = []
    texts = (d.article.text for d in docs)
    batch: list[tuple[PolnearDoc, Any]] = []
    bar = tqdm(
        total=len(docs), desc=f"parsing and encoding {split}", unit="article", disable=not progress
    )

    def flush() -> None:
        items, per_article = prepare(
            ((d.article, doc) for d, doc in batch),
            embedder,
            options.chunk_max_chars,
            options.chunk_overlap,
            options.tagger.encoder_layers,
        )
        for (d, _), f in zip(batch, features_of(items, per_article, vocab), strict=True):
            rows.append((f, [g for g in d.attributions if g.content and g.cue]))
        bar.update(len(batch))
        batch.clear()

    for d, doc in zip(docs, nlp.pipe(texts, batch_size=16), strict=True):
        batch.append((d, doc))
        if len(batch) == 16:
            flush()
    if batch:
        flush()
    bar.close()
    return rows


def split_digest(data_dir: Path, split: str) -> str:
    """SHA-256 over the split's text and annotation files, names and contents."""
    h = hashlib.sha256()
    for folder in ("text", "attributions"):
        for path in sorted((data_dir / split / folder).iterdir()):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


# --- examples ------------------------------------------------------------------------


def _cue_examples(f: ArticleFeatures, gold: Sequence[GoldAttribution]) -> list[Example]:
    labels = np.zeros(len(f), dtype=np.int64)
    for g in gold:
        for start, end in g.cue:
            first, last = f.token_range(start, end)
            if last > first:
                labels[first] = 1
                labels[first + 1 : last] = 2
    return [Example(f, w, labels[w.lo : w.hi]) for w in cue_windows(f)]


def _role_examples(
    tagger: AttributionTagger, f: ArticleFeatures, gold: Sequence[GoldAttribution]
) -> list[Example]:
    """One window per gold cue labelled with its source and content, and one per cue the
    rules found that is no gold cue, labelled empty: the tagger must learn to find no
    content for a cue that is none, as the cue head will sometimes be wrong."""
    examples = []
    gold_cues: list[tuple[int, int]] = []
    for g in gold:
        first, last = f.token_range(min(s for s, _ in g.cue), max(e for _, e in g.cue))
        if last <= first:
            continue
        gold_cues.append((first, last))
        w = tagger.role_window(f, (first, last))
        labels = np.zeros(w.hi - w.lo, dtype=np.int64)
        for spans, begin, inside in ((g.source, B_SRC, I_SRC), (g.content, B_CON, I_CON)):
            for start, end in spans:
                a, b = f.token_range(start, end)
                a, b = max(a, w.lo), min(b, w.hi)
                if b > a:
                    labels[a - w.lo] = begin
                    labels[a - w.lo + 1 : b - w.lo] = inside
        examples.append(Example(f, w, labels))
    for cue, _, _ in f.rules:
        first, last = f.token_range(*cue)
        if last > first and all(last <= a or b <= first for a, b in gold_cues):
            w = tagger.role_window(f, (first, last))
            examples.append(Example(f, w, np.zeros(w.hi - w.lo, dtype=np.int64)))
    return examples


def _batches(examples: Sequence[Example], size: int) -> list[list[Example]]:
    order = list(range(len(examples)))
    random.shuffle(order)
    return [[examples[i] for i in order[k : k + size]] for k in range(0, len(order), size)]


# --- choosing the epoch --------------------------------------------------------------


def _score(
    tagger: AttributionTagger, rows: Sequence[tuple[ArticleFeatures, list[GoldAttribution]]]
) -> dict[str, float]:
    """Content P/R/F1 on `rows` with the benchmark's scorer (spans only: claimants are
    resolved at indexing, not here)."""
    found = tagger.predict([f for f, _ in rows])
    total = ArticleScore()
    for (_, gold), tagged in zip(rows, found, strict=True):
        claims = [_span_claim(t) for t in tagged]
        total += score_article(claims, gold, "")
    s = total.strict
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)}


CUE_THRESHOLDS = (0.2, 0.3, 0.4, 0.5)
CONTENT_THRESHOLDS = (0.3, 0.4, 0.5)


def choose_thresholds(
    tagger: AttributionTagger, rows: Sequence[tuple[ArticleFeatures, list[GoldAttribution]]]
) -> dict[str, float]:
    """Set the decoding thresholds to those with the best content F1 on `rows` (dev);
    returns that F1 with its precision, recall and the thresholds."""
    best: dict[str, float] = {"f1": -1.0}
    for cue in CUE_THRESHOLDS:
        for content in CONTENT_THRESHOLDS:
            tagger.config = replace(tagger.config, cue_threshold=cue, content_threshold=content)
            score = _score(tagger, rows)
            if score["f1"] > best["f1"]:
                best = {**score, "cue_threshold": cue, "content_threshold": content}
    tagger.config = replace(
        tagger.config,
        cue_threshold=best["cue_threshold"],
        content_threshold=best["content_threshold"],
    )
    return best


def _span_claim(t: FoundAttribution) -> Claim:
    source = Span(t.source[0], t.source[1], "") if t.source else None
    return Claim(
        article_id="",
        sentence_idx=0,
        claimant="",
        claimant_mention=source,
        cue=Span(*t.cue, ""),
        content=Span(*t.content, ""),
        kind="",
    )


def _state(tagger: AttributionTagger) -> dict[str, Any]:
    return {
        name: {k: v.detach().clone() for k, v in part.state_dict().items()}
        for name, part in tagger.parts().items()
    }


def _load_state(tagger: AttributionTagger, state: dict[str, Any]) -> None:
    for name, part in tagger.parts().items():
        if name in state:
            part.load_state_dict(state[name])
