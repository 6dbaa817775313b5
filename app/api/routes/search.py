from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ServiceDep
from app.schemas import SearchHit, SearchQuery, SearchResults

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResults)
def search(service: ServiceDep, query: Annotated[SearchQuery, Query()]) -> SearchResults:
    """Retrieve passages for a query (dense + BM25, fused), with their scores."""
    passages = service.retriever().passages(query.q, query.top_k, query.to_filter())
    return SearchResults(
        query=query.q,
        hits=[
            SearchHit(
                rank=p.n,
                score=p.score,
                article_id=p.article.id,
                title=p.article.title,
                outlet=p.article.outlet,
                published=p.article.published,
                start=p.chunk.start,
                end=p.chunk.end,
                text=p.chunk.text,
            )
            for p in passages
        ],
    )
