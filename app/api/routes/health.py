from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ServiceDep
from app.schemas import Health
from indexer.errors import IndexerError

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(service: ServiceDep) -> Health:
    """Whether an index is loaded, its counts, and the models in use."""
    s = service.settings
    llm = s.llm_model if s.llm_configured else None
    try:
        index = service.index()
    except IndexerError as exc:
        return Health(
            status="no_index",
            index_loaded=False,
            index_version=None,
            counts={},
            embedding_model=s.embedding_model,
            embedding_dim=None,
            spacy_model=None,
            generator=s.generator,
            llm_model=llm,
            message=str(exc),
        )
    m = index.manifest
    return Health(
        status="ok",
        index_loaded=True,
        index_version=index.directory.name,
        counts=m.counts,
        embedding_model=m.embedding_model,
        embedding_dim=m.embedding_dim,
        spacy_model=m.spacy_model,
        generator=s.generator,
        llm_model=llm,
    )
