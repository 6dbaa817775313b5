"""Hybrid retrieval: dense (FAISS or Milvus), lexical (BM25) and claimant (the claim ledger)
rankings fused by reciprocal rank."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np
from anyascii import anyascii

from app.claimants import names_in_question, names_match
from app.generate.base import ArticleRef, Passage
from indexer.embed import TextEncoder
from indexer.index import Index
from indexer.models import Article, Claim
from indexer.store import ArticleFilter, Store

# Claims read to find those by a name; SQL narrows them by a prefix of the name's longest
# word, short enough to be shared by its transliterations ("Zelensky", "Zelenskyy").
_SCAN = 100_000
_PROBE = 4
# Cormack et al.'s constant: damps the weight of the very first ranks so that
# agreement between the two rankings matters more than either one's top hit.
RRF_K = 60


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(article.id, article.title, article.outlet, article.published, article.url)


def claims_named(
    store: Store,
    name: str,
    article_id: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Claim]:
    """Claims by whoever `name` names, however the article writes them: a match on the
    claimant or the mention also brings that claimant's other claims in the same article
    (where the text says "he" or "the intelligence chief")."""
    # Short lower-case words ("the", "of") narrow nothing; an acronym ("WHO") does.
    words = [w for w in re.findall(r"[^\W_]+", anyascii(name)) if len(w) > 3 or w.isupper()]
    probe = max(words, key=len)[:_PROBE] if words else None
    found: dict[int | None, Claim] = {}
    for claim in store.claims(article_id=article_id, claimant=probe, q=q, limit=_SCAN):
        if claim.id not in found and names_match(name, claim):
            found[claim.id] = claim
            for same in store.claims(claim.article_id, claimant=claim.claimant, q=q, limit=_SCAN):
                if same.claimant == claim.claimant:
                    found.setdefault(same.id, same)
    ordered = sorted(found.values(), key=lambda c: (c.article_id, c.sentence_idx, c.cue.start))
    return ordered[offset : offset + limit]


class Retriever:
    def __init__(self, index: Index, embedder: TextEncoder) -> None:
        self.index = index
        self.embedder = embedder

    def ranked_chunks(
        self, query: str, top_k: int, flt: ArticleFilter | None = None
    ) -> list[tuple[int, float]]:
        """(chunk id, fused score) best first, at most `top_k`."""
        allowed = None
        if flt is not None and not flt.is_empty():
            allowed = self.index.store.chunk_ids(flt)
        depth = max(top_k * 4, 20)
        qvec = self.embedder.embed([query])[0]
        fused: dict[int, float] = defaultdict(float)
        for ranking in (
            self.index.vectors.search(qvec, depth, allowed, flt),
            self.index.lexical.search(query, depth, allowed),
            self.claimant_chunks(query, depth, allowed),
        ):
            for rank, (chunk_id, _) in enumerate(ranking):
                fused[chunk_id] += 1.0 / (RRF_K + rank + 1)
        return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]

    def claimant_chunks(
        self, query: str, depth: int, allowed: np.ndarray[Any, np.dtype[np.int64]] | None
    ) -> list[tuple[int, float]]:
        """Chunks holding claims by the claimant the question names, under any mention."""
        ranked: list[tuple[int, float]] = []
        for name in names_in_question(query):
            for claim in claims_named(self.index.store, name, limit=depth * 4):
                cid = self.index.store.chunk_of_sentence(claim.article_id, claim.sentence_idx)
                if cid is not None and (allowed is None or cid in allowed):
                    ranked.append((cid, 1.0))
        return list(dict.fromkeys(ranked))[:depth]

    def passages(self, query: str, top_k: int, flt: ArticleFilter | None = None) -> list[Passage]:
        """The top chunks as numbered passages, with their sentences and claims."""
        ranked = self.ranked_chunks(query, top_k, flt)
        store = self.index.store
        chunks = store.chunks([cid for cid, _ in ranked])
        articles: dict[str, ArticleRef] = {}
        out: list[Passage] = []
        for cid, score in ranked:
            chunk = chunks[cid]
            if chunk.article_id not in articles:
                article = store.article(chunk.article_id)
                assert article is not None  # chunks are deleted with their article
                articles[chunk.article_id] = article_ref(article)
            span = (chunk.first_sentence, chunk.last_sentence)
            out.append(
                Passage(
                    n=len(out) + 1,
                    chunk=chunk,
                    article=articles[chunk.article_id],
                    sentences=store.sentences(chunk.article_id, *span),
                    # A claim with no claimant cannot be attributed in an answer.
                    claims=[
                        c
                        for c in store.claims(article_id=chunk.article_id, sentence_range=span)
                        if c.has_claimant
                    ],
                    score=score,
                )
            )
        return out
