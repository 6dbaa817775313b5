"""Assembles the FastAPI application: routers and the mapping of domain errors to HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.api.routes import articles, ask, chat, claims, health, search, web
from app.errors import BadRequestError, NotFoundError
from indexer.errors import IndexerError, IndexNotFoundError


def _message(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
    if error.get("type") == "extra_forbidden":
        return f"unknown field '{where}': remove it (see the schema at /docs)"
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    return JSONResponse(
        status_code=422,
        content={
            "message": "; ".join(_message(e) for e in errors),
            "detail": [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in errors],
        },
    )


def _status(code: int) -> Any:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=code, content={"message": str(exc), "detail": str(exc)})

    return handler


def create_app() -> FastAPI:
    app = FastAPI(
        title="accordingto",
        description="Cited, attributed answers over news articles: who claimed what, "
        "where and when, and where sources disagree.",
        version="0.1.0",
    )
    routers = (ask.router, articles.router, search.router, claims.router, health.router)
    for router in (*routers, chat.router, web.router):
        app.include_router(router)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BadRequestError, _status(422))
    app.add_exception_handler(NotFoundError, _status(404))
    # A missing, unreadable or mismatched index: the service is up but cannot answer yet.
    app.add_exception_handler(IndexNotFoundError, _status(503))
    app.add_exception_handler(IndexerError, _status(503))
    return app


app = create_app()
