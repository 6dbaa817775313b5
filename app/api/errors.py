"""One JSON shape for every error the API answers, and the handlers that produce it.

Everywhere: `{"message": "what is wrong and how to fix it", "detail": ...}`; under `/v1`,
OpenAI's `{"error": {"message", "type", "param", "code"}}`, which its clients parse.
Messages never carry server paths, URLs or upstream bodies: a client cannot use them and
an attacker can.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from app.errors import BadRequestError, NotFoundError
from app.settings import get_settings
from indexer.errors import IndexerError

# Set by the body limit (app.api.guards) when a body outgrew it while it was read.
TOO_LARGE = "accordingto.body_too_large"

_OPENAI_TYPES = {
    401: ("invalid_request_error", "invalid_api_key"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("service_unavailable", None),
}


def error_response(
    path: str,
    status: int,
    message: str,
    detail: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error in the shape the route's clients expect (OpenAI's under /v1)."""
    if path == "/v1" or path.startswith("/v1/"):
        type_, code = _OPENAI_TYPES.get(status, ("invalid_request_error", None))
        body: dict[str, Any] = {
            "error": {"message": message, "type": type_, "param": None, "code": code}
        }
    else:
        body = {"message": message, "detail": message if detail is None else detail}
    return JSONResponse(body, status_code=status, headers=headers)


def public_message(exc: Exception) -> str:
    """The error's message with the configured index directory named by its setting."""
    message = str(exc)
    index_dir = get_settings().index_dir
    for form in sorted({str(index_dir.resolve()), str(index_dir)}, key=len, reverse=True):
        message = message.replace(form, "$ACCORDINGTO_INDEX_DIR")
    return message


def _field(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    if error.get("type") == "extra_forbidden":
        return f"unknown field '{where}': remove it (see the schema at /docs)"
    if error.get("type") == "json_invalid":
        return "the body is not valid JSON: send a JSON object (content-type: application/json)"
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    detail = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in errors]
    return error_response(
        request.url.path, 422, "; ".join(_field(e) for e in errors), detail=detail
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 404:
        message = f"No route {request.method} {path}: the API is described at /docs."
    elif exc.status_code == 405:
        allowed = {k.lower(): v for k, v in (exc.headers or {}).items()}.get("allow", "")
        message = f"{request.method} is not allowed on {path}: use {allowed or 'another method'}."
    elif exc.status_code == 400 and TOO_LARGE in request.scope:
        return error_response(path, 413, request.scope[TOO_LARGE])
    elif exc.status_code == 400:
        # Starlette's "There was an error parsing the body": a form, multipart or JSON body
        # that cannot be read.
        message = "The body cannot be parsed: send a JSON object (content-type: application/json)."
    else:
        message = str(exc.detail)
    return error_response(path, exc.status_code, message, headers=exc.headers)


def _status(code: int) -> Any:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return error_response(request.url.path, code, public_message(exc))

    return handler


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(BadRequestError, _status(422))
    app.add_exception_handler(NotFoundError, _status(404))
    # A missing, damaged or mismatched index: the service is up but cannot answer yet.
    app.add_exception_handler(IndexerError, _status(503))
