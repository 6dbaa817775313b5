"""Hybrid retrieval: dense (FAISS or Milvus), lexical (BM25) and claimant (the claim ledger)
rankings fused by reciprocal rank."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from app.claimants import names_in_question, names_match, tokens
from app.generate.base import ArticleRef, Passage
from indexer.embed import Embedder
from indexer.index import Index
from indexer.models import Article
from indexer.store import ArticleFilter

# Cormack et al.'s constant: damps the weight of the very first ranks so that
# agreement between the two rankings matters more than either one's top hit.
RRF_K = 60


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(article.id, article.title, article.outlet, article.published, article.url)


class Retriever:
    def __init__(self, index: Index, embedder: Embedder) -> None:
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
            # SQL narrows by the rarest-looking token; token matching decides.
            probe = max(tokens(name), key=len)
            for claim in self.index.store.claims(claimant=probe, limit=depth * 4):
                if not names_match(name, claim):
                    continue
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
