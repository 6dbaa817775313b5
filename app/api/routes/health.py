"""Liveness (`/health/live`: the process answers) apart from readiness (`/health`: the
models are loaded and warm and the index opens whole), as orchestrators probe them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.api.deps import ServiceDep
from app.api.errors import public_message
from app.schemas import Health, Liveness
from indexer.errors import IndexerError, IndexNotFoundError

router = APIRouter(tags=["health"])

_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": Health, "description": "not ready: starting, no index, or a damaged one"}
}


@router.get("/health/live", response_model=Liveness)
async def live() -> Liveness:
    """The process is up and answering (restart it if not)."""
    return Liveness()


@router.get("/health", response_model=Health, responses=_NOT_READY)
def health(request: Request, response: Response, service: ServiceDep) -> Health:
    """Ready to answer, with the index's counts and the models in use; 503 says why not."""
    s = service.settings
    base: dict[str, Any] = {
        "embedding_model": s.embedding_model,
        "generator": s.generator,
        "llm_model": s.llm_model if s.llm_configured else None,
    }
    not_ready: dict[str, Any] = {
        **base,
        "index_loaded": False,
        "index_version": None,
        "counts": {},
        "embedding_dim": None,
        "spacy_model": None,
    }
    response.status_code = 503
    if not getattr(request.app.state, "warm", False):
        message = "The models are loading; retry shortly."
        return Health(status="starting", message=message, **not_ready)
    try:
        index = service.index()
    except IndexNotFoundError as exc:
        return Health(status="no_index", message=public_message(exc), **not_ready)
    except IndexerError as exc:
        return Health(status="damaged", message=public_message(exc), **not_ready)
    response.status_code = 200
    m = index.manifest
    return Health(
        **{**base, "embedding_model": m.embedding_model},
        status="ok",
        index_loaded=True,
        index_version=index.directory.name,
        counts=m.counts,
        embedding_dim=m.embedding_dim,
        spacy_model=m.spacy_model,
    )
