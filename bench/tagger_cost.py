"""What the learned attribution tagger costs per article at indexing, weights file by file.

Parses and encodes PolNeAR dev articles once, as the indexer does (one encoder pass over
the chunks, batched across articles), then times each tagger's `predict` over the same
rows, in turns, in the same run: the milliseconds a tagger adds to indexing an article on
top of the parse and the encoder pass the pipeline makes anyway. The first weights file is
the baseline the others are compared with:

    python bench/tagger_cost.py ../shared/data/polnear indexer/attribution/data/tagger.pt \
        other/tagger.pt [--articles 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from eval.polnear import load_split
from indexer.attribution.extract import features_of, prepare
from indexer.attribution.model import AttributionTagger
from indexer.build import BuildOptions
from indexer.embed import BUNDLED_MODEL, get_embedder
from indexer.split import load_pipeline

CHUNKS = BuildOptions()  # chunked as the indexer cuts them by default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("polnear", type=Path)
    parser.add_argument("weights", type=Path, nargs="+")
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    taggers = [AttributionTagger.load(w) for w in args.weights]
    layers = {t.config.encoder_layers for t in taggers}
    if len(layers) > 1:
        parser.error(f"the taggers read different encoder layers ({layers}): time them apart")
    nlp = load_pipeline()
    docs = load_split(args.polnear, "dev", limit=args.articles)
    items, passages = prepare(
        ((d.article, nlp(d.article.text)) for d in docs),
        get_embedder(BUNDLED_MODEL),
        CHUNKS.chunk_max_chars,
        CHUNKS.chunk_overlap,
        layers.pop(),
    )
    rows = [features_of(items, passages, t.vocab) for t in taggers]
    times: list[list[float]] = [[] for _ in taggers]
    for _ in range(args.rounds):
        for k, tagger in enumerate(taggers):
            began = time.perf_counter()
            tagger.predict(rows[k])
            times[k].append((time.perf_counter() - began) / len(docs))
    base = statistics.median(times[0])
    print(f"{len(docs)} PolNeAR dev articles, {args.rounds} rounds, median per article:")
    for path, ts in zip(args.weights, times, strict=True):
        ms = 1000 * statistics.median(ts)
        print(f"  {path}: {ms:.1f} ms ({ms - 1000 * base:+.1f} ms against the first)")


if __name__ == "__main__":
    main()
