"""The training command end to end on a tiny corpus in PolNeAR's layout."""

from __future__ import annotations

from pathlib import Path

from indexer.attribution.model import AttributionTagger
from indexer.attribution.train import TrainOptions, lexicon, split_digest, train

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
