from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ServiceDep
from app.errors import NotFoundError
from app.schemas import ArticlePage, ArticlePublic, ArticlesQuery, ArticleSummary

router = APIRouter(prefix="/articles", tags=["articles"])


@router.get("", response_model=ArticlePage)
def list_articles(service: ServiceDep, query: Annotated[ArticlesQuery, Query()]) -> ArticlePage:
    """List indexed articles with their metadata, newest first, one page at a time."""
    total, items = service.index().store.articles(query.offset, query.limit, query.to_filter())
    return ArticlePage(
        total=total,
        offset=query.offset,
        limit=query.limit,
        items=[ArticleSummary.of(a) for a in items],
    )


# `:path`: an id may hold "/" (ids come from files and feeds); a client percent-encodes
# anything else (spaces, "?", "#", "%").
@router.get("/{article_id:path}", response_model=ArticlePublic)
def get_article(article_id: str, service: ServiceDep) -> ArticlePublic:
    """One article with its full text, so any citation's offsets can be checked."""
    article = service.index().store.article(article_id)
    if article is None:
        raise NotFoundError(f"No article with id '{article_id}'; list ids with GET /articles.")
    return ArticlePublic.full(article)
