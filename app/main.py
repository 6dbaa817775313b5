"""Assembles the FastAPI application: routers, the guards around them, error shapes, and the
start-up that loads the models before the first request."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from app.api.deps import get_service
from app.api.errors import add_error_handlers
from app.api.guards import CORS, APIKeys, BodyLimit, Capacity, RateLimit, SecurityHeaders
from app.api.routes import articles, ask, chat, claims, health, search, web
from app.observability import RequestContext, configure_logging, instrument
from app.settings import Settings, get_settings


def share_cores(settings: Settings) -> None:
    """Size the worker pool (sync routes and streams run there, off the event loop) and
    give each worker's torch and FAISS an equal share of the cores, so that concurrent
    requests do not oversubscribe them."""
    import faiss
    import torch

    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.cpu_workers
    per_worker = max(1, (os.cpu_count() or 1) // settings.cpu_workers)
    torch.set_num_threads(per_worker)
    faiss.omp_set_num_threads(per_worker)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    configure_logging(settings.log_level)
    share_cores(settings)
    app.state.warm = False
    await anyio.to_thread.run_sync(get_service().warm)
    app.state.warm = True
    yield


def create_app() -> FastAPI:
    app = FastAPI(
        title="accordingto",
        description="Cited, attributed answers over news articles: who claimed what, "
        "where and when, and where sources disagree.",
        version="0.1.0",
        lifespan=lifespan,
    )
    routers = (ask.router, articles.router, search.router, claims.router, health.router)
    for router in (*routers, chat.router, web.router):
        app.include_router(router)
    add_error_handlers(app)
    # Added innermost first: a request meets them from the last one up.
    for guard in (BodyLimit, Capacity, RateLimit, APIKeys):
        app.add_middleware(guard)
    instrument(app)
    # CORS outside the keys: a browser's preflight carries none.
    for outer in (CORS, SecurityHeaders, RequestContext):
        app.add_middleware(outer)
    return app


app = create_app()
