"""What the running service tells its operator: JSON logs with a request id, and Prometheus
metrics at /metrics (requests and latency by route, answers by generator, unsupported
citations, LLM fallbacks)."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

import structlog
from fastapi import FastAPI
from prometheus_client import Counter
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.datastructures import Headers, MutableHeaders

from app.api.errors import error_response
from app.api.guards import Guard, Message, Receive, Scope, Send
from app.generate.base import Answer

ANSWERS = Counter("accordingto_answers_total", "Answers given, by generator", ["generator"])
UNSUPPORTED = Counter(
    "accordingto_unsupported_citations_total",
    "Citations the verifier found not to support the sentence citing them",
)
LLM_FALLBACKS = Counter(
    "accordingto_llm_fallbacks_total", "LLM answers replaced by the extractive one on failure"
)

# A client's own request id is kept when it is a plain token; anything else is replaced,
# so that log lines and headers cannot be forged through it.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

log = structlog.get_logger("accordingto")
_HANDLER = "accordingto-json"


def record_answer(requested: str, answer: Answer) -> None:
    """Count one finished answer (`requested`: the generator that was asked to write it)."""
    ANSWERS.labels(generator=answer.generator).inc()
    UNSUPPORTED.inc(sum(not c.supported for c in answer.citations))
    if requested == "llm" and answer.generator != "llm":
        LLM_FALLBACKS.inc()


def configure_logging(level: str) -> None:
    """One JSON object per line on stderr, with the request id of the request being served,
    for structlog's loggers and the standard library's alike."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    # Replace only our own handler: others (a test runner's capture) stay.
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


class RequestContext(Guard):
    """The outermost layer: a request id (the client's X-Request-ID or a new one) on the
    response and on every log line; one log line per request; an unexpected error becomes
    a 500 in the API's error shape that names the id, never a traceback."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 0  # no response started yet
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", path=scope["path"])
            if status:  # a stream broke after it started: closing it is all that is left
                return
            status = 500
            response = error_response(
                scope["path"],
                500,
                f"Internal error (request id {request_id}); the server log has the details.",
                headers={"X-Request-ID": request_id},
            )
            await response(scope, receive, send)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                seconds=round(time.perf_counter() - started, 4),
            )
            structlog.contextvars.unbind_contextvars("request_id")


def instrument(app: FastAPI) -> Any:
    """Requests and latency by route (templated, so ids do not explode the label set),
    exposed with the answer counters at /metrics."""
    return (
        Instrumentator(excluded_handlers=["/metrics"], should_group_status_codes=False)
        .instrument(app)
        .expose(app, include_in_schema=False)
    )
