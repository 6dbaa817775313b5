"""What fine-tuning the encoder would cost, against the inference pass the indexer makes.

Times, on real PolNeAR chunks as the indexer cuts them, one encoder inference pass and
one fine-tuning step (forward, backward, optimiser) of the bundled all-MiniLM-L6-v2 in the
same run, and projects a fine-tuning epoch over PolNeAR train from the ratio:

    python bench/finetune_cost.py ../shared/data/polnear [--articles 12] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from eval.polnear import load_split
from indexer.build import BuildOptions
from indexer.embed import BUNDLED_MODEL, get_embedder
from indexer.split import chunk, load_pipeline, sentences

CHUNKS = BuildOptions()  # chunked as the indexer cuts them by default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("polnear", type=Path)
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    nlp = load_pipeline()
    texts: list[str] = []
    for d in load_split(args.polnear, "dev", limit=args.articles):
        sents = sentences(nlp(d.article.text), d.article.id)
        texts += [
            c.text
            for c in chunk(
                d.article.text, sents, d.article.id, CHUNKS.chunk_max_chars, CHUNKS.chunk_overlap
            )
        ]
    embedder = get_embedder(BUNDLED_MODEL)
    model = embedder._model[0].auto_model  # the transformer under the pooling
    tokenizer = embedder._model.tokenizer
    batches = [
        tokenizer(texts[i : i + args.batch], padding=True, truncation=True, return_tensors="pt")
        for i in range(0, len(texts) - args.batch + 1, args.batch)
    ]
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-5)
    infer, tune = [], []
    for _ in range(3):
        for batch in batches:
            model.eval()
            with torch.inference_mode():
                began = time.perf_counter()
                model(**batch)
                infer.append(time.perf_counter() - began)
            model.train()
            began = time.perf_counter()
            model(**batch).last_hidden_state.pow(2).mean().backward()
            optimiser.step()
            optimiser.zero_grad()
            tune.append(time.perf_counter() - began)
    pieces = sum(int(b["attention_mask"].sum()) for b in batches) / (len(batches) * args.batch)
    i, t = statistics.median(infer), statistics.median(tune)
    train_chunks = 10_900  # PolNeAR train as the indexer chunks it (1,092 for dev's 84)
    print(f"{len(batches) * args.batch} chunks, {pieces:.0f} word pieces each on average")
    print(
        f"per {args.batch} chunks: inference {i:.2f} s, fine-tuning step {t:.2f} s ({t / i:.1f}x)"
    )
    print(
        f"one fine-tuning epoch over PolNeAR train: about {train_chunks / args.batch * t / 60:.0f} min"
    )


if __name__ == "__main__":
    main()
