"""Prometheus metrics at /metrics, JSON logs carrying the request id, X-Request-ID."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import use_index

QUESTION = {"question": "Who says North Korea sent more troops to Russia?"}


def _value(metrics: str, name: str, **labels: str) -> float:
    """A sample's value in the Prometheus text format (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in metrics.splitlines():
        m = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if m and ",".join(sorted((m.group(1) or "").split(","))) == want:
            return float(m.group(2))
    return 0.0


def test_metrics_count_requests_answers_and_unsupported_citations(client: TestClient) -> None:
    before = client.get("/metrics").text
    assert client.post("/ask", json=QUESTION).status_code == 200
    assert client.get("/nowhere").status_code == 404
    after = client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    requests = "http_requests_total"
    labels = {"handler": "/ask", "method": "POST", "status": "200"}
    assert _value(text, requests, **labels) == _value(before, requests, **labels) + 1
    answers = "accordingto_answers_total"
    assert _value(text, answers, generator="extractive") == (
        _value(before, answers, generator="extractive") + 1
    )
    assert "http_request_duration_seconds_bucket" in text
    assert "accordingto_unsupported_citations_total" in text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_llm_that_fails_is_counted_as_a_fallback(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import app

    # Nothing listens there: the LLM call is refused and the extractive answer stands in.
    use_index(
        monkeypatch,
        sample_index,
        OPENAI_BASE_URL=f"http://127.0.0.1:{_closed_port()}/v1",
        OPENAI_API_KEY="unused",
        ACCORDINGTO_LLM_MAX_RETRIES="0",
    )
    with TestClient(app) as c:
        name = "accordingto_llm_fallbacks_total"
        before = _value(c.get("/metrics").text, name)
        data = c.post("/ask", json={**QUESTION, "generator": "llm"}).json()
        assert data["generator"] == "extractive"
        assert _value(c.get("/metrics").text, name) == before + 1


def test_every_response_has_a_request_id_and_keeps_a_sane_one(client: TestClient) -> None:
    fresh = client.get("/articles").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert (
        client.get("/articles", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    forged = client.get("/articles", headers={"X-Request-ID": "x\r\ninjected: 1"})
    assert forged.headers["x-request-id"] != "x\r\ninjected: 1"


def test_logs_are_json_lines_with_the_request_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.observability import configure_logging

    configure_logging("INFO")  # onto the stderr this test captures
    r = client.get("/claims", headers={"X-Request-ID": "trace-me"})
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    mine = [x for x in lines if x.get("request_id") == "trace-me"]
    assert mine and mine[-1]["path"] == "/claims" and mine[-1]["status"] == r.status_code
    assert {"timestamp", "level", "event"} <= set(mine[-1])


def test_standard_library_logs_are_json_with_the_request_id_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    import structlog

    from app.observability import configure_logging

    configure_logging("INFO")
    structlog.contextvars.bind_contextvars(request_id="from-stdlib")
    try:
        logging.getLogger("app.somewhere").warning("plain %s", "words")
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "plain words" and line["request_id"] == "from-stdlib"
    assert line["level"] == "warning"
