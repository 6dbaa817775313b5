"""The training command end to end on a tiny corpus in PolNeAR's layout."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from indexer.attribution.features import pipeline_vocab
from indexer.attribution.model import (
    AttributionModelError,
    AttributionTagger,
    TaggerConfig,
    meta_path,
)
from indexer.attribution.train import TrainOptions, lexicon, split_digest, train
from indexer.embed import Embedder

ARTICLE = (
    "Mayor backs tram\n\n"
    "The mayor said the tram line would be finished by June. "
    "Critics argued that the budget was far too small.\n"
)


def _ann(text: str) -> str:
    def span(tid: str, role: str, piece: str, after: int = 0) -> str:
        start = text.index(piece, after)
        return f"{tid}\t{role} {start} {start + len(piece)}\t{piece}"

    return "\n".join(
        [
            span("T1", "Source", "The mayor"),
            span("T2", "Cue", "said"),
            span("T3", "Content", "the tram line would be finished by June"),
            "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1",
            span("T4", "Source", "Critics"),
            span("T5", "Cue", "argued"),
            span("T6", "Content", "that the budget was far too small"),
            "E2\tAttribution:T5 Content:T6 Cue:T5 Source:T4",
        ]
    )


def _corpus(root: Path) -> Path:
    rows = ["compartment\tfilename\tpublisher\tpublication_date"]
    for split in ("train", "dev"):
        (root / split / "text").mkdir(parents=True)
        (root / split / "attributions").mkdir(parents=True)
        name = f"{split}-tram"
        (root / split / "text" / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
        (root / split / "attributions" / f"{name}_1.ann").write_text(
            _ann(ARTICLE), encoding="utf-8"
        )
        rows.append(f"{split}\t{name}\tGazette\t2016-01-01")
    (root / "metadata.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def test_training_writes_loadable_weights_with_seed_and_data_hashes(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "polnear")
    out = tmp_path / "model" / "tagger.pt"
    options = TrainOptions(epochs=2, seed=3)
    meta = train(data, out, options, cache_dir=tmp_path / "cache", progress=False)
    tagger = AttributionTagger.load(out)
    assert tagger.meta["sha256"] == meta["sha256"]
    assert meta["data"] == {s: split_digest(data, s) for s in ("train", "dev")}
    assert meta["options"]["seed"] == 3 and len(meta["history"]) == 2
    # Same seed, same cached rows: the same weights (the very first run in a process may
    # differ in the last bits, as oneDNN picks its kernels on first use).
    runs = [
        train(data, tmp_path / f"run{k}" / "tagger.pt", options, tmp_path / "cache", False)
        for k in (1, 2)
    ]
    assert runs[0]["sha256"] == runs[1]["sha256"]


def test_the_lexicon_keeps_lemmas_frequent_in_training_most_frequent_first() -> None:
    articles = [["say", "say", "deny", "\n"], ["say", "prefer", "deny", "\n", "\n"]]
    assert lexicon(articles, 2) == ("say", "deny")
    assert lexicon(articles, 1) == ("say", "deny", "prefer")
    assert lexicon(articles, 4) == ()


def test_a_tagger_with_a_lexicon_learns_lemma_rows_and_saves_the_words(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "polnear")
    out = tmp_path / "model" / "tagger.pt"
    train(data, out, TrainOptions(epochs=1, seed=3, word_min_count=1), tmp_path / "c", False)
    tagger = AttributionTagger.load(out)
    assert {"say", "argue", "mayor"} <= set(tagger.vocab.words)
    assert tagger.token_columns[-1] == "word"
    rows = tagger.cue_head.embeddings[-1].weight.shape[0]
    assert rows == len(tagger.vocab.words) + 1
    without = tmp_path / "plain" / "tagger.pt"
    train(data, without, TrainOptions(epochs=1, seed=3, word_min_count=0), tmp_path / "c", False)
    assert "word" not in AttributionTagger.load(without).token_columns


def test_the_refining_layers_start_as_the_encoders_own_top_layers(embedder: Embedder) -> None:
    config = TaggerConfig(encoder_layers=(2, 4, -1), refine_from=4)
    refiner = AttributionTagger(config, pipeline_vocab()).refiner
    assert refiner is not None and len(refiner.layers) == 2
    refiner.start_from_base()
    refiner.eval()
    model: Any = embedder._model[0].auto_model
    batch = embedder._model.tokenizer(
        ["The council said the bridge would reopen.", "Critics disagreed."],
        padding=True,
        return_tensors="pt",
    )
    with torch.inference_mode():
        hidden = model(**batch, output_hidden_states=True).hidden_states
        states = torch.cat([hidden[2], hidden[4], hidden[6]], dim=-1)
        refined = refiner(refiner.start(states), batch["attention_mask"].sum(1))
    real = batch["attention_mask"].bool()
    assert torch.allclose(refined[real], hidden[6][real], atol=1e-4)


def test_a_fine_tuned_tagger_saves_its_layers_and_loads_them_back(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "polnear")
    out = tmp_path / "model" / "tagger.pt"
    config = TaggerConfig(encoder_layers=(2, 4, -1), refine_from=4)
    options = TrainOptions(epochs=1, seed=3, tagger=config, refine_learning_rate=1e-3)
    train(data, out, options, cache_dir=tmp_path / "cache", progress=False)
    tagger = AttributionTagger.load(out)
    assert tagger.refiner is not None and tagger.config.refine_from == 4
    trained = {k: v.clone() for k, v in tagger.refiner.layers[0].state_dict().items()}
    tagger.refiner.start_from_base()
    base = tagger.refiner.layers[0].state_dict()
    assert any(not torch.equal(trained[k], base[k]) for k in base)  # training moved them
    # A file without the layers its configuration asks for is damaged, not half-used.
    state = torch.load(out, weights_only=True)
    del state["refine"]
    torch.save(state, out)
    meta = json.loads(meta_path(out).read_text(encoding="utf-8"))
    meta["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    meta_path(out).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(AttributionModelError, match="damaged"):
        AttributionTagger.load(out)
