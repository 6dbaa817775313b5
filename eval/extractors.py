"""Claims of one parsed article as the indexer extracts them, by either extractor the
indexer ships (`indexer.attribution.extract.EXTRACTORS`), for the evaluations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spacy.tokens import Doc

from indexer.models import Article, Claim, Sentence
from indexer.resolve import extract_claims

# (parse, its sentences, the article) -> its claims
ClaimExtractor = Callable[[Doc, list[Sentence], Article], list[Claim]]


def claim_extractor(name: str, weights: Path | None = None) -> ClaimExtractor:
    """`rules`: the rules alone; `model`: the learned tagger over one encoder pass of the
    article's chunks, as `indexer.build` runs it (`weights`: other tagger weights)."""
    from indexer.attribution.extract import EXTRACTORS

    if name not in EXTRACTORS:
        raise ValueError(f"Unknown claim extractor {name!r}: use one of {', '.join(EXTRACTORS)}.")
    if name == "rules":
        return extract_claims

    from app.settings import get_settings
    from indexer.attribution.extract import load_tagger, prepare, tagged_claims
    from indexer.attribution.model import WEIGHTS
    from indexer.embed import BUNDLED_MODEL, get_embedder

    tagger = load_tagger(weights or WEIGHTS)
    embedder = get_embedder(BUNDLED_MODEL)
    settings = get_settings()

    def extract(doc: Doc, sents: list[Sentence], article: Article) -> list[Claim]:
        items, states = prepare(
            [(article, doc)],
            embedder,
            settings.chunk_max_chars,
            settings.chunk_overlap,
            tagger.config.encoder_layers,
        )
        return tagged_claims(tagger, items, states)[0]

    return extract
