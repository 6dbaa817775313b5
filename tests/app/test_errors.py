"""Every error has the one JSON shape with a `message` that says what to do, and no input
a client can send makes a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.service import Service


def _is_project_error(r: Any, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["message"], str) and body["message"]
    assert "detail" in body
    return body  # type: ignore[no-any-return]


def test_unknown_route_and_wrong_method_answer_in_the_shape(client: TestClient) -> None:
    body = _is_project_error(client.get("/nowhere"), 404)
    assert "/docs" in str(body["message"])
    r = client.get("/ask")
    body = _is_project_error(r, 405)
    assert "POST" in str(body["message"]) and r.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"question": ', "application/json"),
        (b"\xff\xfe not text", "application/json"),
        (b"question=who", "application/x-www-form-urlencoded"),
        (b"[1, 2]", "application/json"),
    ],
)
def test_unreadable_bodies_are_refused_in_the_shape(
    client: TestClient, content: bytes, content_type: str
) -> None:
    r = client.post("/ask", content=content, headers={"content-type": content_type})
    assert r.status_code in (400, 422), r.text
    assert r.json()["message"]


@pytest.mark.parametrize("path", ["/claims", "/articles"])
def test_an_offset_past_64_bits_is_a_422(client: TestClient, path: str) -> None:
    r = client.get(path, params={"offset": str(2**63)})
    _is_project_error(r, 422)
    assert client.get(path, params={"offset": str(2**62)}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        '{"question": "Who said \\ud800 that?"}',
        '{"question": "Who said it?", "filters": {"outlet": "\\udc00"}}',
        '{"question": "Who said it?", "filters": {"article_id": "a\\ud800"}}',
    ],
)
def test_a_lone_surrogate_is_a_422_not_a_500(client: TestClient, body: str) -> None:
    r = client.post("/ask", content=body, headers={"content-type": "application/json"})
    assert "surrogate" in str(_is_project_error(r, 422)["message"])
    # A surrogate pair is a real character, and is accepted.
    paired = body.replace("\\ud800", "\\ud83d\\ude00").replace("\\udc00", "\\ud83d\\ude00")
    ok = client.post("/ask", content=paired, headers={"content-type": "application/json"})
    assert ok.status_code == 200, ok.text


def test_a_lone_surrogate_in_a_chat_message_is_an_openai_400(client: TestClient) -> None:
    body = '{"messages": [{"role": "user", "content": "Who said \\ud800 it?"}]}'
    r = client.post(
        "/v1/chat/completions", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert "surrogate" in r.json()["error"]["message"]


def test_an_unexpected_failure_is_a_500_that_names_the_request_not_the_cause(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing a client sends reaches this on purpose; a broken method stands in for a bug.
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret detail at /srv/private/store.sqlite")

    monkeypatch.setattr(Service, "claims", broken)
    r = client.get("/claims", headers={"X-Request-ID": "req-42"})
    body = _is_project_error(r, 500)
    assert "req-42" in str(body["message"]) and "/srv" not in r.text
    assert r.headers["x-request-id"] == "req-42"


def test_index_errors_name_the_setting_not_the_server_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import app
    from tests.conftest import use_index

    use_index(monkeypatch, tmp_path / "none")
    with TestClient(app) as c:
        r = c.get("/articles")
    body = _is_project_error(r, 503)
    assert "accordingto index" in str(body["message"]) and str(tmp_path) not in r.text
