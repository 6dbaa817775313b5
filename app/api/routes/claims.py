from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ServiceDep
from app.schemas import ClaimPage, ClaimRecord, ClaimsQuery

router = APIRouter(tags=["claims"])


@router.get("/claims", response_model=ClaimPage)
def list_claims(service: ServiceDep, query: Annotated[ClaimsQuery, Query()]) -> ClaimPage:
    """The claim ledger: who claimed what, by claimant, content words or article."""
    claims = service.claims(query.claimant, query.q, query.article_id, query.limit, query.offset)
    return ClaimPage(
        offset=query.offset, limit=query.limit, items=[ClaimRecord.record(c) for c in claims]
    )
